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
of longer ones (DE LA CRUZ gives CRUZ). A surname that a list (surnames or given names)
of a state whose names are Arabic holds (readings.ARABIC_NATIONS: Algeria's, Pakistan's,
India's and Bangladesh's for Pakistan's; Arabic-script lists as the readings spell them,
حسن: HASSAN, HASAN) is listed again in a second section:
an Arabic name's Latin spelling, which the matcher pairs with others on their consonants.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "screening" / "matching" / "data" / "surnames.txt"
_SCRIPTS = ("Latn", "Cyrl", "Grek")
_ARABIC_LANGUAGES = ("ar", "fa", "ur", "ps")  # Faker's locales of names in Arabic script
# Pakistan's surnames are the subcontinent's Muslims' (CHAUDHRY, CHOWDHURY, QURESHI),
# spelt from Urdu as India's and Bangladesh's lists spell them; Faker has no Urdu list.
_PAKISTANS_NAMES = ("IN", "BD")
# The country codes of Faker's locales that readings.ARABIC_NATIONS holds (ISO 3166).
_ISO3 = {"AE": "ARE", "BH": "BHR", "DZ": "DZA", "EG": "EGY", "IQ": "IRQ", "IR": "IRN",
         "JO": "JOR", "KW": "KWT", "LB": "LBN", "LY": "LBY", "MA": "MAR", "OM": "OMN",
         "PK": "PAK", "PS": "PSE", "QA": "QAT", "SA": "SAU", "SY": "SYR", "TN": "TUN",
         "YE": "YEM", "AF": "AFG", "SD": "SDN", "SO": "SOM"}
MIN_LEN = 4
# After the surnames, those of them an Arabic name's spellings (name_tables reads the
# sections apart: the surnames' own parse stays a plain set of lines).
ARABIC_SECTION = ("# Of these, an Arabic name's spellings (a list of a state whose names are\n"
                  "# Arabic holds them, or an Arabic-script list as the readings spell it):\n")


def surnames() -> tuple[str, list[str], list[str]]:
    """Faker's version, the surnames and those of them an Arabic name's spellings."""
    import faker
    import faker.providers.person as person

    from screening.matching.name_tables import PARTICLES
    from screening.matching.readings import ARABIC_NATIONS, readings, script_of

    found: set[str] = set()
    arabic: set[str] = set()  # names of lists of states whose names are Arabic
    for mod in pkgutil.iter_modules(person.__path__):
        module = importlib.import_module(f"{person.__name__}.{mod.name}")
        provider = getattr(module, "Provider", None)
        names = getattr(provider, "last_names", None)
        if not names:
            continue
        language, _, country = mod.name.partition("_")
        if language in _ARABIC_LANGUAGES or _ISO3.get(country) in ARABIC_NATIONS \
                or country in _PAKISTANS_NAMES:  # fmt: skip
            # given names too: an Arab's or a Pakistani's surname is often a forebear's
            # given name (HASSAN); Arabic script as the readings spell it (حسن: HASSAN,
            # HASAN; or a skeleton, MHMDY, which no Latin list holds)
            for name in (*names, *getattr(provider, "first_names", ())):
                arabic.update(t for r in readings(name, surname=True) for t in r.tokens)
        for name in names:
            script = "Latn" if name.isascii() else script_of(name)
            if script not in _SCRIPTS:
                continue
            read = readings(name, surname=True)
            # a Latin name as written (both folds of an umlaut), not a compound's one
            # spelling (arabic_compounds: ABDAZIZ is nobody's surname); another script's
            # first reading
            read = tuple(r for r in read if r.plain) if script == "Latn" else read[:1]
            for r in read:
                found.update(t for t in r.tokens if len(t) >= MIN_LEN and t not in PARTICLES
                             and t.isalpha())  # fmt: skip
    return faker.VERSION, sorted(found), sorted(found & arabic)


def render() -> str:
    version, names, arabic = surnames()
    head = (f"# Surnames attested in Faker {version}'s person providers (MIT licence), as\n"
            "# the matcher's tokens spell them. Written by scripts/surname_table.py.\n")
    return head + "\n".join(names) + "\n" + ARABIC_SECTION + "\n".join(arabic) + "\n"


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
    names, _, arabic = text.partition(ARABIC_SECTION)
    print(f"{OUT}: {names.count(chr(10)) - 2} surnames, {arabic.count(chr(10))} Arabic spellings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
