"""The SLTD's part of the mock generator: mostly lost passports, realistic numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import accumulate
from random import Random

from screening.mockdata.codes import LISTED, CodeSource
from screening.mockdata.common import AS_OF, CHUNK, MockList, Record, days_back, short_id, timestamp
from screening.mockdata.documents import STATE_CODES, STATE_WEIGHTS, DocumentChooser

# lost >> stolen > revoked > invalidated > stolen_blank (the SLTD is mostly lost passports)
SLTD_STATUSES = (
    ("lost", 61.0),
    ("stolen", 26.0),
    ("revoked", 7.0),
    ("invalidated", 4.5),
    ("stolen_blank", 1.5),
)


def iter_sltd(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"sltd:{seed}")
    source, chooser = CodeSource(rng), DocumentChooser()
    days = days_back(as_of, 3650)
    n_days = len(days)
    state_cum = list(accumulate(STATE_WEIGHTS))
    statuses = [s for s, _ in SLTD_STATUSES]
    status_cum = list(accumulate(w for _, w in SLTD_STATUSES))
    rand = rng.random
    for base in range(0, count, CHUNK):
        m = min(CHUNK, count - base)
        states = rng.choices(STATE_CODES, cum_weights=state_cum, k=m)
        stats = rng.choices(statuses, cum_weights=status_cum, k=m)
        for j in range(m):
            state = states[j]
            kind = chooser.pick(state, rng)
            day = days[int(rand() * n_days)]
            yield {
                "list": "sltd",
                "id": short_id("SLTD-", base + j),
                "document_number": source.take(kind.shape, LISTED),
                "issuing_state": state,
                "document_type": kind.code,
                "status": stats[j],
                "reported_at": timestamp(day, rng) if rand() < 0.1 else day,
            }




MOCK = MockList("sltd.ndjson", iter_sltd, 100_000)
