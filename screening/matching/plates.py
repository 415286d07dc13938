"""Plate matching that forgives what plate readers get wrong, and nothing more.

Readers confuse characters of similar shape (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G) and,
when unsure, drop or add a character. Plates are indexed under a *skeleton* that
maps each confusable class to one character, so a misread lands on the same key;
the candidate is then verified: at most two substitutions, and one character
missing or extra only when the reader itself reported a low confidence.
Plate matches are per country: a record without a country matches any.
"""

from __future__ import annotations

from dataclasses import dataclass

import screening_native

from screening.matching.normalize import normalize_plate

MAX_SUBSTITUTIONS = 2
_CONFUSABLE = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "Z": "2", "S": "5",
                             "B": "8", "G": "6"})


# Compiled (native/src/codes.rs); the _py_ functions are the reference.
skeleton = screening_native.skeleton


def _py_skeleton(normalised_plate: str) -> str:
    return normalised_plate.translate(_CONFUSABLE)


def _deletions(text: str) -> list[str]:
    return list(dict.fromkeys(text[:i] + text[i + 1:] for i in range(len(text))))


_DELETED = "-"  # namespace of the keys a listed plate holds for reads missing a character


def plate_index_keys(plate: str, country: str | None) -> list[str]:
    """Keys a listed plate is stored under (see _py_plate_index_keys); compiled."""
    return screening_native.plate_index_keys(normalize_plate(plate))


def plate_query_keys(plate: str, country: str | None, low_confidence: bool) -> list[str]:
    """Keys to look up for a scanned plate (see _py_plate_query_keys); compiled."""
    return screening_native.plate_query_keys(normalize_plate(plate), low_confidence)


def _py_plate_index_keys(plate: str, country: str | None) -> list[str]:
    """Keys a listed plate is stored under: its skeleton, whatever the country (the
    country is checked against the record), and each skeleton it would have with one
    character fewer, for reads that missed one (in a namespace of their own)."""
    sk = _py_skeleton(normalize_plate(plate))
    if not sk:
        return []
    return list(dict.fromkeys([sk, *(f"{_DELETED}{d}" for d in _deletions(sk) if len(d) >= 3)]))


def _py_plate_query_keys(plate: str, country: str | None, low_confidence: bool) -> list[str]:
    """Keys to look up for a scanned plate: its skeleton; for a read its reader doubts,
    also the listed plates it may have missed a character of, and its own skeletons with
    one character fewer (the read added one). A few keys a read: looking up every
    insertion instead (about 28 a position) cost the worker more than half its rate."""
    sk = _py_skeleton(normalize_plate(plate))
    if not sk:
        return []
    keys = [sk]
    if low_confidence:
        keys.append(f"{_DELETED}{sk}")
        keys += [d for d in _deletions(sk) if len(d) >= 3]
    return list(dict.fromkeys(keys))


@dataclass(frozen=True, slots=True)
class PlateMatch:
    substitutions: int
    length_changed: bool

    @property
    def score(self) -> float:
        return round(1.0 - 0.05 * self.substitutions - (0.1 if self.length_changed else 0.0), 4)


def _substitutions(a: str, b: str) -> int | None:
    """Confusable substitutions between equal-length plates; None if any differ otherwise."""
    count = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            if skeleton(x) != skeleton(y):
                return None
            count += 1
    return count


def match_plate(scanned: str, recorded: str, *, low_confidence: bool) -> PlateMatch | None:
    """Verify a candidate found by key: the rule, not the key, decides."""
    a, b = normalize_plate(scanned), normalize_plate(recorded)
    if not a or not b:
        return None
    if len(a) == len(b):
        subs = _substitutions(a, b)
        if subs is not None and subs <= MAX_SUBSTITUTIONS:
            return PlateMatch(subs, False)
        return None
    if not low_confidence or abs(len(a) - len(b)) != 1:
        return None
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    best: int | None = None
    for i in range(len(longer)):
        subs = _substitutions(longer[:i] + longer[i + 1:], shorter)
        if subs is not None and (best is None or subs < best):
            best = subs
    if best is not None and best <= MAX_SUBSTITUTIONS:
        return PlateMatch(best, True)
    return None
