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

from screening.matching.normalize import normalize_plate

MAX_SUBSTITUTIONS = 2
_CONFUSABLE = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "Z": "2", "S": "5",
                             "B": "8", "G": "6"})


def skeleton(normalised_plate: str) -> str:
    return normalised_plate.translate(_CONFUSABLE)


def _deletions(text: str) -> list[str]:
    return list(dict.fromkeys(text[:i] + text[i + 1:] for i in range(len(text))))


# The skeleton's alphabet: what a read missing one character may have missed.
_SKELETON_ALPHABET = sorted(set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".translate(_CONFUSABLE)))


def _insertions(text: str) -> list[str]:
    return list(dict.fromkeys(text[:i] + ch + text[i:] for i in range(len(text) + 1)
                              for ch in _SKELETON_ALPHABET))


def plate_index_keys(plate: str, country: str | None) -> list[str]:
    """The key a listed plate is stored under: its skeleton, whatever the country (the
    country is checked against the record; one key a plate keeps the index small)."""
    sk = skeleton(normalize_plate(plate))
    return [sk] if sk else []


def plate_query_keys(plate: str, country: str | None, low_confidence: bool) -> list[str]:
    """Keys to look up for a scanned plate: its skeleton; for a read its reader doubts,
    also the skeletons it would have with one character fewer (the read added one) or
    one more (the read missed one: every insertion, about 28 per position)."""
    sk = skeleton(normalize_plate(plate))
    if not sk:
        return []
    keys = [sk]
    if low_confidence:
        keys += [d for d in _deletions(sk) if len(d) >= 3]
        keys += _insertions(sk)
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
