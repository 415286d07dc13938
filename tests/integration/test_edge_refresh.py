"""The edge's copy of the lists' current version in Redis (edge/copy.py, refresh.py), with
the real Redis: it answers every look-up as the store does, and a real edge process
swaps to a new version (a bulk load) while answering, without a failed answer."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from screening.edge.copy import RedisCopy, memory_of
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.models import WatchlistUpdate
from screening.security.secretsdir import redis_user_settings
from screening.settings import Settings
from screening.watchlists.lists import LISTS
from screening.watchlists.loader import parse_record
from screening.watchlists.store import WatchlistStore
from tests.support.edge import EdgeProcess, HttpsTerminal, add_terminal, edge_settings
from tests.support.pipeline import load_lists
from tests.support.services import free_port

pytestmark = pytest.mark.integration

CHECKPOINT = "CP-EDGE-1"
EXTRA = {"list": "sltd", "id": "SLTD-REFRESH", "document_number": "RFR123456",
         "issuing_state": "UTO", "document_type": "P", "status": "stolen",
         "reported_at": "2026-12-01"}


async def _current(redis: Any, settings: Settings) -> str:
    raw = await redis.get(WatchlistStore(redis, settings.redis_prefix).keys.current)
    return bytes(raw).decode()


async def test_the_copy_answers_every_look_up_as_redis_does(settings, redis_client,
                                                             tmp_path) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=2000, notices=200, smv=300)
    # As the edge's read-only Redis user.
    from screening.redis_client import make_redis

    redis = make_redis(redis_user_settings(settings, "edge"))
    try:
        store = WatchlistStore(redis, settings.redis_prefix)
        version = await store.current_version()
        copy = await RedisCopy.build(store, version)
        # Every record's every look-up and stored body, through both readers.
        records = [parse_record(line, "t") for p in paths
                   for line in p.read_bytes().splitlines() if line.strip()]
        lookups = sorted({(e.table, e.field) for r in records
                          for e in LISTS[r.list].layout.index(r).entries})
        refs = sorted({(b.table, b.record_id) for r in records
                       for b in LISTS[r.list].layout.index(r).blobs})
        lookups += [("sltd", "NOPE000|UTO"), (lookups[-1][0], "nothing-here")]
        # (The store itself reads with scripts, which the edge's user may not run.)
        worker_store = WatchlistStore(redis_client, settings.redis_prefix)
        mine_version, mine = await copy.fetch(lookups)
        theirs_version, theirs = await worker_store.fetch(lookups)
        assert mine == theirs and sum(map(len, mine)) >= len(records)
        assert mine_version.id == theirs_version.id == version.id
        assert (await copy.fetch_blobs(version, refs)
                == await worker_store.fetch_blobs(version, refs))
        # A live update on top: the record answered from the update alone.
        sltd = next(r for r in records if r.list == "sltd")
        lookup = next((e.table, e.field) for e in LISTS["sltd"].layout.index(sltd).entries)
        [[before]] = (await copy.fetch([lookup]))[1]
        assert before.record_id == sltd.id
        assert copy.apply(WatchlistUpdate.model_validate({
            "update_id": "u1", "op": "delete", "issued_at": "2026-12-07T00:00:00Z",
            "record": {"list": "sltd", "id": sltd.id}}))
        assert (await copy.fetch([lookup]))[1] == [[]]
        assert copy.version.id == f"{version.id}+1"
        size = memory_of(copy)
        print(f"\ncopy of {copy.records} entries ({len(records)} records): {size} bytes, "
              f"{size / len(records):.0f} bytes a record")
    finally:
        await redis.aclose()


async def test_the_edge_swaps_to_a_new_version_while_answering(settings, redis_client,
                                                                tmp_path) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=300, notices=80, smv=80)
    first = await _current(redis_client, settings)
    # The link to the broker is down (answers at once from the edge's own lists); Redis
    # is reachable as the edge's read-only user.
    es = redis_user_settings(edge_settings(
        settings, tmp_path / "edge", edge_snapshot_dir=paths[0].parent,
        broker=f"kafka://127.0.0.1:{free_port()}", edge_refresh_s=0.5,
        edge_rate_per_terminal=10_000.0, edge_burst_per_terminal=10_000), "edge")
    token = add_terminal(es, "T-EDGE-1", CHECKPOINT)
    edge = EdgeProcess(es, tmp_path / "edge.log").start()
    try:
        edge.wait_serving()
        factory = ScanFactory(seed=3, sample=sample_from_files(paths, per_list=50, seed=3))
        async with HttpsTerminal(edge, token) as gate:
            async def version() -> str:
                return str((await gate.get("/v1/health"))[1]["snapshot_version"])

            async def until_version(wanted: str, within_s: float) -> str:
                deadline = time.monotonic() + within_s
                while True:
                    now = await version()
                    if now == wanted or time.monotonic() > deadline:
                        return now
                    await asyncio.sleep(0.2)

            assert await until_version(first, 30) == first, edge.log_tail()
            wanted = {"event_id": "wanted-1", "scanned_at": "2026-12-07T08:00:00Z",
                      "document": {"number": "RFR123456", "issuing_state": "UTO"}}
            status, body, _ = await gate.post("traveller", wanted)
            assert (status, body["outcome"]) == (200, "clear")

            answers: list[tuple[int, dict[str, Any]]] = []
            done = asyncio.Event()

            async def keep_scanning() -> None:
                while not done.is_set():
                    scan = {k: v for k, v in factory.traveller().items()
                            if k not in ("terminal_id", "checkpoint_id")}
                    status, body, _ = await gate.post("traveller", scan)
                    answers.append((status, body))
                    await asyncio.sleep(0.01)

            scanning = asyncio.gather(*(keep_scanning() for _ in range(4)))
            # A bulk load of the lists with one record more: a new current version.
            await asyncio.to_thread(load_lists, settings, tmp_path / "lists-2", extra=[EXTRA],
                                    sltd=300, notices=80, smv=80)
            second = await _current(redis_client, settings)
            assert second != first
            await until_version(second, 60)
            await asyncio.sleep(0.5)
            done.set()
            await scanning
            assert await version() == second, edge.log_tail()
            status, body, _ = await gate.post("traveller", {**wanted, "event_id": "wanted-2"})
            assert (status, body["outcome"]) == (200, "hit"), body
            assert body["watchlist_version"] == second
            assert [h["record_id"] for h in body["hits"]] == ["SLTD-REFRESH"]
        # No failed answer while the reader was swapped; both versions answered.
        assert len(answers) > 20 and {s for s, _ in answers} == {200}
        assert all("OFFLINE" in b["warnings"] for _, b in answers)
        assert second in {b["watchlist_version"] for _, b in answers}
    finally:
        edge.stop()


async def test_an_edge_restarted_without_redis_and_broker_answers_from_its_saved_copy(
        settings, redis_client, tmp_path) -> None:
    # The wanted record is in Redis's version only: the edge is given no files at all.
    load_lists(settings, tmp_path / "lists", extra=[EXTRA], sltd=300, notices=80, smv=80)
    current = await _current(redis_client, settings)
    unreachable = {"broker": f"kafka://127.0.0.1:{free_port()}"}
    es = redis_user_settings(edge_settings(
        settings, tmp_path / "edge", edge_refresh_s=0.5,
        edge_snapshot_key_file=tmp_path / "edge" / "snapshot.key", **unreachable), "edge")
    token = add_terminal(es, "T-EDGE-1", CHECKPOINT)
    saved = es.edge_data_dir / f"{es.edge_site}.lists"
    wanted = {"scanned_at": "2026-12-07T08:00:00Z",
              "document": {"number": "RFR123456", "issuing_state": "UTO"}}

    async def answer(edge: EdgeProcess, event_id: str) -> tuple[str | None, dict[str, Any]]:
        async with HttpsTerminal(edge, token) as gate:
            version = (await gate.get("/v1/health"))[1]["snapshot_version"]
            status, body, _ = await gate.post("traveller", {**wanted, "event_id": event_id})
            assert status == 200, body
            return version, body

    edge = EdgeProcess(es, tmp_path / "edge-1.log").start()
    try:
        edge.wait_serving()
        for _ in range(300):  # up to a minute for the first copy to be saved
            if saved.exists():
                break
            await asyncio.sleep(0.2)
        assert saved.exists(), edge.log_tail()
        version, body = await answer(edge, "saved-1")
        assert (version, body["outcome"], body["watchlist_version"]) == (
            current, "hit", current), edge.log_tail()
    finally:
        edge.stop()

    # Restarted with neither Redis nor the broker (nor any list file): the saved copy.
    cut = redis_user_settings(es, "edge").model_copy(update={
        "redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    edge = EdgeProcess(cut, tmp_path / "edge-2.log").start()
    try:
        edge.wait_serving()
        version, body = await answer(edge, "saved-2")
        assert version == current, edge.log_tail()
        assert (body["outcome"], body["watchlist_version"]) == ("hit", current)
        assert "OFFLINE" in body["warnings"]
        assert [h["record_id"] for h in body["hits"]] == ["SLTD-REFRESH"]
    finally:
        edge.stop()

    # The file changed (one byte): refused, never screened against; `unverified`.
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0x01
    saved.write_bytes(bytes(data))
    edge = EdgeProcess(cut, tmp_path / "edge-3.log").start()
    try:
        edge.wait_serving()
        version, body = await answer(edge, "saved-3")
        assert version is None, edge.log_tail()
        assert body["outcome"] == "unverified" and "LIST_UNAVAILABLE" in body["warnings"]
        assert "saved copy of the lists refused" in edge.log_tail()
    finally:
        edge.stop()
