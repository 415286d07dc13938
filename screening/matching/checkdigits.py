"""Check digits of ICAO 9303 machine readable zones and of 17-character VINs."""

from __future__ import annotations

from operator import mul

import screening_native

_ICAO_WEIGHTS = (7, 3, 1)


# 0-9 = 0-9, A–Z = 10–35, '<' = 0; nothing else (not even Unicode digits) is allowed.
_ICAO_VALUES = {**{chr(48 + d): d for d in range(10)},
                **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}


# Each byte's value (255: not allowed) and weights long enough for any MRZ field: the
# check digit is a bytes translation and one sum, no Python loop per character.
_ICAO_BYTES = bytes(_ICAO_VALUES.get(chr(b), 255) for b in range(256))
_ICAO_WEIGHT_RUN = _ICAO_WEIGHTS * 40


# The compiled functions (native/src/mrz.rs); the _py_ functions below are their
# reference, which tests/unit/native compares them with.
icao_check_digit = screening_native.icao_check_digit
vin_check_digit = screening_native.vin_check_digit


def _py_icao_check_digit(field: str) -> str:
    """ICAO Doc 9303 part 3 §4.9: weights 7-3-1 repeated, '<' = 0, A–Z = 10–35, modulo 10."""
    values = field.encode("utf-8").translate(_ICAO_BYTES)
    if 255 in values:
        bad = next(ch for ch in field if ch not in _ICAO_VALUES)
        raise ValueError(f"character not allowed in an MRZ field: {bad!r}")
    if len(values) > len(_ICAO_WEIGHT_RUN):
        return str(sum(v * _ICAO_WEIGHTS[i % 3] for i, v in enumerate(values)) % 10)
    return str(sum(map(mul, values, _ICAO_WEIGHT_RUN)) % 10)


# ISO 3779 / 49 CFR 565: letters transliterate to digits (I, O, Q are never used),
# position weights, and position 9 holds the remainder modulo 11 ('X' for 10).
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _py_vin_check_digit(vin: str) -> str:
    """The check character a 17-character VIN should carry at position 9."""
    if len(vin) != 17:
        raise ValueError("a VIN check digit needs 17 characters")
    try:
        total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character not allowed in a VIN: {exc.args[0]!r}") from None
    rem = total % 11
    return "X" if rem == 10 else str(rem)
