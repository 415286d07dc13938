"""matching/data/surnames.txt is what scripts/surname_table.py writes from Faker's lists,
and holds what the matcher's rule needs of it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from screening.matching.name_tables import SURNAMES

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "surname_table.py"


def test_table_is_current() -> None:
    pytest.importorskip("faker")  # a dev dependency: installed by scripts/install.sh
    spec = importlib.util.spec_from_file_location("surname_table", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUT.read_text(encoding="utf-8") == module.render()


def test_table_spells_as_tokens() -> None:
    assert len(SURNAMES) > 20_000
    assert all(name.isalpha() and name.isascii() and name.isupper() for name in SURNAMES)
    # both ICAO folds of an umlaut, Cyrillic by its ICAO reading
    assert {"MUELLER", "MULLER", "SMIRNOV", "JOHNSTON"} <= SURNAMES
