"""Vehicle identification numbers (ISO 3779): canonical form and check digit.

Matching of VINs is exact. The alphabet has no I, O or Q precisely so that a VIN can
be read without guessing; a read that contains them is wrong. Such a read is looked up
as read (a list may hold the same misread) and as its one possible correction, I to 1,
O and Q to 0: no VIN holds those letters, so the correction is the only VIN the read can
be. Its hit is scored 0.05 lower per corrected character and says so in its penalties,
so the officer compares the VIN on the car before acting on it.
"""

from __future__ import annotations

import re

import screening_native

from screening.matching.checkdigits import _py_vin_check_digit
from screening.matching.normalize import normalize_document_number

_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_CHECK_CHARACTERS = frozenset("0123456789X")


def normalize_vin(s: str) -> str:
    """Upper-case letters and digits only: plates, documents and VINs fold alike."""
    return normalize_document_number(s)


_NOT_IN_A_VIN = frozenset("IOQ")
_CORRECTION = str.maketrans("IOQ", "100")
PENALTY_PER_CORRECTION = 0.05
PENALTY_REASON = "vin_misread_corrected"


def vin_letters_ok(vin: str) -> bool:
    """False when the read holds I, O or Q, which no VIN (whole or partial) contains."""
    return _NOT_IN_A_VIN.isdisjoint(normalize_vin(vin))


# Compiled (native/src/codes.rs); _py_vin_correction is its reference.
vin_correction = screening_native.vin_correction


def _py_vin_correction(normalised: str) -> tuple[str, int] | None:
    """(the VIN a read holding I, O or Q can only be, how many characters changed);
    None when the read holds none of them."""
    changed = sum(1 for ch in normalised if ch in _NOT_IN_A_VIN)
    return (normalised.translate(_CORRECTION), changed) if changed else None


def vin_check_ok(vin: str) -> bool | None:
    """Whether position 9 holds the check digit (see _py_vin_check_ok); compiled."""
    return screening_native.vin_check_ok(normalize_vin(vin))


def _py_vin_check_ok(vin: str) -> bool | None:
    """Whether position 9 holds the check digit; None when the rule does not apply.

    It does not apply to anything that is not a 17-character VIN, nor when position 9
    is a letter other than X: the check digit is required in North America and China
    only, and many European makers put a letter there, which cannot be a check digit.
    """
    v = normalize_vin(vin)
    if not _VIN.fullmatch(v) or v[8] not in _CHECK_CHARACTERS:
        return None
    return v[8] == _py_vin_check_digit(v)


__all__ = ["PENALTY_PER_CORRECTION", "PENALTY_REASON", "normalize_vin", "vin_check_ok",
           "vin_correction", "vin_letters_ok"]
