"""Travellers no matcher can tell from a notice: the set's own floor for false hits.

A negative scan (an ordinary traveller, a namesake) is a **twin** of a notice when every
fact the notice holds agrees with the scan: the same name once letters are folded
(marks dropped, case and punctuation ignored: MÜLLER is MULLER, AL-RASHID is AL RASHID;
a notice's Ä, Ö, Ü may also be written AE, OE, UE as ICAO Doc 9303 allows: MUELLER),
the traveller's nationality among the notice's (or the notice has none), the same sex
(or either unknown), and the date of birth as far as the notice knows it (any date for
an undated notice, the year for a year-only one). A twin is data-level identical to the
wanted person: any matcher that finds the person raises the twin too, so a false-hit
rate on a set cannot go below its share of twins, and the rate that says what the
matcher adds is the one among travellers who are not twins.

Folding is deliberately independent of the matcher's own rules (plain Unicode
decomposition), so that the floor does not move when the matcher does.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def fold(text: str | None) -> tuple[str, ...]:
    """A name's tokens with marks, case and punctuation folded away (sorted)."""
    if not text:
        return ()
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    letters = "".join(c if c.isalpha() else " " for c in plain.upper())
    return tuple(sorted(letters.split()))


# ICAO Doc 9303 Part 3 writes these either way (MÜLLER as MULLER or MUELLER).
_ICAO_TWO_LETTERS = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ä": "ae", "ö": "oe",
                                   "ü": "ue"})


def _forms(text: str | None) -> set[tuple[str, ...]]:
    return {fold(text), fold(text.translate(_ICAO_TWO_LETTERS) if text else text)}


def _latin(text: str) -> bool:
    """Letters of the Latin script only (Vietnamese's Ệ and Ầ included)."""
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def _dob_agrees(notice_dob: str | None, scan_dob: str | None) -> bool:
    if not notice_dob:
        return True
    return bool(scan_dob) and str(scan_dob).startswith(str(notice_dob))


def precision(dob: str | None) -> str:
    return "none" if not dob else "full" if len(str(dob)) >= 10 else "partial"


def twins(notices: Iterable[dict[str, Any]], scans: list[dict[str, Any]]
          ) -> list[frozenset[str]]:
    """Per scan: the date precisions (``none``, ``partial``, ``full``) of the notices it
    is a twin of; empty when it is a twin of none. A twin of an undated notice bounds
    possible matches, of a dated one referrals."""
    by_name: dict[tuple[tuple[str, ...], tuple[str, ...]], list[dict[str, Any]]] = (
        defaultdict(list))
    for notice in notices:
        for name in notice.get("names", ()):
            if not _latin(f"{name.get('surname') or ''}{name.get('given_names') or ''}"):
                continue
            for surname in _forms(name.get("surname")):
                for given in _forms(name.get("given_names")):
                    if notice not in by_name[(surname, given)]:
                        by_name[(surname, given)].append(notice)
    out: list[frozenset[str]] = []
    for scan in scans:
        found: set[str] = set()
        for notice in by_name.get((fold(scan.get("surname")), fold(scan.get("given_names"))), ()):
            nats = notice.get("nationalities") or []
            if nats and scan.get("nationality") not in nats:
                continue
            if notice.get("sex") and scan.get("sex") and notice["sex"] != scan["sex"]:
                continue
            if not _dob_agrees(notice.get("date_of_birth"), scan.get("date_of_birth")):
                continue
            found.add(precision(notice.get("date_of_birth")))
        out.append(frozenset(found))
    return out
