"""The edge's parts without a broker: tokens, the rate limit, the store of offline
answers, the signed snapshot, the OpenAPI document, and what the edge does with a scan
when the centre answers, is late, or cannot be reached."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestServer

from screening.agents.scans import offline_hits
from screening.core.engine import RawScan, Screener
from screening.edge.central import offline_headers
from screening.edge.feed import SnapshotFeed
from screening.edge.limits import RateLimiter
from screening.edge.openapi import openapi
from screening.edge.outbox import Outbox, Stored
from screening.edge.routes import make_app
from screening.edge.service import Edge
from screening.edge.snapshot import NoSnapshot, Snapshot
from screening.edge.terminals import (
    Terminal,
    TerminalRegistry,
    add_terminal,
    read_terminals,
    revoke_terminal,
)
from screening.exceptions import SignatureRefused
from screening.security import roles
from screening.settings import Settings
from screening.watchlists import signing
from tests.support.edge_fakes import FakeCentral
from tests.support.feed import sign_files, signed, stranger_key

T1 = Terminal("T1", "CP-1", "", "")
SLTD = {"list": "sltd", "id": "S1", "document_number": "L898902C3", "issuing_state": "UTO",
        "document_type": "P", "status": "stolen", "reported_at": "2024-01-02"}
SMV = {"list": "smv", "id": "V1", "vin": "1M8GDM9AXKP042788", "plate": "B-AB 1234",
       "plate_country": "D", "make": "VW", "model": "Golf", "colour": "blue"}


def scan(event_id: str = "e1", number: str = "L898902C3", **extra: Any) -> dict[str, Any]:
    return {"event_id": event_id, "scanned_at": "2026-12-06T10:00:00Z",
            "document": {"number": number, "issuing_state": "UTO", "type": "P"}, **extra}


# -- tokens ---------------------------------------------------------------------------

def test_a_token_names_its_terminal_until_it_is_revoked_or_replaced(tmp_path: Path) -> None:
    path = tmp_path / "edge" / "site.terminals"
    token = add_terminal(path, "T1", "CP-1")
    registry = TerminalRegistry(path)
    found = registry.authenticate(token)
    assert found is not None and (found.terminal_id, found.checkpoint_id) == ("T1", "CP-1")
    assert registry.authenticate(token + "x") is None
    assert registry.authenticate("") is None
    # Only the hash is kept, in a private file.
    assert token not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A new token for the terminal: the old one stops working.
    newer = add_terminal(path, "T1", "CP-1")
    assert registry.authenticate(token) is None
    assert registry.authenticate(newer) is not None
    assert revoke_terminal(path, "T1")
    assert registry.authenticate(newer) is None
    assert read_terminals(path)["T1"].revoked_at is not None
    assert not revoke_terminal(path, "T-unknown")


def test_the_rate_limit_lets_a_burst_through_then_the_rate() -> None:
    now = [100.0]
    limiter = RateLimiter(rate_per_s=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("T1") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("T1")
    assert wait == pytest.approx(0.5)
    assert limiter.take("T2") == 0.0  # per terminal
    now[0] += 0.5
    assert limiter.take("T1") == 0.0
    assert limiter.take("T1") > 0


# -- the outbox -------------------------------------------------------------------------

async def test_the_outbox_keeps_one_row_per_event_in_order_across_a_reopen(
        tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    box = Outbox(path)
    for n in range(3):
        assert await box.run(box.keep, Stored(0, "T1", f"e{n}", "traveller", b"{}", b"{}"))
    assert not await box.run(box.keep, Stored(0, "T1", "e1", "traveller", b"{}", b"{}"))
    # Another terminal's scan with the same event id is its own.
    assert await box.run(box.keep, Stored(0, "T2", "e1", "traveller", b"{}", b"{}"))
    await box.run(box.mark, "T1", "e0", "forwarded")
    for name in ("outbox.sqlite", "outbox.sqlite-wal", "outbox.sqlite-shm"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    box.close()
    again = Outbox(path)
    assert [(r.terminal_id, r.event_id) for r in await again.run(again.pending)] == [
        ("T1", "e1"), ("T1", "e2"), ("T2", "e1")]
    assert await again.run(again.counts) == {"forwarded": 1, "pending": 3}
    assert again.keys == {("T1", "e0"), ("T1", "e1"), ("T1", "e2"), ("T2", "e1")}
    again.close()
    # A week after the centre had it, a scan is dropped; pending ones never are.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE scans SET done_at = '2000-01-01T00:00:00+00:00', "
                   "answered_at = '2000-01-01T00:00:00+00:00'")
    later = Outbox(path)
    assert await later.run(later.counts) == {"pending": 3}
    assert ("T1", "e0") not in later.keys
    later.close()


# -- the snapshot -----------------------------------------------------------------------

def _lists(folder: Path) -> Path:
    folder.mkdir()
    (folder / "sltd.ndjson").write_bytes(orjson.dumps(SLTD) + b"\n")
    (folder / "smv.ndjson").write_bytes(orjson.dumps(SMV) + b"\n")
    sign_files(folder.glob("*.ndjson"))
    return folder


def _trusted() -> signing.TrustedKeys:
    s = Settings()
    return signing.load_trusted_keys(s.feed_keys_file, s.feed_keys)


async def test_the_snapshot_screens_with_the_engine(tmp_path: Path) -> None:
    snap = Snapshot.load(_lists(tmp_path / "lists"), _trusted())
    assert snap.records == 2 and snap.version.id.startswith("edge-")
    screener = Screener(snap, Settings())
    hit, clear = await screener.screen([
        RawScan("traveller", orjson.dumps(scan("e1", terminal_id="T1", checkpoint_id="C"))),
        RawScan("traveller", orjson.dumps(scan("e2", "Q1111111", terminal_id="T1",
                                               checkpoint_id="C")))])
    assert hit.result is not None and hit.result.outcome == "hit"
    assert [h.record_id for h in hit.result.hits] == ["S1"]
    assert clear.result is not None and clear.result.outcome == "clear"
    assert hit.result.watchlist_version == snap.version.id


@pytest.mark.parametrize("spoil, code", [
    ("tamper", "FILE_MISMATCH"), ("unsign", "UNSIGNED_FILE"), ("stranger", "BAD_SIGNATURE"),
    ("manifest", "BAD_MANIFEST")])
def test_the_snapshot_refuses_files_that_do_not_match_their_signature(
        tmp_path: Path, spoil: str, code: str) -> None:
    folder = _lists(tmp_path / "lists")
    target = folder / "sltd.ndjson"
    if spoil == "tamper":
        target.write_bytes(target.read_bytes().replace(b"stolen", b"lost\x20\x20"))
    elif spoil == "unsign":
        signing.manifest_path(target).unlink()
    elif spoil == "stranger":
        signing.sign_file(target, stranger_key())
    else:
        signing.manifest_path(target).write_bytes(b"not json")
    with pytest.raises(SignatureRefused) as refused:
        Snapshot.load(folder, _trusted())
    assert refused.value.code == code


# -- the OpenAPI document -----------------------------------------------------------------

def test_the_openapi_document_refers_only_to_schemas_it_holds() -> None:
    doc = openapi()
    schemas = doc["components"]["schemas"]
    refs = {r.rsplit("/", 1)[1] for r in _refs(doc)}
    assert refs <= set(schemas), refs - set(schemas)
    body = doc["paths"]["/v1/scans/vehicle"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/VehicleScan")
    assert "warnings" in schemas["CheckResult"]["properties"]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


# -- one scan -----------------------------------------------------------------------------

@pytest.fixture
async def edge(tmp_path: Path) -> Any:
    central = FakeCentral()
    box = Outbox(tmp_path / "outbox.sqlite")
    snap = Snapshot.load(_lists(tmp_path / "lists"), _trusted())
    made = Edge(Settings(), central, box, snap,  # type: ignore[arg-type]
                clock=lambda: datetime(2026, 12, 6, 10, tzinfo=UTC))
    yield made
    box.close()


async def test_the_edge_sets_the_terminals_ids_and_refuses_others(edge: Edge) -> None:
    central: Any = edge.central
    central.answers[("T1", "e1")] = {"event_id": "e1", "outcome": "clear"}
    reply = await edge.scan("traveller", T1, orjson.dumps(scan()))
    assert reply.status == 200 and reply.body["outcome"] == "clear"
    for claim in ({"terminal_id": "T2"}, {"checkpoint_id": "CP-2"}):
        reply = await edge.scan("traveller", T1, orjson.dumps(scan(**claim)))
        assert (reply.status, reply.body["code"]) == (403, "IDENTITY_MISMATCH")
    reply = await edge.scan("traveller", T1, b"\xff{")
    assert (reply.status, reply.body["code"]) == (400, "INVALID_UTF8")
    reply = await edge.scan("traveller", T1, orjson.dumps({"event_id": "e9"}))
    assert (reply.status, reply.body["code"]) == (400, "MISSING_FIELD")
    assert reply.body["result"]["terminal_id"] == "T1"
    assert reply.body["result"]["outcome"] == "rejected"
    reply = await edge.scan("traveller", T1, orjson.dumps([1]))
    assert (reply.status, reply.body["code"]) == (400, "NOT_AN_OBJECT")


async def test_offline_answers_are_stored_before_they_are_given(edge: Edge) -> None:
    central: Any = edge.central
    central.mode = "down"
    reply = await edge.scan("traveller", T1, orjson.dumps(scan()))
    assert reply.status == 200
    assert reply.body["outcome"] == "hit" and "OFFLINE" in reply.body["warnings"]
    assert reply.body["watchlist_version"].startswith("edge-")
    [row] = await edge.outbox.run(edge.outbox.pending)
    assert (row.terminal_id, row.event_id) == ("T1", "e1")
    assert orjson.loads(row.body)["terminal_id"] == "T1"
    # The link back: the terminal repeats the scan: the same answer, nothing published.
    central.mode = "answer"
    again = await edge.scan("traveller", T1, orjson.dumps(scan()))
    assert again.body == reply.body
    # Forwarded once, in order; a second pass has nothing to send.
    assert await edge.forward_pending() == 1
    assert await edge.forward_pending() == 0
    assert central.forwarded == [("T1", "e1")]


async def test_without_a_snapshot_offline_answers_are_unverified(edge: Edge) -> None:
    central: Any = edge.central
    central.mode = "down"
    bare = Edge(Settings(), central, edge.outbox, NoSnapshot())
    reply = await bare.scan("traveller", T1, orjson.dumps(scan("e5")))
    assert reply.body["outcome"] == "unverified"
    assert {"OFFLINE", "LIST_UNAVAILABLE"} <= set(reply.body["warnings"])


async def test_a_late_answer_is_not_forwarded_and_an_unacked_one_only_if_it_fails(
        edge: Edge) -> None:
    central: Any = edge.central
    central.mode = "late"  # the broker has it: the centre will answer it
    await edge.scan("traveller", T1, orjson.dumps(scan("e1")))
    central.mode = "unacked"
    await edge.scan("traveller", T1, orjson.dumps(scan("e2")))
    first = central.delivery
    await edge.scan("traveller", T1, orjson.dumps(scan("e3")))
    second = central.delivery
    # Under way: not forwarded while its own publication may still arrive.
    assert await edge.forward_pending() == 0
    first.set_result(None)  # acknowledged after all: the centre has it
    second.set_exception(OSError("broker gone"))  # failed: the stored copy goes
    await asyncio.sleep(0)
    assert await edge.forward_pending() == 1
    assert central.forwarded == [("T1", "e3")]
    assert await edge.outbox.run(edge.outbox.counts) == {"sent": 2, "forwarded": 1}


# -- forwarded scans: retroactive alerts ----------------------------------------------------

def test_a_forwarded_scan_says_what_the_edge_answered_in_its_headers() -> None:
    answer = {"watchlist_version": "edge-abc", "hits": [
        {"list": "sltd", "record_id": "S1"}, {"list": "notice", "record_id": "N1"}]}
    headers = offline_headers(answer)
    assert offline_hits(headers) == frozenset({"sltd:S1", "notice:N1"})
    assert offline_hits(dict(headers)) == frozenset({"sltd:S1", "notice:N1"})
    assert offline_hits(offline_headers({"watchlist_version": "edge-abc"})) == frozenset()
    assert offline_hits([("other", b"x")]) is None  # not forwarded by an edge


async def test_alerts_the_snapshot_missed_are_retroactive(memory_store: Any) -> None:
    screener = Screener(memory_store, Settings())
    raw = orjson.dumps(scan("e1", terminal_id="T1", checkpoint_id="C"))
    first, missed, known = await screener.screen([
        RawScan("traveller", raw),
        RawScan("traveller", raw, offline_hits=frozenset()),
        RawScan("traveller", raw, offline_hits=frozenset({"sltd:S1"}))])
    assert [a.kind for a in first.alerts] == ["watchlist"]
    assert [a.kind for a in missed.alerts] == ["retroactive"]
    assert [a.kind for a in known.alerts] == ["watchlist"]
    # The hit the edge found is its local alert again: same id, marked as the edge's.
    assert [(a.alert_id, a.raised_offline) for a in known.alerts] == [
        (first.alerts[0].alert_id, True)]
    assert [a.raised_offline for a in (*first.alerts, *missed.alerts)] == [False, False]
    assert missed.result == first.result  # the gate's answer is the same


# -- the edge's principal and live updates -------------------------------------------------

def test_an_edge_may_do_what_its_site_may_read_the_list_updates_and_tell_its_gates(
        ) -> None:
    s = Settings(topic_prefix="dep.")
    rights = {(g.resource, g.name, g.operation, g.pattern)
              for g in roles.grants(s, ["default", "arena"], edges=("arena",))
              if g.principal == "edge-arena"}
    assert rights == {
        ("topic", "dep.scans.traveller.arena", "write", "literal"),
        ("topic", "dep.scans.vehicle.arena", "write", "literal"),
        ("topic", "dep.screening.results.arena", "read", "literal"),
        ("topic", "dep.screening.instructions.arena", "read", "literal"),
        ("topic", "dep.watchlist.updates", "read", "literal"),
        ("topic", "dep.screening.control", "read", "literal"),
        # Its own instructions to its site's gates, and the alerts it raised offline.
        ("topic", "dep.screening.instructions.arena", "write", "literal"),
        ("topic", "dep.screening.alerts", "write", "literal"),
        ("group", "edge-arena.", "read", "prefixed")}
    # No edge, no edge principal; an edge of an undeclared site is an error.
    assert not any(g.principal.startswith("edge-") for g in roles.grants(s, ["default"]))
    with pytest.raises(ValueError):
        roles.grants(s, ["default"], edges=("arena",))


def _update(op: str, record: dict[str, Any], at: str, update_id: str) -> bytes:
    body = record if op == "upsert" else {"list": record["list"], "id": record["id"]}
    return signed({"update_id": update_id, "op": op, "issued_at": at, "record": body})


async def test_live_updates_change_what_the_snapshot_answers(tmp_path: Path) -> None:
    snap = Snapshot.load(_lists(tmp_path / "lists"), _trusted())
    box = Outbox(tmp_path / "outbox.sqlite")
    feed = SnapshotFeed(Settings(), snap, box, _trusted())
    screener = Screener(snap, Settings())

    async def outcome(number: str) -> str:
        raw = orjson.dumps(scan(uuid4().hex, number, terminal_id="T1", checkpoint_id="C"))
        [done] = await screener.screen([RawScan("traveller", raw)])
        assert done.result is not None
        return done.result.outcome

    fresh = {**SLTD, "id": "S2", "document_number": "Z9876543"}
    assert await outcome("Z9876543") == "clear"
    feed._apply(_update("upsert", fresh, "2026-12-06T10:00:00Z", "u1"), 0, 1)
    assert await outcome("Z9876543") == "hit"
    assert snap.version.id == f"{snap.base}+1"
    # An older update of the record comes late: not applied over the newer one.
    feed._apply(_update("delete", fresh, "2026-12-06T09:00:00Z", "u0"), 0, 2)
    assert await outcome("Z9876543") == "hit"
    feed._apply(_update("delete", fresh, "2026-12-06T11:00:00Z", "u2"), 0, 3)
    assert await outcome("Z9876543") == "clear"
    # The file's own record deleted by an update; one re-added by another.
    feed._apply(_update("delete", SLTD, "2026-12-06T11:00:00Z", "u3"), 0, 4)
    assert await outcome("L898902C3") == "clear"
    # Unsigned or signed by a stranger: never applied.
    unsigned = orjson.dumps({"update_id": "u4", "op": "upsert",
                             "issued_at": "2026-12-06T12:00:00Z", "record": SLTD})
    feed._apply(unsigned, 0, 5)
    feed._apply(signed(orjson.loads(unsigned), stranger_key()), 0, 6)
    assert await outcome("L898902C3") == "clear"
    assert feed.refused == 2 and snap.updates == 3
    box.close()


# -- the routes -----------------------------------------------------------------------------

async def test_the_routes_authenticate_answer_and_count(edge: Edge, tmp_path: Path) -> None:
    path = tmp_path / "terminals"
    token = add_terminal(path, "T1", "CP-1")
    app = make_app(edge, TerminalRegistry(path), RateLimiter(100.0, 100))
    central: Any = edge.central
    central.answers[("T1", "e1")] = {"event_id": "e1", "outcome": "clear", "warnings": []}
    async with TestServer(app) as server, aiohttp.ClientSession() as http:
        url = str(server.make_url("/v1/scans/traveller"))
        async with http.post(url, data=orjson.dumps(scan())) as resp:
            assert resp.status == 401 and (await resp.json())["code"] == "UNAUTHENTICATED"
        auth = {"Authorization": f"Bearer {token}"}
        async with http.post(url, data=orjson.dumps(scan()), headers=auth) as resp:
            assert resp.status == 200 and (await resp.json())["outcome"] == "clear"
        central.mode = "down"
        async with http.post(url, data=orjson.dumps(scan("e2")), headers=auth) as resp:
            assert "OFFLINE" in (await resp.json())["warnings"]
        async with http.post(url, data=b"x" * 20_000, headers=auth) as resp:
            assert resp.status == 413 and (await resp.json())["code"] == "TOO_LARGE"
        async with http.get(str(server.make_url("/metrics"))) as resp:
            text = await resp.text()
    assert 'screening_edge_answers_total{outcome="clear",source="central"} 1.0' in text
    assert 'screening_edge_answers_total{outcome="hit",source="offline"} 1.0' in text
    assert ('screening_edge_requests_total{route="/v1/scans/traveller",status="401"} 1.0'
            in text)
    assert 'screening_edge_stored_scans{state="pending"} 1.0' in text


# -- group commit ---------------------------------------------------------------------------

async def test_writes_queued_together_commit_together_and_a_failing_one_alone(
        tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite")

    def bad() -> None:
        box.keep(Stored(0, "T1", "bad", "traveller", b"{}", b"{}"))
        raise ValueError("refused")

    writes = [box.write(box.keep, Stored(0, "T1", f"e{n}", "traveller", b"{}", b"{}"))
              for n in range(50)]
    done = await asyncio.gather(*writes[:25], box.write(bad), *writes[25:],
                                return_exceptions=True)
    assert isinstance(done[25], ValueError)
    assert done[:25] + done[26:] == [True] * 50
    box.close()
    again = Outbox(tmp_path / "outbox.sqlite")  # on disk, the failed one undone alone
    assert [r.event_id for r in await again.run(again.pending)] == [f"e{n}" for n in range(50)]
    again.close()


# -- the centre's answer differs: an instruction; local alerts ---------------------------

def _central(event_id: str, outcome: str, hits: list[dict[str, Any]] | None = None
             ) -> dict[str, Any]:
    return {"event_id": event_id, "terminal_id": "T1", "checkpoint_id": "CP-1",
            "kind": "traveller", "outcome": outcome, "hits": hits or [], "warnings": [],
            "decided_at": "2026-12-06T10:00:05Z", "watchlist_version": "v9"}


async def _settled(edge: Edge) -> None:
    for _ in range(20):  # the comparison runs on the outbox's thread
        await asyncio.sleep(0.01)
    await edge.outbox.run(lambda: None)


async def test_a_central_answer_that_differs_instructs_the_terminal_once(edge: Edge) -> None:
    central: Any = edge.central
    central.mode = "down"
    clear = await edge.scan("traveller", T1, orjson.dumps(scan("e1", number="Q1234567")))
    same = await edge.scan("traveller", T1, orjson.dumps(scan("e2", number="Q7654321")))
    assert clear.body["outcome"] == same.body["outcome"] == "clear"
    assert await edge.forward_pending() == 2
    hit = {"list": "notice", "record_id": "N1", "score": 1.0, "matched_on": ["document"],
           "category": "red"}
    # The centre: e1 is a hit (a notice the snapshot lacks), e2 clear as offline. A
    # result read twice (a restart reading the results again) instructs once.
    for _ in range(2):
        assert central.resume is not None
        central.resume.on_result(("T1", "e1"), _central("e1", "hit", [hit]))
        central.resume.on_result(("T1", "e2"), _central("e2", "clear"))
        await _settled(edge)
    found, next_ = await edge.instructions("T1", 0, 0.0)
    assert [(i["event_id"], i["instruction"], i["by"]) for i in found] == [
        ("e1", "REFER_SECONDARY", "edge")]
    from screening.core.decide import alert_id
    from screening.models import Hit
    assert found[0]["alert_id"] == alert_id("e1", Hit.model_validate(hit))
    assert found[0]["reference"] == clear.body["reference"]
    assert await edge.instructions("T2", 0, 0.0) == ([], 0)  # only its own terminal's
    assert await edge.instructions("T1", next_, 0.0) == ([], next_)
    # Published on the site's instructions topic once; read back, it is not kept twice.
    await edge.publish_pending()
    await edge.publish_pending()
    [(topic, key, value)] = central.published
    assert (topic, key) == (central.topics.instructions, b"T1")
    central.resume.on_instruction(value)
    await _settled(edge)
    assert len((await edge.instructions("T1", 0, 0.0))[0]) == 1
    # The operations room's instruction for the terminal, read from the topic: kept.
    room = {**orjson.loads(value), "by": "supervisor", "instruction": "PROCEED",
            "issued_at": "2026-12-06T10:05:00Z", "text": None}
    central.resume.on_instruction(orjson.dumps(room))
    await _settled(edge)
    assert [i["by"] for i in (await edge.instructions("T1", 0, 0.0))[0]] == [
        "edge", "supervisor"]


async def test_a_long_poll_wakes_when_an_instruction_comes(edge: Edge) -> None:
    central: Any = edge.central
    central.mode = "down"
    await edge.scan("traveller", T1, orjson.dumps(scan("e1")))  # a hit offline
    await edge.forward_pending()
    polling = asyncio.ensure_future(edge.instructions("T1", 0, 10.0))
    await asyncio.sleep(0.05)
    assert not polling.done()
    central.resume.on_result(("T1", "e1"), _central("e1", "clear"))  # the centre: clear
    found, _ = await asyncio.wait_for(polling, 5)
    assert [(i["event_id"], i["instruction"]) for i in found] == [("e1", "PROCEED")]


async def test_an_offline_hit_raises_a_local_alert_forwarded_once(edge: Edge,
                                                                  tmp_path: Path) -> None:
    central: Any = edge.central
    central.mode = "down"
    reply = await edge.scan("traveller", T1, orjson.dumps(scan("e1")))
    assert reply.body["outcome"] == "hit"
    path = tmp_path / "terminals"
    token = add_terminal(path, "T1", "CP-1")
    boss = add_terminal(path, "chief", "", role="supervisor")
    app = make_app(edge, TerminalRegistry(path), RateLimiter(100.0, 100))
    async with TestServer(app) as server, aiohttp.ClientSession() as http:
        url = str(server.make_url("/v1/alerts"))
        async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
            assert (resp.status, (await resp.json())["code"]) == (403, "WRONG_ROLE")
        async with http.get(url, headers={"Authorization": f"Bearer {boss}"}) as resp:
            page = await resp.json()
        [alert] = page["alerts"]
        assert alert["raised_offline"] and not alert["forwarded"]
        assert alert["hit"]["record_id"] == "S1" and alert["event_id"] == "e1"
        assert "L898902C3" not in orjson.dumps(alert).decode()  # masked, as the console
        scans = str(server.make_url("/v1/scans/traveller"))
        async with http.post(scans, data=orjson.dumps(scan("e7")),
                             headers={"Authorization": f"Bearer {boss}"}) as resp:
            assert resp.status == 403  # a supervisor posts no scan
        async with http.get(str(server.make_url("/alerts"))) as resp:
            assert resp.status == 200 and "Content-Security-Policy" in resp.headers
    # Back online: the alert goes before its scan, once, marked raised offline.
    assert await edge.forward_pending() == 1
    assert await edge.forward_pending() == 0
    [(topic, key, value)] = central.published
    assert topic == edge.alerts_topic and key == alert["alert_id"].encode()
    sent = orjson.loads(value)
    assert sent["raised_offline"] is True and sent["kind"] == "watchlist"
    shown, _ = await edge.alerts(0)
    assert [a["forwarded"] for a in shown] == [True]


# -- the copy of a Redis version: packed buckets --------------------------------------------

def test_a_packed_bucket_finds_each_field_and_only_at_a_field_boundary() -> None:
    from screening.edge.copy import Packed, pack

    raw = {b"abcdef": b"\x21S1", b"efabcd": b"\x22S2\x1eS3", b"zzzzzz": b""}
    bucket = pack(raw)
    assert isinstance(bucket, Packed)
    for field, value in raw.items():
        assert bucket.get(field) == value
    # "cdefef" appears across the first two fields (abcdEF|EFabcd): not a field.
    assert bucket.get(b"cdefef") is None
    assert bucket.get(b"nope00") is None and bucket.get(b"short") is None
    # Fields of several widths (a generic list's): kept as the dict it was.
    mixed = {b"a": b"1", b"bb": b"2"}
    assert pack(mixed) is mixed
