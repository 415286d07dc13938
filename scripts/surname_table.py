"""Write screening/matching/data/surnames.txt: surnames attested in many countries,
as the matcher's tokens spell them.

The matcher tells a surname's typo (JOHNSON, JONHSON) from another family's name one
letter away (JOHNSON, JOHNSTON; WAGNER, WAGENER) by whether both are surnames people
bear. The names come from Faker's person providers (MIT licence; about 80 locales, lists
drawn from national statistics), a well-kept source, frozen here into a text file so
that the worker neither imports Faker nor changes with its releases. Regenerate after
upgrading Faker (a dev dependency) and review the diff:

    python scripts/surname_table.py            # writes the file
    python scripts/surname_table.py --check    # exit 1 when the file is not what it writes

Latin-script lists as written (both ICAO folds of umlauts), Cyrillic and Greek lists by
their first (ICAO, ELOT) reading; one-word names of four letters or more, and the words
of longer ones (DE LA CRUZ gives CRUZ).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "screening" / "matching" / "data" / "surnames.txt"
_SCRIPTS = ("Latn", "Cyrl", "Grek")
MIN_LEN = 4


def surnames() -> tuple[str, list[str]]:
    import faker
    import faker.providers.person as person

    from screening.matching.name_tables import PARTICLES
    from screening.matching.readings import readings, script_of

    found: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        module = importlib.import_module(f"{person.__name__}.{mod.name}")
        names = getattr(getattr(module, "Provider", None), "last_names", None)
        if not names:
            continue
        for name in names:
            script = "Latn" if name.isascii() else script_of(name)
            if script not in _SCRIPTS:
                continue
            read = readings(name, surname=True)
            if script != "Latn":
                read = read[:1]
            for r in read:
                found.update(t for t in r.tokens if len(t) >= MIN_LEN and t not in PARTICLES
                             and t.isalpha())  # fmt: skip
    return faker.VERSION, sorted(found)


def render() -> str:
    version, names = surnames()
    head = (f"# Surnames attested in Faker {version}'s person providers (MIT licence), as\n"
            "# the matcher's tokens spell them. Written by scripts/surname_table.py.\n")
    return head + "\n".join(names) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("surnames.txt is current" if same else "surnames.txt differs: regenerate it")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {text.count(chr(10)) - 2} surnames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
