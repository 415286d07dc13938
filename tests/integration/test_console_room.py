"""The operations room's API against the real broker and Redis (issue 27): claims that
two analysts cannot both hold, on one console or two; reasons required; four eyes that
publish one confirmation and one instruction; undo within its window, with the gate told
to hold again; search by name, record, plate and whole document number within the
user's sites, masked; cases of many sightings; open alerts kept among thousands of
decided ones. The API is described in docs/console-api.md."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from screening.audit.digests import Digester, require_key
from screening.console.ledger import OpenLedger
from screening.correlation.cases import record_case
from screening.redis_client import make_redis
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening.sites import Site, record_site
from tests.support.console import (
    A_ANALYST,
    ANALYST,
    OTHER_ANALYST,
    OTHER_PASSWORD,
    PASSWORD,
    SITE_A,
    SITE_B,
    SUPERVISOR,
    console_settings,
    make_alert,
    publish,
)
from tests.support.console_pages import Page, next_event
from tests.support.services import collect

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(autouse=True)
async def _room_keys_removed(settings: Settings) -> AsyncIterator[None]:
    """The console's keys of this run (claims, pending confirmations, step locks,
    sessions) go with it: they live under {console:<prefix>}, which the run's clean-up
    (redis_client) does not match. (A scan of the shared server takes a while.)"""
    yield
    client = make_redis(console_settings(settings), socket_timeout=30.0)
    try:
        async for key in client.scan_iter(match=f"{{console:{settings.redis_prefix}}}:*",
                                          count=10_000):
            await client.unlink(key)
    finally:
        await client.aclose()


async def call(page: Page, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A request as the page makes it (JSON, its CSRF token)."""
    async with page.http.request(method, page.base + path, data=orjson.dumps(body or {}),
                                 headers={"Content-Type": "application/json",
                                          "X-CSRF-Token": page.csrf}) as resp:
        return resp.status, await resp.json()


async def step(page: Page, alert_id: str, decision: str, **extra: Any) -> tuple[int, Any]:
    return await call(page, "POST", "/api/decisions",
                      {"alert_id": alert_id, "decision": decision} | extra)


async def committed(settings: Settings, topic: str, seconds: float) -> list[dict[str, Any]]:
    """What a read_committed reader (a gate, a wall) finds on `topic`: read to the end
    committed when it joined (however long joining takes on a loaded machine), then for
    `seconds` more (what may still come)."""
    reader = AIOKafkaConsumer(topic, **aiokafka_options(settings), auto_offset_reset="earliest",
                              group_id=f"admin.room-{uuid.uuid4().hex[:8]}",
                              isolation_level="read_committed")
    await reader.start()
    got: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()

    async def read() -> None:
        batch = await reader.getmany(timeout_ms=200)
        got.extend(orjson.loads(m.value) for msgs in batch.values() for m in msgs)

    try:
        give_up = loop.time() + 60
        while not reader.assignment() and loop.time() < give_up:
            await read()
        parts = list(reader.assignment())
        assert parts, f"no partition of {topic} assigned in 60 s"
        ends = await reader.end_offsets(parts)  # read_committed: the last stable offsets
        while loop.time() < give_up and any(
                [await reader.position(tp) < ends[tp] for tp in parts]):
            await read()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            await read()
    finally:
        await reader.stop()
    return got


async def signed_in(pages: Any, server: Any, name: str, password: str = PASSWORD) -> Page:
    page: Page = pages(server)
    assert await page.sign_in(name, password) == 303
    return page


async def test_two_analysts_cannot_both_claim_and_a_claim_holds_across_replicas(
        console: Any, pages: Any, settings: Settings) -> None:
    alert = make_alert(priority="high")
    await publish(settings, settings.topic_alerts, [alert])
    first, second = await console(), await console()  # two replicas, one Redis
    one = await signed_in(pages, first, ANALYST)
    two = await signed_in(pages, second, OTHER_ANALYST, OTHER_PASSWORD)
    chief = await signed_in(pages, first, SUPERVISOR)
    watching = two.events()
    await next_event(watching, "snapshot")
    aid = alert["alert_id"]
    path = f"/api/alerts/{aid}/claim"

    answers = await asyncio.gather(call(one, "POST", path), call(two, "POST", path))
    assert sorted(s for s, _ in answers) == [200, 409], answers
    (_won, body), (_, lost) = sorted(answers, key=lambda a: a[0])
    holder, other = (one, two) if body["claimed_by"] == ANALYST else (two, one)
    assert lost == {"error": "claimed", "claimed_by": body["claimed_by"]}
    # The replica that did not take the claim tells its page all the same.
    told = await next_event(watching, "claim", lambda d: d["alert_id"] == aid)
    assert told["claimed_by"] == body["claimed_by"]

    # A step on someone else's claim is refused; the holder's goes through.
    status, refused = await step(other, aid, "acknowledged")
    assert (status, refused["error"]) == (409, "claimed"), refused
    assert (await call(other, "DELETE", path))[0] == 409, "only the holder hands it back"
    assert (await step(holder, aid, "acknowledged"))[0] == 202
    # A page opening now is sent the claim in its snapshot, on either replica.
    late = await signed_in(pages, second, SUPERVISOR)
    snap = await next_event(late.events(), "snapshot")
    assert [(c["alert_id"], c["claimed_by"]) for c in snap["claims"]] == [
        (aid, body["claimed_by"])]

    # A supervisor takes it over (an analyst may not), and may hand back anyone's.
    assert (await call(other, "POST", path, {"take_over": True}))[0] == 403
    status, taken = await call(chief, "POST", path, {"take_over": True})
    assert (status, taken["claimed_by"]) == (200, SUPERVISOR)
    assert (await call(holder, "POST", path))[1]["claimed_by"] == SUPERVISOR
    assert (await call(chief, "DELETE", path)) == (
        200, {"alert_id": aid, "claimed_by": None, "claimed_at": None})
    released = await next_event(watching, "claim",
                                lambda d: d["alert_id"] == aid and d["claimed_by"] is None)
    assert released["claimed_at"] is None
    # Unclaimed: an analyst's step claims it for them.
    assert (await step(other, aid, "verification_requested"))[1]["claimed_by"] == (
        OTHER_ANALYST if other is two else ANALYST)
    audit = [orjson.loads(m.value) for m in
             await collect(settings, settings.topic_audit, until=40, timeout=5)]
    acts = [(r["action"], r.get("outcome")) for r in audit
            if r["action"] in ("alert_claimed", "alert_released")]
    assert acts == [("alert_claimed", "claimed"), ("alert_claimed", "taken_over"),
                    ("alert_released", "released")], acts


async def test_a_false_match_needs_a_reason_and_the_page_is_told_which(
        console: Any, pages: Any, settings: Settings) -> None:
    alert = make_alert(priority="high")
    await publish(settings, settings.topic_alerts, [alert])
    page = await signed_in(pages, await console(), ANALYST)
    status, rules = await call(page, "GET", "/api/procedure")
    assert status == 200 and rules["four_eyes"] == {
        "enabled": True, "step": "confirmed", "priorities": ["critical"]}
    codes = [r["code"] for r in rules["reasons"]["dismissed"]]
    assert "different_person" in codes and rules["reasons"]["dismissed"][-1] == {
        "code": "other", "label_key": "reason.other", "needs_note": True}
    assert rules["undo_window_s"] == 10.0 and rules["next"]["raised"][0] == "acknowledged"

    aid = alert["alert_id"]
    status, body = await step(page, aid, "dismissed")
    assert status == 400 and "a reason is needed" in body["error"]
    assert (await step(page, aid, "dismissed", reason="owner_says_no_match"))[0] == 400
    assert (await step(page, aid, "dismissed", reason="other"))[0] == 400, "other: a note"
    status, body = await step(page, aid, "dismissed", reason="different_person")
    assert (status, body["reason"], body["instruction"]) == (202, "different_person",
                                                              "PROCEED")
    status, body = await call(page, "POST", f"/api/alerts/{aid}/claim")
    assert (status, body["error"]) == (409, "the alert is decided: there is nothing to claim")
    [decision] = await committed(settings, settings.topic(settings.topic_decisions), 2.0)
    assert (decision["decision"], decision["reason"]) == ("dismissed", "different_person")
    audit = [orjson.loads(m.value) for m in
             await collect(settings, settings.topic_audit, until=10, timeout=5)]
    assert [r.get("reason") for r in audit if r["action"] == "alert_decided"] == [
        "different_person"]


async def test_four_eyes_publish_one_confirmation_and_one_instruction(
        console: Any, pages: Any, settings: Settings) -> None:
    alert = make_alert(priority="critical")
    await publish(settings, settings.topic_alerts, [alert])
    first = await console()
    one = await signed_in(pages, first, ANALYST)
    stream = one.events()
    await next_event(stream, "snapshot")
    aid = alert["alert_id"]
    status, body = await step(one, aid, "confirmed", note="owner confirmed by phone")
    assert (status, body) == (202, {"alert_id": aid, "pending": True,
                                    "confirmations": [ANALYST]})
    told = await next_event(stream, "pending", lambda d: d["alert_id"] == aid)
    assert told["confirmations"] == [ANALYST]
    status, body = await step(one, aid, "confirmed")
    assert status == 409 and body["confirmations"] == [ANALYST], "the same analyst twice"
    instructions = settings.topic(settings.topic_instructions)
    assert await committed(settings, instructions, 1.0) == [], "nothing before the second"

    # The pending confirmation is in Redis: a replica started now (or this one
    # restarted) sees it, and the second analyst confirms there, on the first's claim.
    second = await console()
    two = await signed_in(pages, second, OTHER_ANALYST, OTHER_PASSWORD)
    snap = await next_event(two.events(), "snapshot")
    assert [p["alert_id"] for p in snap["pending"]] == [aid]
    status, body = await step(two, aid, "confirmed", note="seen the owner's answer")
    assert status == 202 and body["instruction"] == "REFER_SECONDARY", body
    assert (body["analyst"], body["second_analyst"]) == (ANALYST, OTHER_ANALYST)
    assert (await step(one, aid, "confirmed"))[0] == 409

    decisions = await committed(settings, settings.topic(settings.topic_decisions), 2.0)
    assert [(d["decision"], d["analyst"], d["second_analyst"]) for d in decisions] == [
        ("confirmed", ANALYST, OTHER_ANALYST)]
    assert decisions[0]["note"] == "owner confirmed by phone\nseen the owner's answer"
    sent = await committed(settings, instructions, 1.0)
    assert [(i["alert_id"], i["instruction"]) for i in sent] == [(aid, "REFER_SECONDARY")]
    gone = await next_event(stream, "pending", lambda d: d["alert_id"] == aid
                            and not d["pending"])
    assert gone["confirmations"] == []


async def test_undo_within_the_window_tells_the_gate_to_hold_again_and_not_after(
        console: Any, pages: Any, settings: Settings) -> None:
    quick, late = make_alert(priority="high"), make_alert(priority="high")
    await publish(settings, settings.topic_alerts, [quick, late])
    server = await console(console_undo_window_s=3.0)
    page = await signed_in(pages, server, ANALYST)
    other = await signed_in(pages, server, SUPERVISOR)
    aid = quick["alert_id"]
    assert (await step(page, aid, "acknowledged"))[0] == 202
    assert (await step(page, aid, "dismissed", reason="different_person"))[0] == 202
    assert (await call(other, "POST", f"/api/alerts/{aid}/undo"))[0] == 409, "not theirs"
    status, body = await call(page, "POST", f"/api/alerts/{aid}/undo")
    assert status == 202, body
    assert (body["decision"], body["undoes"], body["instruction"]) == (
        "acknowledged", "dismissed", "REFER_SECONDARY")
    assert body["claimed_by"] == ANALYST, "the alert is open again, and theirs"
    assert (await call(page, "POST", f"/api/alerts/{aid}/undo"))[0] == 409, "no undo of an undo"
    # The procedure goes on from where it was.
    assert (await step(page, aid, "dismissed", reason="duplicate_alert"))[0] == 202

    assert (await step(page, late["alert_id"], "dismissed", reason="exercise"))[0] == 202
    await asyncio.sleep(3.5)
    status, body = await call(page, "POST", f"/api/alerts/{late['alert_id']}/undo")
    assert status == 409 and "too late" in body["error"]

    sent = await committed(settings, settings.topic(settings.topic_instructions), 2.0)
    assert [(i["alert_id"], i["instruction"]) for i in sent] == [
        (aid, "PROCEED"), (aid, "REFER_SECONDARY"), (aid, "PROCEED"),
        (late["alert_id"], "PROCEED")]
    assert "withdrew" in sent[1]["text"]
    decisions = await committed(settings, settings.topic(settings.topic_decisions), 1.0)
    assert [(d["decision"], d.get("undoes")) for d in decisions
            if d["alert_id"] == aid] == [("acknowledged", None), ("dismissed", None),
                                         ("acknowledged", "dismissed"), ("dismissed", None)]
    audit = [orjson.loads(m.value) for m in
             await collect(settings, settings.topic_audit, until=20, timeout=5)]
    assert [r["outcome"] for r in audit if r["action"] == "decision_undone"] == [
        "dismissed->acknowledged"]


async def declare_sites(redis_client: Any, settings: Settings) -> None:
    await record_site(redis_client, settings, Site(SITE_A, frozenset({"arena-g1"})))
    await record_site(redis_client, settings, Site(SITE_B, frozenset({"stadium-g1"})))


async def test_search_finds_by_name_record_plate_and_whole_document_within_the_sites(
        console: Any, pages: Any, settings: Settings, redis_client: Any) -> None:
    await declare_sites(redis_client, settings)
    digests = Digester(require_key(settings))
    mine = make_alert(checkpoint="arena-g1", surname="MÜLLER", given="ANNA",
                      document_key=digests.digest("document_number", "L898902C3"))
    theirs = make_alert(checkpoint="stadium-g1", surname="MUELLER", given="ANNA")
    car = make_alert(list_="smv", category="stolen_vehicle", checkpoint="arena-g1")
    await publish(settings, settings.topic_alerts, [mine, theirs, car])
    server = await console()
    ana = await signed_in(pages, server, A_ANALYST)
    chief = await signed_in(pages, server, SUPERVISOR)

    async def found(page: Page, q: str) -> list[tuple[str, list[str]]]:
        status, body = await call(page, "GET", f"/api/search?q={q}")
        assert status == 200, body
        assert "L898902C3" not in orjson.dumps(body).decode(), "a number shown whole"
        assert "AB123CD" not in orjson.dumps(body).decode(), "a plate shown whole"
        return [(r["alert"]["alert_id"], r["matched_on"]) for r in body["results"]]

    assert await found(ana, "mueller") == [(mine["alert_id"], ["name"])], "not site B's"
    assert {a for a, _ in await found(chief, "Müller Anna")} == {
        mine["alert_id"], theirs["alert_id"]}
    assert await found(ana, mine["hit"]["record_id"]) == [(mine["alert_id"], ["record"])]
    assert await found(ana, "ab-123 cd") == [(car["alert_id"], ["plate"])]
    assert await found(ana, "AB123") == [], "plates whole, never in part"
    assert await found(ana, "L89890 2C3") == [(mine["alert_id"], ["document"])]
    assert await found(ana, "898902C3") == [], "documents whole, never in part"
    assert await found(ana, "2C3") == []
    assert (await call(ana, "GET", "/api/search?q=" + "x" * 101))[0] == 400
    _status, body = await call(ana, "GET", "/api/search?q=anna")
    assert body["results"][0]["alert"]["subject"]["document_number"] == "******2C3"

    audit = [orjson.loads(m.value) for m in
             await collect(settings, settings.topic_audit, until=12, timeout=5)]
    searches = [r for r in audit if r["action"] == "search"]
    assert len(searches) >= 8 and all(r["actor"]["kind"] == "analyst" for r in searches)
    text = orjson.dumps(searches).decode().upper()
    for query in ("L898902C3", "L89890", "MUELLER", "MÜLLER", "AB-123", "AB123CD"):
        assert query not in text, f"{query} on the audit"
    assert digests.digest("document_number", "L898902C3").upper() in text, "for the auditor"


async def test_a_case_groups_36_sightings_of_one_document_with_their_timeline(
        console: Any, pages: Any, settings: Settings, redis_client: Any) -> None:
    await declare_sites(redis_client, settings)
    record_id = f"sltd-{uuid.uuid4().hex[:8]}"
    case = record_case("sltd", record_id)
    start = datetime.now(UTC) - timedelta(minutes=10)
    sightings = []
    for i in range(36):
        alert = make_alert(list_="sltd", category="lost", priority="high" if i else "critical",
                           checkpoint=("arena-g1", "stadium-g1", "arena-g1")[i % 3],
                           case_id=case)
        alert["hit"]["record_id"] = alert["record"]["id"] = record_id
        alert["raised_at"] = (start + timedelta(seconds=15 * i)).isoformat()
        sightings.append(alert)
    # (A possible match tells no gate: the declared sites have no instructions topics here.)
    sightings[1]["tier"] = "possible"
    other = make_alert(list_="sltd", checkpoint="arena-g1",
                       case_id=record_case("sltd", "another"))
    await publish(settings, settings.topic_alerts, [*sightings, other])
    server = await console()
    chief = await signed_in(pages, server, SUPERVISOR)
    ana = await signed_in(pages, server, A_ANALYST)
    assert (await step(chief, sightings[1]["alert_id"], "dismissed",
                       reason="duplicate_alert"))[0] == 202

    status, body = await call(chief, "GET", "/api/cases")
    assert status == 200
    [summary] = [c for c in body["cases"] if c["case_id"] == case]
    assert (summary["sightings"], summary["priority"], summary["record_id"]) == (
        36, "critical", record_id)
    assert summary["checkpoints"] == ["arena-g1", "stadium-g1"]
    assert summary["sites"] == [SITE_A, SITE_B] and len(summary["open_alerts"]) == 35
    assert datetime.fromisoformat(summary["first_seen"]) == datetime.fromisoformat(
        sightings[0]["raised_at"])
    status, body = await call(chief, "GET", f"/api/cases/{case}")
    assert status == 200 and len(body["timeline"]) == 36
    assert [s["alert_id"] for s in body["timeline"]] == [a["alert_id"] for a in sightings]
    assert body["timeline"][1]["state"] == "dismissed" and body["timeline"][1]["steps"][0][
        "reason"] == "duplicate_alert"
    assert {s["site"] for s in body["timeline"]} == {SITE_A, SITE_B}

    # An analyst of site A sees the sightings at their site only.
    status, body = await call(ana, "GET", f"/api/cases/{case}")
    assert status == 200 and len(body["timeline"]) == 24
    assert {s["checkpoint_id"] for s in body["timeline"]} == {"arena-g1"}
    b_only = make_alert(checkpoint="stadium-g1", case_id="case-b-only")
    await publish(settings, settings.topic_alerts, [b_only])
    await asyncio.sleep(1.0)
    assert (await call(ana, "GET", "/api/cases/case-b-only"))[0] == 404


async def test_open_alerts_stay_among_thousands_of_decided_ones(
        console: Any, pages: Any, settings: Settings) -> None:
    opened = [make_alert(priority="critical", age_s=3600 - i) for i in range(3)]
    decided = [make_alert(priority="low") for _ in range(2000)]
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", linger_ms=20)
    await producer.start()
    try:
        for alert in [*opened, *decided]:
            await producer.send(settings.topic(settings.topic_alerts), orjson.dumps(alert),
                                key=alert["alert_id"].encode())
        now = datetime.now(UTC).isoformat()
        for alert in decided:
            await producer.send(settings.topic(settings.topic_decisions), orjson.dumps({
                "alert_id": alert["alert_id"], "decision": "dismissed", "analyst": "bulk",
                "decided_at": now, "note": "", "reason": "exercise"}),
                key=alert["alert_id"].encode())
        await producer.flush()
    finally:
        await producer.stop()
    server = await console(console_max_alerts=100, console_lookback=5000)
    page = await signed_in(pages, server, SUPERVISOR)
    snap = await next_event(page.events(), "snapshot")
    ids = {a["alert_id"] for a in snap["alerts"]}
    assert {a["alert_id"] for a in opened} <= ids, "an open alert was dropped"
    assert (len(ids), snap["open"], snap["decided_left_out"]) == (103, 3, 1900)



async def test_a_console_started_later_reads_back_every_open_alert_however_old(
        console: Any, pages: Any, settings: Settings) -> None:
    """The look-back is 5 alerts a partition; the open alert is 120 alerts back."""
    first = await console(console_lookback=5)
    old_open, old_decided = make_alert(priority="critical"), make_alert(priority="low")
    await publish(settings, settings.topic_alerts, [old_open, old_decided])
    await publish(settings, settings.topic_decisions, [{
        "alert_id": old_decided["alert_id"], "decision": "dismissed", "analyst": "bulk",
        "decided_at": datetime.now(UTC).isoformat(), "note": "", "reason": "exercise"}])
    ledger = OpenLedger(make_redis(console_settings(settings)), settings.redis_prefix)
    later = [make_alert(priority="low") for _ in range(120)]
    await publish(settings, settings.topic_alerts, later)
    await publish(settings, settings.topic_decisions, [{
        "alert_id": a["alert_id"], "decision": "dismissed", "analyst": "bulk",
        "decided_at": datetime.now(UTC).isoformat(), "note": "", "reason": "exercise"}
        for a in later])
    page = await signed_in(pages, first, SUPERVISOR)
    snap = await next_event(page.events(), "snapshot")
    assert snap["open"] == 1
    for _ in range(50):  # noted in Redis after the batch that read it
        if set(await ledger.load()) == {old_open["alert_id"]}:
            break
        await asyncio.sleep(0.1)
    assert set(await ledger.load()) == {old_open["alert_id"]}

    restarted = await console(console_lookback=5)
    page = await signed_in(pages, restarted, SUPERVISOR)
    snap = await next_event(page.events(), "snapshot")
    ids = [a["alert_id"] for a in snap["alerts"]]
    assert old_open["alert_id"] in ids, "an open alert older than the look-back was dropped"
    assert old_decided["alert_id"] not in ids and len(ids) < 60, "the look-back is short"
    assert snap["open"] == 1
    # Decided now: no longer noted, and a console started next reads the look-back only.
    assert (await step(page, old_open["alert_id"], "dismissed", reason="exercise",
                       note="drill"))[0] == 202
    for _ in range(50):
        if not await ledger.load():
            break
        await asyncio.sleep(0.1)
    assert await ledger.load() == {}
    await ledger.redis.aclose()
