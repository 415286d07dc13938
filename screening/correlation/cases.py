"""Cases (issue 23 item 3, first step): the alerts about one record, or one correlated
document, person or plate, share a `case_id`.

Stateless: the id is made from what the case is about (the record's list and id, or the
correlation key's digest), so every worker, a replay and a retroactive alert give the
same id without a table to share. What a case is, is thereby fixed by the alert alone:
a person hit by a notice and correlated by their documents makes two cases (one of the
record, one of the person's key), which a table joining them would merge.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from screening.models import Alert

_NS = uuid.UUID("b6a1f0b4-2f0e-4d57-8c1e-0d9f3a7e5c22")


def record_case(lst: str, record_id: str) -> str:
    return "case-" + uuid.uuid5(_NS, f"record|{lst}|{record_id}").hex[:16]


def key_case(digest: str) -> str:
    """A correlation key's case (the digest, itself keyed: no personal data in the id)."""
    return "case-" + uuid.uuid5(_NS, f"key|{digest}").hex[:16]


def with_cases(alerts: Iterable[Alert]) -> list[Alert]:
    """Watchlist alerts without a case get their record's (others have theirs)."""
    out = []
    for a in alerts:
        if a.case_id is None and a.kind == "watchlist":
            a = a.model_copy(update={"case_id": record_case(a.hit.list, a.hit.record_id)})
        out.append(a)
    return out
