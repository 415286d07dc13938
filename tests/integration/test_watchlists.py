"""Watchlist loads and live updates on the real Redis, one server and a 3-master cluster.

The store-level tests drive the loader and the update code in-process (fast, and
deterministic about *when* an update arrives during a load); the pipeline test runs
the worker and feeds it scans and updates through Kafka.
"""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.core.engine import RawScan, Screener
from screening.matching.documents import document_field
from screening.mockdata.lists import generate_lists, iter_sltd
from screening.models import WatchlistUpdate
from screening.settings import Settings
from screening.watchlists import loader
from screening.watchlists.notices.layout import NOTICE_TABLES, person_index
from screening.watchlists.notices.record import NoticeRecord
from screening.watchlists.packing import pack_text
from screening.watchlists.sltd import blocks
from screening.watchlists.sltd.compact import TABLE as SLTD_TABLE
from screening.watchlists.smv.mock import iter_smv
from screening.watchlists.stats import collect_stats
from screening.watchlists.store import WatchlistStore
from screening.watchlists.updates import apply_updates
from tests.support.feed import sign_files, signed
from tests.support.services import (
    check_reachable,
    create_topics,
    env_for,
    run_settings,
    screening_cmd,
)
from tests.support.terminal import Terminal as SharedTerminal

pytestmark = pytest.mark.integration

CLUSTER_URL = os.environ.get("SCREENING_TEST_REDIS_CLUSTER_URL", "rediss://127.0.0.1:7001/0")


@pytest.fixture(params=["single", "cluster"])
def settings(request: pytest.FixtureRequest, services: None) -> Settings:
    if request.param == "cluster":
        check_reachable(CLUSTER_URL, "Redis Cluster (make cluster)")
        return run_settings(redis_url=CLUSTER_URL, redis_cluster=True)
    return run_settings()


def sltd(rid: str, number: str, state: str = "GBR", status: str = "stolen") -> dict[str, Any]:
    return {"list": "sltd", "id": rid, "document_number": number, "issuing_state": state,
            "document_type": "P", "status": status}


def update(op: str, record: dict[str, Any]) -> WatchlistUpdate:
    body = record if op == "upsert" else {"list": record["list"], "id": record["id"]}
    return WatchlistUpdate.model_validate({"update_id": uuid.uuid4().hex, "op": op,
                                           "issued_at": datetime.now(UTC), "record": body})


def write_lists(out: Path, records: list[dict[str, Any]], seed: int = 3) -> list[Path]:
    paths = generate_lists(out, sltd=0, notices=40, smv=40, seed=seed)
    paths["sltd"].write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return list(paths.values())


async def hits(store: WatchlistStore, records: list[dict[str, Any]]) -> tuple[str, list[set[str]]]:
    fields = [(SLTD_TABLE, document_field(r["document_number"], r["issuing_state"]))
              for r in records]
    version, values = await store.fetch(fields)
    return version.id, [{f.record_id for f in entries} for entries in values]


async def version_keys(store: WatchlistStore, vid: str) -> int:
    return len([k async for k in store.redis.scan_iter(match=f"{store.data_prefix}:{vid}:*")])


async def test_load_updates_and_reload_answer_exactly(settings: Settings, tmp_path: Path,
                                                      redis_client: Any) -> None:
    store = WatchlistStore(redis_client, settings.redis_prefix)
    base = list(iter_sltd(3000, seed=4))
    twin = sltd("TWIN-2", base[0]["document_number"], base[0]["issuing_state"], "lost")
    paths = write_lists(tmp_path / "v1", [*base, twin])
    report = await loader.load_files(store, paths, grace_s=0, workers=0)
    assert report.counts == {"sltd": 3001, "notice": 40, "smv": 40, "event": 0}, report.errors
    v1, found = await hits(store, base)
    assert v1 == report.version
    assert all(r["id"] in ids for r, ids in zip(base, found, strict=True))
    assert found[0] == {base[0]["id"], "TWIN-2"}  # one document, two records: both kept
    assert (await hits(store, [sltd("x", "NOT0LISTED1")]))[1] == [set()]

    # A delete removes only its own record; an upsert may move a record to a new number.
    moved = {**base[2], "document_number": "MOVED123"}
    fresh = sltd("NEW-1", "ZX9988776", "FRA")
    applied = await apply_updates(store, [update("delete", twin), update("delete", base[1]),
                                          update("upsert", moved), update("upsert", fresh)])
    assert all(a.applied for a in applied)
    _, found = await hits(store, [base[0], base[1], base[2], moved, fresh])
    assert found == [{base[0]["id"]}, set(), set(), {base[2]["id"]}, {"NEW-1"}]
    # Deleting what is not there is harmless; replaying an update changes nothing.
    await apply_updates(store, [update("delete", sltd("NEVER", "1"))])

    # v2: the loader's process pool, and updates that arrive while it writes.
    v2_records = base[1500:] + [sltd(f"V2-{i}", f"QQ{i:07d}", "ITA") for i in range(500)]
    paths2 = write_lists(tmp_path / "v2", v2_records, seed=5)
    late = sltd("LATE-1", "LT0000001", "ESP")
    real_bulk = store.batch.write_bulk
    calls = 0

    async def bulk_with_updates(packed: Any, node: str | None = None) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:  # before any bulk write of the new version lands
            await apply_updates(store, [update("upsert", late), update("delete", base[2000])])
        return await real_bulk(packed, node)

    store.batch.write_bulk = bulk_with_updates  # type: ignore[method-assign]
    report2 = await loader.load_files(store, paths2, grace_s=0, workers=2)
    store.batch.write_bulk = real_bulk  # type: ignore[method-assign]
    assert report2.previous == v1 and report2.counts["sltd"] == 2000
    vid, found = await hits(store, [late, base[2000], base[2001], base[0], v2_records[-1]])
    assert vid == report2.version
    assert found == [{"LATE-1"}, set(), {base[2001]["id"]}, set(), {"V2-499"}]
    assert await version_keys(store, v1) == 0, "the old version is removed after the switch"

    stats = await collect_stats(store)
    assert stats["version"] == report2.version
    assert stats["lists"]["sltd"]["records"] == 2000
    assert 0 < stats["lists"]["sltd"]["bytes_per_record"] < 200
    assert stats["lists"]["sltd"]["last_update"]


@pytest.mark.parametrize("workers", [0, 2])
async def test_a_load_written_in_many_groups_keeps_every_entry(
        settings: Settings, tmp_path: Path, redis_client: Any,
        monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """Small blocks and groups: most buckets are reached again by later groups, and a
    document listed twice meets its first record in Redis (merged, not overwritten)."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    monkeypatch.setattr(loader, "GROUP_RECORDS", (150, 150))
    monkeypatch.setattr(loader, "read_blocks",
                        functools.partial(loader.read_blocks, block_bytes=4096))
    base = list(iter_sltd(2000, seed=8))
    twins = [sltd(f"TWIN-{i}", base[i]["document_number"], base[i]["issuing_state"], "lost")
             for i in (0, 1, 1999)]  # 0 and 1: an earlier group; 1999: the same block
    report = await loader.load_files(store, write_lists(tmp_path / "g", [*base, *twins]),
                                     grace_s=0, workers=workers)
    assert report.counts["sltd"] == 2003, report.errors
    _, found = await hits(store, base)
    assert all(r["id"] in ids for r, ids in zip(base, found, strict=True))
    assert [found[i] for i in (0, 1, 1999)] == [{base[i]["id"], f"TWIN-{i}"} for i in (0, 1, 1999)]
    # The id table was merged too: deleting a twin leaves its document's other record.
    await apply_updates(store, [update("delete", twins[0]), update("delete", base[1])])
    _, found = await hits(store, [base[0], base[1]])
    assert found == [{base[0]["id"]}, {"TWIN-1"}]


@pytest.mark.parametrize("workers", [0, 2])
async def test_a_notice_listed_again_keeps_its_later_entries_only(
        settings: Settings, tmp_path: Path, redis_client: Any,
        monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """A notice listed again after its first record was gathered (chunks apart): the
    later record's name and document entries are all there (a document both records
    list too), the earlier's own document is gone, as an upsert would leave them."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    monkeypatch.setattr(loader, "CHUNK", 5)
    paths = generate_lists(tmp_path / "n", sltd=0, notices=40, smv=0, seed=5)
    lines = paths["notice"].read_bytes().splitlines()
    at = next(i for i, x in enumerate(lines) if orjson.loads(x)["documents"])
    later = orjson.loads(lines[at])
    kept = later["documents"][0]
    later["documents"] = [kept, {"number": "LATER0001", "issuing_state": "FRA"}]
    earlier = {**later, "documents": [kept, {"number": "EARLY0001", "issuing_state": "FRA"}]}
    lines[at] = orjson.dumps(earlier)
    paths["notice"].write_bytes(b"\n".join([*lines, orjson.dumps(later)]) + b"\n")
    report = await loader.load_files(store, list(paths.values()), grace_s=0, workers=workers)
    assert report.counts["notice"] == 40, report.errors
    indexed = person_index(NoticeRecord.model_validate(later), NOTICE_TABLES)
    names = [(e.table, e.field) for e in indexed.entries if e.table == NOTICE_TABLES.names]
    docs = [(NOTICE_TABLES.documents, document_field(d["number"], d["issuing_state"]))
            for d in (*later["documents"], earlier["documents"][1])]
    _, found = await store.fetch([*names, *docs])
    ids = [{f.record_id for f in entries} for entries in found]
    assert names and all(later["id"] in i for i in ids[:len(names)])
    assert ids[len(names):] == [{later["id"]}, {later["id"]}, set()]


@pytest.mark.parametrize("workers", [0, 2])
async def test_an_id_listed_again_keeps_its_last_record_only(
        settings: Settings, tmp_path: Path, redis_client: Any,
        monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """An id listed again in another block, group or file: the later record wins, as
    it does within a block and as an upsert would; the count is of ids."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    monkeypatch.setattr(loader, "GROUP_RECORDS", (150, 150))
    monkeypatch.setattr(loader, "read_blocks",
                        functools.partial(loader.read_blocks, block_bytes=4096))
    base = list(iter_sltd(1200, seed=9))
    moved_far = {**base[0], "document_number": "FAR000001"}  # a later group
    moved_near = {**base[1], "document_number": "NEAR00001"}  # a later block, same group
    there = {**base[2], "document_number": "AWAY00001"}
    back = {**base[2], "status": "revoked"}  # away and back: its first document again
    restated = {**base[3], "status": "invalidated"}  # same document, new status
    records = [*base[:60], moved_near, *base[60:900], there, *base[900:], back, restated]
    paths = write_lists(tmp_path / "d", records)
    late = tmp_path / "d" / "late.ndjson"  # another file, loaded after the first
    late.write_bytes(orjson.dumps(moved_far) + b"\n")
    report = await loader.load_files(store, [*paths, late], grace_s=0, workers=workers)
    assert report.counts["sltd"] == 1200, report.errors

    docs = [base[0], moved_far, base[1], moved_near, base[2], there, base[3], base[4]]
    fields = [(SLTD_TABLE, document_field(r["document_number"], r["issuing_state"]))
              for r in docs]
    _, values = await store.fetch(fields)
    found = [{f.record_id: f.payload for f in entries} for entries in values]
    ids = [set(f) for f in found]
    assert ids == [set(), {base[0]["id"]}, set(), {base[1]["id"]}, {base[2]["id"]}, set(),
                   {base[3]["id"]}, {base[4]["id"]}]
    assert found[4][base[2]["id"]].startswith("revoked")
    assert found[6][base[3]["id"]].startswith("invalidated")
    # The id table agrees: deleting an id leaves no document behind.
    await apply_updates(store, [update("delete", base[0]), update("delete", base[2])])
    _, found_after = await hits(store, [moved_far, base[2], there])
    assert found_after == [set(), set(), set()]


async def test_a_load_that_fails_half_way_leaves_the_old_version_serving(
        settings: Settings, tmp_path: Path, redis_client: Any) -> None:
    store = WatchlistStore(redis_client, settings.redis_prefix)
    records = list(iter_sltd(500, seed=6))
    first = await loader.load_files(store, write_lists(tmp_path / "a", records), grace_s=0,
                                    workers=0)

    async def broken(packed: bytes, node: str | None = None) -> None:
        raise ConnectionError("Redis went away")

    store.batch.write_bulk = broken  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await loader.load_files(store, write_lists(tmp_path / "b", records[:10]), grace_s=0,
                                workers=0)
    vid, found = await hits(store, records)
    assert vid == first.version and all(found)
    keys = [k async for k in store.redis.scan_iter(match=f"{store.data_prefix}:*")]
    assert keys and all(first.version.encode() in k for k in keys), "partial version dropped"


# -- the worker, through Kafka ------------------------------------------------------

def traveller(record: dict[str, Any]) -> bytes:
    return orjson.dumps({
        "event_id": uuid.uuid4().hex, "checkpoint_id": "cp-it", "terminal_id": "t-it",
        "scanned_at": datetime.now(UTC).isoformat(),
        "document": {"number": record["document_number"],
                     "issuing_state": record["issuing_state"], "type": "P"},
    })


def cli_load(settings: Settings, paths: list[Path]) -> str:
    sign_files(paths)
    done = subprocess.run(screening_cmd("watchlists", "load", "--quiet", *map(str, paths)),
                          env=env_for(settings), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("loaded version ", 1)[1].split()[0]


class Terminal(SharedTerminal):
    """Scans of a record's document, and signed updates."""

    async def update(self, u: WatchlistUpdate) -> None:
        await self.send_update(signed(u), u.key)

    async def screen(self, record: dict[str, Any]) -> dict[str, Any]:
        return await self.answer(traveller(record))

    async def until(self, record: dict[str, Any], outcome: str, deadline_s: float = 20) -> None:
        """Scan `record` again and again until the answer is `outcome` (a generous deadline)."""
        deadline = time.monotonic() + deadline_s
        while True:
            result = await self.screen(record)
            if result["outcome"] == outcome:
                return
            assert time.monotonic() < deadline, result
            await asyncio.sleep(0.05)


async def test_updates_and_reloads_through_the_worker(settings: Settings, worker_factory: Any,
                                                      tmp_path: Path, redis_client: Any) -> None:
    records = list(iter_sltd(2000, seed=8))
    only_v1, both, gone, rest = records[:300], records[300:600], records[600], records[601:]
    only_v2 = [sltd(f"V2-{i}", f"RR{i:07d}", "NLD") for i in range(300)]
    v1 = cli_load(settings, write_lists(tmp_path / "v1", records))
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    async with Terminal(settings) as term:
        first = await term.screen(both[0])
        assert first["outcome"] == "hit" and first["watchlist_version"] == v1, worker.log_tail()
        assert first["hits"][0]["record_id"] == both[0]["id"]
        assert first["hits"][0]["category"] == both[0]["status"]

        await term.update(update("delete", gone))
        await term.until(gone, "clear")
        fresh = sltd("NEW-7", "NW7000007", "USA", "lost")
        await term.update(update("upsert", fresh))
        await term.until(fresh, "hit")

        # Reload while scans flow: each answer is wholly v1's or wholly v2's.
        paths2 = write_lists(tmp_path / "v2", both + rest + only_v2, seed=9)
        load = asyncio.create_task(asyncio.to_thread(cli_load, settings, paths2))
        sent: dict[str, tuple[str, dict[str, Any]]] = {}
        i = 0
        while not load.done() or i < 200:
            for group, pool in (("v1", only_v1), ("v2", only_v2), ("both", both)):
                record = pool[i % len(pool)]
                sent[await term.send(traveller(record))] = (group, record)
            i += 1
            await asyncio.sleep(0.01)
        v2 = await load
        results = await term.wait(set(sent), within_s=90)
    versions = {r["watchlist_version"] for r in results}
    assert versions <= {v1, v2} and v2 in versions, versions
    wrong = []
    for r in results:
        group, record = sent[r["event_id"]]
        expect_hit = group == "both" or (group == "v1") == (r["watchlist_version"] == v1)
        ids = {h["record_id"] for h in r["hits"]}
        if r["outcome"] != ("hit" if expect_hit else "clear") or (
                expect_hit and record["id"] not in ids):
            wrong.append((group, r["watchlist_version"], r["outcome"]))
    assert not wrong, wrong[:10]
    metrics = worker.metrics()
    assert "screening_watchlist_update_latency_seconds_count 2.0" in metrics


def smv(rid: str, vin: str | None = None, plate: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"list": "smv", "id": rid, "make": "Skoda", "model": "Octavia"}
    if vin:
        record["vin"] = vin
    if plate:
        record.update(plate=plate, plate_country="CZE")
    return record


async def screen_vehicles(store: WatchlistStore, *vehicles: dict[str, Any]) -> list[set[str]]:
    """The SMV record ids each vehicle hits, screened by the real engine."""
    screener = Screener(store, Settings(lookup_budget_s=2.0))
    now = datetime.now(UTC).isoformat()
    raws = [RawScan(kind="vehicle", value=orjson.dumps({
        "event_id": f"v{i}", "checkpoint_id": "cp", "terminal_id": "t", "scanned_at": now,
        "vehicle": v})) for i, v in enumerate(vehicles)]
    out = []
    for item in await screener.screen(raws):
        assert item.result is not None and item.result.outcome in ("hit", "clear"), item.result
        out.append({h.record_id for h in item.result.hits if h.list == "smv"})
    return out


async def test_stolen_vehicles_in_the_compact_layout_follow_loads_and_updates(
        settings: Settings, tmp_path: Path, redis_client: Any) -> None:
    """An id listed twice in the file keeps its later record only; an upsert that moves a
    record to another VIN or plate leaves nothing under the old ones; a delete, nothing."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    paths = generate_lists(tmp_path / "v", smv=500, seed=5)
    listed = [smv("V-1", vin="TMBJJ7NE8L0000001", plate="1A2 3456"),
              smv("V-2", plate="2B3 4567"),
              smv("V-1", vin="TMBJJ7NE8L0000009", plate="9Z9 9999")]  # V-1 again: this wins
    paths["smv"].write_bytes(paths["smv"].read_bytes()
                             + b"".join(orjson.dumps(r) + b"\n" for r in listed))
    report = await loader.load_files(store, list(paths.values()), grace_s=0, workers=0)
    assert report.counts["smv"] == 502, report.errors

    old_vin, new_vin = {"vin": "TMBJJ7NE8L0000001"}, {"vin": "TMBJJ7NE8L0000009"}
    old_plate = {"plate": "1A2 3456", "plate_country": "CZE"}
    assert await screen_vehicles(store, old_vin, new_vin, old_plate,
                                 {"plate": "2B3-4567", "plate_country": "CZE"}) == [
        set(), {"V-1"}, set(), {"V-2"}]

    await apply_updates(store, [update("upsert", smv("V-2", vin="TMBJJ7NE8L0000002"))])
    assert await screen_vehicles(store, {"plate": "2B3 4567", "plate_country": "CZE"},
                                 {"vin": "TMBJJ7NE8L0000002"}) == [set(), {"V-2"}]
    await apply_updates(store, [update("delete", smv("V-1")), update("delete", smv("V-2"))])
    assert await screen_vehicles(store, new_vin, {"vin": "TMBJJ7NE8L0000002"},
                                 {"plate": "9Z9 9999", "plate_country": "CZE"}) == [
        set(), set(), set()]


@pytest.mark.parametrize(("workers", "hold"), [(0, True), (2, True), (0, False), (2, False)])
async def test_stolen_vehicles_written_in_many_groups_are_all_found(
        settings: Settings, tmp_path: Path, redis_client: Any,
        monkeypatch: pytest.MonkeyPatch, workers: int, hold: bool) -> None:
    """Small blocks and groups: record buckets (and, with packed index entries not held
    back to the last group, index buckets) are reached again by later groups and merged
    by the bulk script (bodies by id, packed index entries appended); every vehicle is
    found by its VIN and by its plate, and an id listed again in a later group keeps its
    later record only, counted once."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    monkeypatch.setattr(loader, "GROUP_RECORDS", (150, 150))
    if not hold:
        monkeypatch.setattr(blocks, "HOLD_PACKED_BYTES", 0)
    monkeypatch.setattr(loader, "read_blocks",
                        functools.partial(loader.read_blocks, block_bytes=4096))
    base = list(iter_smv(600, seed=8))
    first = base[0]
    moved = smv(first["id"], vin="TMBJJ7NE8L0000009", plate="9Z9 9999")  # a later group
    paths = generate_lists(tmp_path / "m", smv=0, seed=3)
    paths["smv"].write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [*base, moved]))
    report = await loader.load_files(store, list(paths.values()), grace_s=0, workers=workers)
    assert report.counts["smv"] == 600, report.errors

    queries = [({"vin": r["vin"]} if key == "vin" else
                {"plate": r["plate"], "plate_country": r["plate_country"]}, r["id"])
               for r in base[1:] for key in ("vin", "plate")
               if r.get(key) and not r.get("valid_until")]  # lapsed ones do not hit
    found = await screen_vehicles(store, *[q for q, _ in queries])
    assert [rid for (_, rid), ids in zip(queries, found, strict=True) if rid not in ids] == []
    old = {"vin": first["vin"]} if first.get("vin") else {
        "plate": first["plate"], "plate_country": first["plate_country"]}
    assert await screen_vehicles(store, {"vin": "TMBJJ7NE8L0000009"}, old,
                                 {"plate": "9Z9 9999", "plate_country": "CZE"}) == [
        {first["id"]}, set(), {first["id"]}]


async def screen_travellers(store: WatchlistStore, *holders: dict[str, Any]) -> list[set[str]]:
    """The (list, id) of every record each traveller hits, screened by the real engine."""
    screener = Screener(store, Settings(lookup_budget_s=2.0))
    now = datetime.now(UTC).isoformat()
    raws = [RawScan(kind="traveller", value=orjson.dumps({
        "event_id": f"p{i}", "checkpoint_id": "cp", "terminal_id": "t", "scanned_at": now,
        "document": {"number": f"ZZ{i:07d}", "issuing_state": "NLD"}, "holder": h}))
        for i, h in enumerate(holders)]
    out = []
    for item in await screener.screen(raws):
        assert item.result is not None and item.result.outcome in ("hit", "clear"), item.result
        out.append({f"{h.list}:{h.record_id}" for h in item.result.hits})
    return out


async def test_an_update_read_back_from_the_stored_record_leaves_no_stale_entry(
        settings: Settings, tmp_path: Path, redis_client: Any) -> None:
    """Entries-layout lists keep no reverse index: an upsert reads the stored record back
    (from its compressed body) to remove the names it no longer has; a person turned
    vehicle loses its name entries; a delete leaves nothing."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    paths = generate_lists(tmp_path / "n", notices=50, seed=5)
    await loader.load_files(store, list(paths.values()), grace_s=0, workers=0)
    ana = {"surname": "VAN DER BERG", "given_names": "ANNA", "date_of_birth": "1981-02-03",
           "nationality": "NLD", "sex": "F"}
    bea = {**ana, "surname": "JANSSENS", "given_names": "BEATRIX"}
    notice = {"list": "notice", "id": "N-1", "colour": "red", "date_of_birth": "1981-02-03",
              "nationalities": ["NLD"], "sex": "F",
              "names": [{"surname": "VAN DER BERG", "given_names": "ANNA"}]}
    person = {"list": "event", "id": "E-1", "list_name": "stadium_ban", "subject": "person",
              "names": [{"surname": "JANSSENS", "given_names": "BEATRIX"}],
              "date_of_birth": "1981-02-03", "nationalities": ["NLD"], "sex": "F"}
    await apply_updates(store, [update("upsert", notice), update("upsert", person)])
    assert await screen_travellers(store, ana, bea) == [{"notice:N-1"}, {"event:E-1"}]

    renamed = {**notice, "names": [{"surname": "DE WIT", "given_names": "CLARA"}]}
    vehicle = {"list": "event", "id": "E-1", "list_name": "stadium_ban", "subject": "vehicle",
               "plate": "NL-01-AB", "plate_country": "NLD"}
    await apply_updates(store, [update("upsert", renamed), update("upsert", vehicle)])
    assert await screen_travellers(store, ana, bea, {**ana, "surname": "DE WIT",
                                                     "given_names": "CLARA"}) == [
        set(), set(), {"notice:N-1"}]
    assert await _entries_of(redis_client, settings, "ekey", "E-1") == 0
    expected = person_index(NoticeRecord.model_validate(renamed), NOTICE_TABLES).entries
    assert await _entries_of(redis_client, settings, NOTICE_TABLES.names, "N-1") == sum(
        e.table == NOTICE_TABLES.names for e in expected)

    await apply_updates(store, [update("delete", renamed)])
    assert await screen_travellers(store, {**ana, "surname": "DE WIT",
                                           "given_names": "CLARA"}) == [set()]


async def _entries_of(redis_client: Any, settings: Settings, table: str, rid: str) -> int:
    """How many entries of a table name a record id (every bucket, every node), as it is
    or packed (the notices' name entries: notices/layout.py)."""
    n, ids = 0, {rid.encode(), pack_text(rid)}
    async for key in redis_client.scan_iter(match=f"{settings.redis_prefix}:*:{table}:*"):
        for value in (await redis_client.hgetall(key)).values():
            n += sum(item.split(b"\x1f")[0] in ids for item in value.split(b"\x1e"))
    return n


async def test_a_documents_action_owner_and_end_survive_loads_and_updates(
        settings: Settings, tmp_path: Path, redis_client: Any) -> None:
    """SLTD's compact entries carry action, owner and valid_until when a record has them:
    loaded in bulk (the model's path), replaced by a live upsert (one entry, not two),
    and past valid_until no hit."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    informed = {**sltd("S-1", "INFORM001"), "action": "inform", "owner": "NCB|GBR"}
    ending = {**sltd("S-2", "ENDING001"), "valid_until": soon}
    paths = write_lists(tmp_path / "x", [*iter_sltd(300, seed=4), informed, ending])
    await loader.load_files(store, paths, grace_s=0, workers=0)

    async def answer(number: str) -> Any:
        screener = Screener(store, Settings(lookup_budget_s=2.0))
        [item] = await screener.screen([RawScan(kind="traveller", value=orjson.dumps({
            "event_id": uuid.uuid4().hex, "checkpoint_id": "cp", "terminal_id": "t",
            "scanned_at": datetime.now(UTC).isoformat(),
            "document": {"number": number, "issuing_state": "GBR"}}))])
        return item

    got = await answer("INFORM001")
    assert got.result.instruction == "DISCREET_CHECK"
    assert (got.alerts[0].action, got.alerts[0].owner) == ("inform", "NCB|GBR")
    assert (await answer("ENDING001")).result.outcome == "hit"

    await apply_updates(store, [update("upsert", {**informed, "action": "seize"})])
    got = await answer("INFORM001")
    assert got.result.instruction == "SEIZE_DOCUMENT"
    assert [h.record_id for h in got.result.hits] == ["S-1"]  # replaced, not added
    await asyncio.sleep(3.2)
    assert (await answer("ENDING001")).result.outcome == "clear"
