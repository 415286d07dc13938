"""Document numbers a person typed or a reader could not verify: O/0 and I/1 forgiven.

An officer copying a number from the data page, or a reader whose MRZ check digit
failed, confuses the letter O with the digit zero and the letter I with the digit one
far more than anything else. The SLTD index keeps numbers exactly as reported
(normalize_document_number), so the forgiveness happens at look-up: a number that no
MRZ check digit vouches for is also looked up as each variant that swaps O and 0, or
I and 1, at one or two of its positions. A variant's hit is scored 0.05 lower per swap
and says so in its penalties; the analyst sees it was not the number as scanned.

A check-digit-verified MRZ number is looked up exactly and alone: the reader read what
the document says. The variants are capped, so a number of many zeros and ones costs
a bounded number of look-ups (single swaps first, left to right, then pairs).
"""

from __future__ import annotations

from itertools import combinations

import screening_native

from screening.matching.normalize import canonical_country, normalize_document_number

MAX_SWAPS = 2
MAX_VARIANTS = 24
PENALTY_PER_SWAP = 0.05
PENALTY_REASON = "document_number_confusable"
SWAPS = {"O": "0", "0": "O", "I": "1", "1": "I"}  # each character and what it is mistaken for


# Compiled (native/src/codes.rs); _py_confusable_variants is its reference.
confusable_variants = screening_native.confusable_variants


def _py_confusable_variants(normalised: str) -> list[tuple[str, int]]:
    """(variant, swaps) of a normalised document number, the number itself excluded."""
    positions = [i for i, ch in enumerate(normalised) if ch in SWAPS]
    out: list[tuple[str, int]] = []
    for swaps in range(1, MAX_SWAPS + 1):
        for chosen in combinations(positions, swaps):
            chars = list(normalised)
            for i in chosen:
                chars[i] = SWAPS[chars[i]]
            out.append(("".join(chars), swaps))
            if len(out) == MAX_VARIANTS:
                return out
    return out


def variant_score(swaps: int) -> float:
    return round(1.0 - PENALTY_PER_SWAP * swaps, 4)


__all__ = ["MAX_SWAPS", "MAX_VARIANTS", "PENALTY_REASON", "SWAPS", "confusable_variants",
           "variant_score"]


def document_field(number: str, issuing_state: str) -> str:
    """A document as every list indexes it and every scan looks it up: "NUMBER|STATE".

    Compiled for ASCII; what is not ASCII is transliterated by matching/normalize.py."""
    return (screening_native.document_field_ascii(number, issuing_state)
            or _py_document_field(number, issuing_state))


def _py_document_field(number: str, issuing_state: str) -> str:
    return f"{normalize_document_number(number)}|{canonical_country(issuing_state)}"
