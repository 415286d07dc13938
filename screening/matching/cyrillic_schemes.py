"""Russian (and other Cyrillic) names as German and French documents write them, read
back to the ICAO 9303 spelling a notice or a passport uses: KUSNEZOW is KUZNETSOV,
SACHAR ZAKHAR, CHEVTCHENKO SHEVCHENKO, JOUMABAIEV ZHUMABAEV.

The schemes disagree on the same letters (German CH is Х, French CH is Ш, ICAO CH is Ч),
so no fold without knowing the scheme helps. A name shows its scheme by marks that ICAO
never writes for a Cyrillic name: German W, SCH, TSCH, -OW and -EW; French OU, TCH, GUE
and GUI, IE after a vowel or first. Such a name, of a national of a state
that writes Cyrillic, is read back letter by letter (Duden's table for German, the one of
French civil status and passports for French) and written again by ICAO's. The
schemes' published tables are the source; no library does it (PyICU's transforms go
from Cyrillic, not back, and PyICU is not installed).
"""

from __future__ import annotations

import re

# Former Soviet states and Mongolia: their nationals' names are Russian in form, and
# Latin documents of other states write them by those states' schemes.
CYRILLIC_NATIONS = frozenset({"RUS", "UKR", "BLR", "KAZ", "UZB", "KGZ", "TJK", "TKM", "MDA",
                              "AZE", "ARM", "GEO", "MNG"})  # fmt: skip

_V = "AEIOUY"
# J is in both (German Й and the soft vowels, French Ж): a mark of neither.
_GERMAN_MARKS = re.compile(r"SCH|W|[OE]W$")
_FRENCH_MARKS = re.compile(rf"OU|(?<!S)TCH|GU[EI]|(?:^|(?<=[{_V}]))IE")

# Each scheme's letters read back to Cyrillic and written by ICAO 9303, as one step
# (placeholders keep a rule from reading what an earlier one wrote).
_GERMAN = [(re.compile(p), r) for p, r in (
    (r"SCHTSCH", "\x01"), (r"TSCH", "\x02"), (r"SCH", "\x03"), (r"CH", "KH"), (r"W", "V"),
    (r"TZ|Z", "TS"), (rf"(?<=[{_V}])SS(?=[{_V}])", "S"), (rf"(?<=[{_V}])S(?=[{_V}])", "Z"),
    (r"^S(?=[AO])", "Z"), (r"J[EO]", "E"), (r"JA", "IA"), (r"JU", "IU"), (r"J", "I"),
    ("\x01", "SHCH"), ("\x02", "CH"), ("\x03", "SH"),
)]  # fmt: skip
_FRENCH = [(re.compile(p), r) for p, r in (
    (r"CHTCH", "\x01"), (r"TCH", "\x02"), (r"CH", "SH"), (r"IOU", "IU"), (r"OU", "U"),
    (r"GU(?=[EI])", "G"), (rf"(?<=[{_V}])IE|^IE", "E"), (r"J", "ZH"),
    (rf"(?<=[{_V}])SS(?=[{_V}])", "S"), ("\x01", "SHCH"), ("\x02", "CH"),
)]  # fmt: skip
SCHEME_RULES = {"de": _GERMAN, "fr": _FRENCH}


def scheme_of(*parts: str | None) -> str:
    """The scheme ("de", "fr") a Latin name's marks show, "" for none or both alike."""
    text = " ".join(p for p in parts if p).upper()
    tokens = re.findall(r"[A-Z]+", text)
    german = sum(1 for t in tokens if _GERMAN_MARKS.search(t))
    french = sum(1 for t in tokens if _FRENCH_MARKS.search(t))
    if german > french:
        return "de"
    if french > german:
        return "fr"
    return ""


def icao_respelling(tokens: list[str] | tuple[str, ...], scheme: str) -> list[str]:
    """The tokens as ICAO 9303 writes the Cyrillic they stand for under ``scheme``."""
    out = []
    for token in tokens:
        for rx, repl in SCHEME_RULES[scheme]:
            token = rx.sub(repl, token)
        out.append(token)
    return out


__all__ = ["CYRILLIC_NATIONS", "SCHEME_RULES", "icao_respelling", "scheme_of"]
