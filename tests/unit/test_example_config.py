"""config/example.env documents every setting, with the default the code really has."""

from __future__ import annotations

import re
from pathlib import Path

from screening.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "example.env"


def _documented() -> dict[str, str]:
    found = re.findall(r"^# (SCREENING_\w+)=(.*)$", EXAMPLE.read_text(), flags=re.MULTILINE)
    return dict(found)


def test_every_setting_is_in_the_example_and_nothing_else() -> None:
    names = {f"SCREENING_{n.upper()}" for n in Settings.model_fields}
    assert set(_documented()) == names


def test_the_example_values_are_the_defaults() -> None:
    # Each documented value, given alone, must build the same settings as no value at all.
    defaults = Settings()
    for name, value in _documented().items():
        if value == "":
            continue
        field = name.removeprefix("SCREENING_").lower()
        built = Settings(**{field: value})
        assert getattr(built, field) == getattr(defaults, field), name


def test_an_empty_secrets_dir_is_the_default_never_the_working_directory() -> None:
    from pathlib import Path

    from screening.settings import Settings

    assert Settings(secrets_dir="").secrets_dir == Path(".local/secrets")
    assert Settings(secrets_dir="  ").secrets_dir == Path(".local/secrets")
