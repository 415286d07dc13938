"""Dead letters keep at most the head of an input, for watchlist updates as for scans:
a dead letter larger than the dead-letter topic accepts would be lost."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidTag

from screening.agents.updates import UpdateApplier
from screening.core.engine import RawScan, Screener
from screening.deadletters import (
    DEADLETTER_PAYLOAD_BYTES,
    Sealer,
    dead_letter,
    new_key_text,
    open_payload,
    read_key,
    sealer_for,
)
from screening.metrics import Metrics
from screening.settings import Settings
from tests.support.deadletters import opened
from tests.support.feed import signed
from tests.support.updates import Producer, message

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
LIMIT = DEADLETTER_PAYLOAD_BYTES


def test_the_limit_is_64_kib() -> None:
    assert LIMIT == 65_536


@pytest.mark.parametrize(("size", "kept", "truncated"), [
    (0, 0, False), (1, 1, False), (LIMIT - 1, LIMIT - 1, False), (LIMIT, LIMIT, False),
    (LIMIT + 1, LIMIT, True), (3 * LIMIT, LIMIT, True), (1 << 20, LIMIT, True),
])
def test_a_dead_letter_keeps_the_head_of_a_large_payload(size: int, kept: int,
                                                         truncated: bool) -> None:
    payload = bytes(i % 251 for i in range(size))
    dl = dead_letter(payload, "X", "bad", NOW, topic="t", partition=2, offset=9,
                     sealer=sealer_for(Settings()))
    assert opened(dl) == payload[:kept]
    assert (dl.payload_bytes, dl.payload_truncated) == (size, truncated)
    assert (dl.topic, dl.partition, dl.offset, dl.reason.code) == ("t", 2, 9, "X")
    cut = f"bad (payload cut to its first {LIMIT} of {size} bytes)"
    assert dl.reason.message == (cut if truncated else "bad")


def test_a_missing_payload_is_an_empty_one() -> None:
    dl = dead_letter(None, "EMPTY", "no value", NOW, topic="t", partition=None, offset=None,
                     sealer=sealer_for(Settings()))
    assert (dl.payload_b64, dl.payload_bytes, dl.payload_truncated) == ("", 0, False)


def _update(note_bytes: int) -> bytes:
    """An upsert with an unknown status (so invalid), padded by an ignored field."""
    return signed({"update_id": "u1", "op": "upsert", "issued_at": "2026-11-28T10:00:00Z",
                   "pad": "x" * note_bytes,
                   "record": {"list": "sltd", "id": "S1", "document_number": "X1",
                              "issuing_state": "D", "status": "misplaced"}})


async def test_invalid_updates_are_dead_lettered_with_at_most_64_kib_of_payload() -> None:
    settings = Settings()
    applier = UpdateApplier(settings, Metrics.create())
    producer = Producer()
    small, large = _update(10), _update(3 * LIMIT)
    messages = [message(small, 5, 1), message(large, 6, 1), message(None, 7, 1)]
    # All three are invalid, so the store (None here) is never reached.
    await applier._handle(None, producer, messages)  # type: ignore[arg-type]
    assert [t for t, _ in producer.sent if not t.endswith("audit")] == [
        settings.topic(settings.topic_deadletter)] * 3
    # ... each one audited as refused, once per message
    audits = producer.audits()
    assert [(a.action, a.reason) for a in audits] == [("update_refused", "INVALID_UPDATE")] * 3
    assert len({a.audit_id for a in audits}) == 3
    letters = producer.letters()
    assert [(d.offset, d.payload_bytes, d.payload_truncated) for d in letters] == [
        (5, len(small), False), (6, len(large), True), (7, 0, False)]
    assert opened(letters[0]) == small
    assert opened(letters[1]) == large[:LIMIT]
    assert {d.reason.code for d in letters} == {"INVALID_UPDATE"}
    assert "payload cut" not in letters[0].reason.message
    assert letters[1].reason.message.endswith(f"(payload cut to its first {LIMIT} "
                                              f"of {len(large)} bytes)")


async def test_scan_dead_letters_keep_the_same_rule_and_their_source() -> None:
    """The engine's dead letters, now built by the shared helper, still say where the
    input came from."""
    raw = b'{"event_id": "e1", "pad": "' + b"x" * (2 * LIMIT) + b'"}'
    screener = Screener(None, Settings(), clock=lambda: NOW)  # type: ignore[arg-type]
    [item] = await screener.screen([RawScan(kind="traveller", value=raw, topic="scans.t",
                                            partition=3, offset=11)])
    dl = item.deadletter
    assert dl is not None and dl.reason.code == "TOO_LARGE"
    assert (dl.topic, dl.partition, dl.offset) == ("scans.t", 3, 11)
    assert (dl.payload_bytes, dl.payload_truncated) == (len(raw), True)
    assert opened(dl) == raw[:LIMIT]


def test_a_payload_is_kept_only_sealed() -> None:
    scan = b'{"holder":{"surname":"ERIKSSON"},"document":{"number":"L898902C3"}}'
    dl = dead_letter(scan, "X", "bad", NOW, topic="t", partition=0, offset=1,
                     sealer=sealer_for(Settings()))
    text = dl.model_dump_json()
    assert "ERIKSSON" not in text and "L898902C3" not in text
    assert base64.b64encode(b"ERIKSSON").decode()[:8] not in text
    assert dl.payload_sha256 == hashlib.sha256(scan).hexdigest()
    assert dl.payload_sealed is not None and opened(dl) == scan
    with pytest.raises(InvalidTag):  # another key opens nothing
        open_payload(dl, read_key(new_key_text()))


def test_without_a_key_the_payload_is_withheld_not_kept_in_clear() -> None:
    dl = dead_letter(b'{"holder":{"surname":"ERIKSSON"}}', "X", "bad", NOW, topic="t",
                     partition=0, offset=1, sealer=Sealer(None))
    assert dl.payload_b64 == "" and dl.payload_withheld and dl.payload_bytes == 33
    assert "ERIKSSON" not in dl.model_dump_json()
