"""A thousand hostile scans among valid ones, through the real worker: each invalid one
dead-lettered with its reason code (and answered `rejected` when its id can be read),
each valid one screened right, the worker alive and its memory bounded."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from screening.core.engine import DEADLETTER_PAYLOAD_BYTES, RawScan, Screener
from screening.mockdata.lists import iter_notices, iter_sltd, iter_smv
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening.watchlists import loader
from screening.watchlists.store import WatchlistStore
from tests.support.deadletters import opened
from tests.support.feed import signed
from tests.support.hostile import hostile_corpus
from tests.support.pipeline import load_lists, publish
from tests.support.resilience import Publisher, Reader, expected_ids
from tests.support.services import create_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Scans over Kafka's default 1 MB limit reach the worker only through a scan topic (and
# producers) configured for them; the worker refuses them by settings.max_scan_bytes and
# dead-letters their head to a dead-letter topic left at the default limit.
BIG_MESSAGES = 8 << 20
# Resident memory the worker must stay under while chewing the corpus: generous (a
# worker at rest holds ~120 MB), but far below what keeping the big scans would cost.
RSS_LIMIT_MB = 400


async def create_traveller_topic_for_big_messages(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        await admin.create_topics([
            NewTopic(settings.topic(settings.topic_traveller), settings.topic_partitions, 1,
                     topic_configs={"max.message.bytes": str(BIG_MESSAGES)})])
    finally:
        await admin.close()


async def test_hostile_corpus_is_dead_lettered_and_valid_scans_screened(
        settings: Settings, worker_factory: Any, tmp_path: Path, redis_client: Any) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=2000, notices=500, smv=800)
    factory = ScanFactory(seed=21, sample=sample_from_files(paths, per_list=200, seed=21))
    hostile = list(hostile_corpus(21, 1000, huge=3, factory=factory))
    valid = []
    for kind, scan, expect in factory.mixed(500, hit_share=0.2):
        valid.append((kind, orjson.dumps(scan), expect))
    mixed: list[tuple[str, bytes, Any]] = [(h.kind, h.payload, h) for h in hostile] + valid
    Random(21).shuffle(mixed)

    await create_traveller_topic_for_big_messages(settings)
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    rss_at_rest = worker.rss_mb()
    invalid = [h for h in hostile if h.rejected]
    started = time.monotonic()
    async with Reader(settings, settings.topic_results, settings.topic_alerts,
                      settings.topic_deadletter) as reader:
        publisher = await Publisher(settings, mixed, rate=500).start()
        sent = await publisher.finish()
        await reader.results_for(expected_ids(sent), within=120)
        while (len(reader.messages[settings.topic_deadletter]) < len(invalid)
               and time.monotonic() - started < 150):
            await reader.poll()
    # The high-water mark, not samples: a spike between two samples would go unseen.
    peak_rss = worker.peak_rss_mb()
    assert worker.proc is not None and worker.proc.poll() is None, worker.log_tail()

    # Every readable scan answered once; hostile ones rejected with their code.
    by_event = reader.results_by_event()
    assert set(by_event) == expected_ids(sent), worker.log_tail()
    assert max(len(rs) for rs in by_event.values()) == 1
    wrong = []
    for h in hostile:
        if h.event_id is None:
            continue
        r = by_event[h.event_id][0]
        want = "rejected" if h.rejected else "clear"
        if r["outcome"] != want or (h.rejected and h.code not in r["warnings"]):
            wrong.append((h.case, h.code, r["outcome"], r["warnings"]))
    assert not wrong, wrong[:10]

    # Every invalid one dead-lettered with its code and its bytes (the head of those over
    # the dead-letter topic's limit), and nothing else.
    dead = [orjson.loads(m.value) for _, m in reader.messages[settings.topic_deadletter]]
    got = Counter((opened(d), d["reason"]["code"]) for d in dead)
    assert got == Counter((h.payload[:DEADLETTER_PAYLOAD_BYTES], h.code) for h in invalid)
    assert all(d["reason"]["message"] for d in dead)
    assert sum("payload cut" in d["reason"]["message"] for d in dead) == \
        sum(len(h.payload) > DEADLETTER_PAYLOAD_BYTES for h in invalid) >= 3
    assert Counter((d["payload_bytes"], d["payload_truncated"]) for d in dead) == \
        Counter((len(h.payload), len(h.payload) > DEADLETTER_PAYLOAD_BYTES) for h in invalid)

    # Valid scans around them: designed hits found, others clear.
    outcomes = [(e.outcome, by_event[str(e.event_id)][0]["outcome"]) for _, _, e in valid]
    misses = [(want, got) for want, got in outcomes if want != got]
    assert not [m for m in misses if m[0] == "hit"], misses
    assert len(misses) <= 2, misses

    assert 0 < peak_rss < RSS_LIMIT_MB, f"worker RSS peaked at {peak_rss:.0f} MB"
    cases = Counter(h.case for h in hostile)
    print(f"hostile: {len(hostile)} hostile ({len(invalid)} invalid, {len(cases)} cases) + "
          f"{len(valid)} valid; {len(dead)} dead letters, "
          f"{sum(1 for rs in by_event.values() if rs[0]['outcome'] == 'rejected')} rejected; "
          f"RSS {rss_at_rest:.0f} at rest, peak {peak_rss:.0f} MB")


# ------------------------------------------------------------ bad watchlist input

def _sltd(rid: str, number: str, state: str = "GBR", **extra: Any) -> dict[str, Any]:
    return {"list": "sltd", "id": rid, "document_number": number, "issuing_state": state,
            "document_type": "P", "status": "stolen", **extra}


# Lines no loader may take, and the words its report must use for them.
BAD_SLTD_LINES: list[tuple[bytes, str]] = [
    (b'{"list":"sltd","id":"B1","document_number":"BAD0001"', "not JSON"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b'{"list":"sltd ; DROP","id":"B3"}', "unknown list"),
    (orjson.dumps(_sltd("B4", "BAD0004", status="misplaced")), "status"),
    (orjson.dumps(_sltd("B5", "BAD0005", state="12")), "issuing_state"),
    (orjson.dumps({k: v for k, v in _sltd("B6", "BAD0006").items()
                   if k != "document_number"}), "document_number"),
    (orjson.dumps(_sltd("B7", "BAD\r\n0007")), "control"),
    (orjson.dumps(_sltd("B8", "BADMARK8")).replace(b"MARK", b"\xff\xfe"), "not JSON"),
    (orjson.dumps(_sltd("B9", "BAD0009", notes="x" * ((1 << 20) + 10))), "1 MiB"),
    (orjson.dumps(_sltd("B10" + "x" * 100, "BAD0010")), "id"),
    (b'{"list":"sltd","id":"B11",\x00"document_number":"BAD0011"}', "not JSON"),
]


def _write_with_bad_lines(path: Path, good: list[dict[str, Any]],
                          bad: list[tuple[bytes, str]], every: int) -> dict[int, str]:
    """Good records with a bad line after every `every`; returns {line: expected words}."""
    lines: list[bytes] = []
    expected: dict[int, str] = {}
    bad_iter = iter(bad)
    for i, record in enumerate(good, 1):
        lines.append(orjson.dumps(record))
        if i % every == 0:
            item = next(bad_iter, None)
            if item is not None:
                lines.append(item[0])
                expected[len(lines)] = item[1]
    for raw, words in bad_iter:
        lines.append(raw)
        expected[len(lines)] = words
    path.write_bytes(b"\n".join(lines) + b"\n")
    return expected


def _traveller(event_id: str, number: str, state: str) -> bytes:
    return orjson.dumps({"event_id": event_id, "checkpoint_id": "CP-1", "terminal_id": "T-1",
                         "scanned_at": "2026-11-28T10:00:00+01:00",
                         "document": {"number": number, "issuing_state": state}})


@pytest.mark.parametrize("workers", [0, 2])
async def test_a_watchlist_file_with_broken_lines_loads_the_good_ones_and_names_the_bad(
        settings: Settings, tmp_path: Path, redis_client: Any, workers: int) -> None:
    good = list(iter_sltd(300, seed=9))
    sltd_path = tmp_path / "sltd.ndjson"
    bad_sltd = _write_with_bad_lines(sltd_path, good, BAD_SLTD_LINES, every=25)
    notices = list(iter_notices(30, seed=9))
    notice_path = tmp_path / "notices.ndjson"
    bad_notices = _write_with_bad_lines(notice_path, notices, [
        (orjson.dumps({**notices[0], "id": "NB1", "names": "not a list"}), "names"),
        (orjson.dumps({**notices[0], "id": "NB2", "colour": "mauve"}), "colour"),
        (orjson.dumps({**notices[0], "id": "NB3", "names": [{"surname": "", "script": "Latn"}]}),
         "name"),
    ], every=10)
    vehicles = list(iter_smv(30, seed=9))
    smv_path = tmp_path / "smv.ndjson"
    bad_smv = _write_with_bad_lines(smv_path, vehicles, [
        (orjson.dumps({"list": "smv", "id": "VB1", "make": "VW"}), "vin or plate"),
        (orjson.dumps({"list": "smv", "id": "VB2", "plate": "B-AB 1", "plate_country": 7}),
         "plate_country"),
    ], every=10)

    store = WatchlistStore(redis_client, settings.redis_prefix)
    report = await loader.load_files(store, [sltd_path, notice_path, smv_path], grace_s=0,
                                     workers=workers)
    assert report.counts == {"sltd": 300, "notice": 30, "smv": 30, "event": 0}, report.errors[:5]
    want = {f"{path}:{line}": words
            for path, bad in ((sltd_path, bad_sltd), (notice_path, bad_notices),
                              (smv_path, bad_smv))
            for line, words in bad.items()}
    assert report.error_count == len(want), report.errors
    reported = {e.split(": ", 1)[0]: e for e in report.errors}
    assert set(reported) == set(want), sorted(reported)
    for where, words in want.items():
        assert words in reported[where], (where, reported[where][:200])

    # The good records answer, the bad ones left nothing behind (not even a partial key).
    screener = Screener(store, settings)
    scans = [RawScan("traveller", _traveller(f"g{i}", r["document_number"], r["issuing_state"]))
             for i, r in enumerate(good)]
    scans += [RawScan("traveller", _traveller(f"b{n}", f"BAD{n:04d}", "GBR"))
              for n in (1, 4, 5, 6, 9, 10, 11)]
    out = await screener.screen(scans)
    by_event = {o.result.event_id: o.result for o in out if o.result is not None}
    assert all(by_event[f"g{i}"].outcome == "hit" for i in range(len(good)))
    assert all(by_event[f"b{n}"].outcome == "clear" for n in (1, 4, 5, 6, 9, 10, 11))
    version = await store.current_version(refresh=True)
    assert version.counts == report.counts



def _update(op: str, record: dict[str, Any], update_id: str) -> dict[str, Any]:
    return {"update_id": update_id, "op": op, "issued_at": "2026-11-28T10:00:00+00:00",
            "record": record}


async def test_broken_live_updates_are_dead_lettered_by_offset_and_good_ones_applied(
        settings: Settings, worker_factory: Any, tmp_path: Path, redis_client: Any) -> None:
    load_lists(settings, tmp_path / "lists", sltd=200, notices=50, smv=50)
    good = [_sltd("UPD-1", "UP0000001", "FRA"), _sltd("UPD-2", "UP0000002", "ITA")]
    updates: list[tuple[bytes, str | None]] = [  # (value, words the dead letter must hold)
        (signed(_update("upsert", good[0], "u1")), None),
        (b'{"update_id":"u2","op":"upsert"', "Invalid JSON"),
        (signed(_update("merge", good[1], "u3")), "op"),
        (signed(_update("upsert", {"list": "sltd", "id": "UPD-X"}, "u4")), "record"),
        (signed(_update("upsert", _sltd("UPD-5", "UP\x000005"), "u5")), "record"),
        (signed(_update("delete", {"list": "sltd"}, "u6")), "record"),
        (orjson.dumps(_update("upsert", good[1], "u7")).replace(b"UPD-2", b"UPD\xff2"),
         "Invalid JSON"),
        (b"", "Invalid JSON"),
        (signed({**_update("upsert", good[1], "u9"), "issued_at": "2026-02-30T10:00Z"}),
         "issued_at"),
        (signed(_update("upsert", good[1], "u10")), None),
    ]
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all")
    await producer.start()
    where: dict[tuple[int, int], str] = {}
    try:
        for i, (value, words) in enumerate(updates):
            meta = await producer.send_and_wait(settings.topic(settings.topic_updates), value,
                                                key=f"sltd:{i}".encode())
            if words is not None:
                where[(meta.partition, meta.offset)] = words
    finally:
        await producer.stop()

    async with Reader(settings, settings.topic_deadletter) as reader:
        deadline = time.monotonic() + 60
        while (len(reader.messages[settings.topic_deadletter]) < len(where)
               and time.monotonic() < deadline):
            await reader.poll()
        await reader.read(2)
    dead = [orjson.loads(m.value) for _, m in reader.messages[settings.topic_deadletter]]
    assert len(dead) == len(where), [d["reason"] for d in dead]
    for d in dead:
        assert d["reason"]["code"] == "INVALID_UPDATE"
        words = where[(d["partition"], d["offset"])]
        assert words.lower() in d["reason"]["message"].lower(), (words, d["reason"])

    # The good ones around them were applied.
    scans = [("traveller", _traveller(f"upd-{r['id']}", r["document_number"],
                                      r["issuing_state"]), None) for r in good]
    async with Reader(settings, settings.topic_results) as reader:
        await publish(settings, scans)
        await reader.results_for({"upd-UPD-1", "upd-UPD-2"}, within=60, grace=0)
    outcomes = {e: rs[0]["outcome"] for e, rs in reader.results_by_event().items()}
    assert outcomes == {"upd-UPD-1": "hit", "upd-UPD-2": "hit"}, worker.log_tail()
