"""Canonical forms of document numbers, plates and names, so equal things get equal keys.

Everything here runs for every scan and every watchlist record, so the common case
(plain ASCII) takes a short path and names are cached.

Name folding follows ICAO Doc 9303 part 3 §6 (transliteration of Latin letters with
diacritics). 9303 allows Ä, Ö, Ü and Å to be written either with two letters (AE, OE,
UE, AA) or with the bare letter; the two-letter form is what Germany, Austria, Sweden,
Denmark and Norway put in their MRZs (MUELLER for Müller), so `normalize_name` uses it:
"Müller" and the MRZ "MUELLER" give the same key. The price is that a document that
printed "MULLER" normalises differently; `name_variants` gives both forms, and the
fuzzy name matcher is expected to bridge the rest. Other scripts go through anyascii
(Cyrillic "Юрий" -> "YURIY", where 9303 would write IURII): again a job for fuzzy
matching, not for a hand-made table here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# ICAO 9303 part 3 §6: letters the MRZ writes with two letters (both cases, so that the
# fold does not depend on case). ẞ is the capital sharp s.
_ICAO_FOLDS = str.maketrans(
    {
        "Ä": "AE", "ä": "ae", "Ö": "OE", "ö": "oe", "Ü": "UE", "ü": "ue",
        "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Ø": "OE", "ø": "oe",
        "Å": "AA", "å": "aa", "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th",
    }
)  # fmt: skip

# Plate readers in Russia, Ukraine, Bulgaria, Serbia (Cyrillic) and Greece emit the
# letters of their own script that look like Latin ones; plates only use those, so the
# mapping is by shape, not by sound (Cyrillic В is B here, not V; Н is H, not N).
_LOOKALIKES = str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
        "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J",
        "Ѕ": "S",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
        "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip

_APOSTROPHES = re.compile(r"['’‘`´ʼʻʹ′]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_DIGITS = re.compile(r"[0-9]+")


def _without_symbols(s: str, replacement: str) -> str:
    """Symbols (emoji, currency, arrows: Unicode categories S*) are no part of a name or
    a code; anyascii would spell them out (":grinning:", "EUR") as letters to match on."""
    return "".join(replacement if unicodedata.category(ch)[0] == "S" else ch for ch in s)


def _fold_code(s: str) -> str:
    """Upper-case ASCII A-Z0-9 of a code (document number, plate): marks and separators go.

    Script lookalikes are mapped by shape before anything transliterates them: the
    codes are Latin by definition, so a Cyrillic "А" in one is a keyboard or OCR
    accident, never a different letter.
    """
    s = s.upper()
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = anyascii(_without_symbols(s.translate(_LOOKALIKES), "")).upper()
    if s.isascii() and s.isalnum():  # most codes: nothing to take out (a search each)
        return s
    return _NOT_ALNUM.sub("", s)


# Two names for one country. ICAO 9303 writes Germany D; ISO 3166-1, which terminals and
# list feeds also use, DEU. Kosovo's documents say RKS; EU and CLDR data XKX.
COUNTRY_ALIASES = {"DEU": "D", "XKX": "RKS"}


def canonical_country(code: str | None) -> str:
    """A country code as indexes key it and comparisons see it: upper case, without MRZ
    filler, one name per country ("DEU" and "D<<" are "D"). "" for none."""
    if not code:
        return ""
    c = code.strip().upper().replace("<", "")
    return COUNTRY_ALIASES.get(c, c)


def normalize_document_number(s: str) -> str:
    """Document numbers are indexed exactly after this: no O/0 or I/1 folding.

    Folding in the index would merge genuinely different numbers of the SLTD list; a
    number no check digit vouches for is looked up under its O/0, I/1 variants as well
    (matching/documents.py), scored lower.
    """
    return _fold_code(s)


def normalize_plate(s: str) -> str:
    """Plates as the index stores them; reader confusions are plates.py's business."""
    return _fold_code(s)


@lru_cache(maxsize=65536)
def _name(s: str, icao: bool) -> str:
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
        if icao:
            s = s.translate(_ICAO_FOLDS)
        s = anyascii(_without_symbols(_APOSTROPHES.sub("", s), " "))
    if "'" in s or "`" in s or not s.isascii():  # (the only ASCII ones)
        s = _APOSTROPHES.sub("", s)
    s = s.upper()
    if s.isascii() and "  " not in s and s.replace(" ", "").isalnum():  # most names: words,
        return s.strip()  # one space apart, nothing for _NOT_ALNUM to replace (a search each)
    return _NOT_ALNUM.sub(" ", s).strip()


def normalize_name(s: str) -> str:
    """Latin ASCII capitals, apostrophes dropped (O'Brien -> OBRIEN), other punctuation
    and MRZ filler as single spaces; German/Nordic letters folded the ICAO way."""
    return _name(s, True)


def name_variants(s: str) -> tuple[str, ...]:
    """The ICAO two-letter fold and, when it differs, the bare-letter one ("MUELLER",
    "MULLER"): 9303 allows both, so a comparison that must not cry wolf tries both."""
    icao = _name(s, True)
    plain = _name(s, False)
    return (icao,) if plain == icao else (icao, plain)


def name_tokens(s: str) -> tuple[str, ...]:
    return tuple(normalize_name(s).split())


def mrz_name(s: str) -> str:
    """A name as an MRZ writes it: A-Z only, '<' between words (digits cannot appear)."""
    return "<".join(_DIGITS.sub(" ", normalize_name(s)).split())


__all__ = [
    "COUNTRY_ALIASES",
    "canonical_country",
    "mrz_name",
    "name_tokens",
    "name_variants",
    "normalize_document_number",
    "normalize_name",
    "normalize_plate",
]
