"""The update applier's dead letters carry the model's reason: an upsert with a bad field
names that field (it used to say the upsert did not carry the whole record)."""

from __future__ import annotations

from typing import Any

from screening.agents.updates import UpdateApplier
from screening.metrics import Metrics
from screening.settings import Settings
from tests.support.feed import signed
from tests.support.updates import Producer, message


def upsert(**record: Any) -> bytes:
    return signed({"update_id": "u1", "op": "upsert", "issued_at": "2026-11-28T10:00:00Z",
                   "record": {"list": "sltd", "id": "S1", "document_number": "X1",
                              "issuing_state": "D", "status": "lost", **record}})


async def test_a_dead_lettered_upsert_names_its_bad_field() -> None:
    producer = Producer()
    applier = UpdateApplier(Settings(), Metrics.create())
    # All invalid, so the store (None here) is never reached.
    await applier._handle(None, producer, [  # type: ignore[arg-type]
        message(upsert(status="misplaced"), 1), message(upsert(reported_at="0001-01-01"), 2),
        message(upsert(id="S\u200b1"), 3)])
    reasons = [d.reason for d in producer.letters()]
    assert {r.code for r in reasons} == {"INVALID_UPDATE"}
    assert [r.message for r in reasons] == [
        "record.status: Input should be 'stolen', 'lost', 'revoked', 'invalidated' or "
        "'stolen_blank'",
        "record.reported_at: Value error, year out of range (1900-2200)",
        "record.id: Value error, invisible or bidirectional characters are not allowed in an id",
    ]
