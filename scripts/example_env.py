"""Writes config/example.env from screening/settings.py: every field, its comment and its
default, so the example cannot drift from the code (tests/unit/test_example_config.py).

    .venv/bin/python scripts/example_env.py > config/example.env
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import SecretStr

from screening.settings import Settings

HEADER = """\
# Example configuration of screening: every setting, with its default.
# Environment variables with the SCREENING_ prefix, read once at start by
# screening/settings.py. Copy to .env-like files or export them; uncomment to change.
# Secrets (passwords, session keys) belong in files (the *_FILE settings), not here.
# Made by scripts/example_env.py from the settings' own comments.
"""
FIELD = re.compile(r"^    (\w+): [^=]+=")


def default_text(value: object) -> str:
    if value is None or isinstance(value, SecretStr):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def main() -> int:
    source = (Path(__file__).resolve().parents[1] / "screening" / "settings.py").read_text()
    defaults = Settings.model_construct()  # the defaults, whatever the environment says
    out = [HEADER]
    comment: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if line.startswith("    # "):
            comment.append("# " + stripped[2:])
            continue
        match = FIELD.match(line)
        if match and match.group(1) in Settings.model_fields:
            name = match.group(1)
            value = default_text(getattr(defaults, name))
            out.append("\n".join([*comment, f"# SCREENING_{name.upper()}={value}"]) + "\n")
        comment = [] if not line.startswith("    #") else comment
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
