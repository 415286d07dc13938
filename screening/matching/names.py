"""Name tokens for person matching: Latin ASCII uppercase, order-free, punctuation-free."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# ICAO 9303 part 3 §6.A: letters with diaeresis and ligatures fold to two letters.
_ICAO_FOLDS = str.maketrans(
    {
        "Ä": "AE", "ä": "ae", "Ö": "OE", "ö": "oe", "Ü": "UE", "ü": "ue",
        "ß": "SS", "Æ": "AE", "æ": "ae", "Ø": "OE", "ø": "oe", "Å": "AA", "å": "aa",
        "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th",
    }
)  # fmt: skip
_APOSTROPHES = re.compile(r"['’‘`´ʼʻ]")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


def ascii_upper(text: str) -> str:
    """Latin ASCII capitals, apostrophes dropped, any other punctuation a space."""
    text = unicodedata.normalize("NFC", text).translate(_ICAO_FOLDS)
    text = _APOSTROPHES.sub("", text)
    text = anyascii(text).upper()
    text = _APOSTROPHES.sub("", text)
    return _NON_ALNUM.sub(" ", text).strip()


def tokens(text: str | None) -> list[str]:
    """The name's tokens, in order; MRZ filler '<' counts as a separator."""
    if not text:
        return []
    return ascii_upper(text.replace("<", " ")).split()
