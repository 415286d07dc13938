"""Search records: one per answered scan, a stable id, valid as AuditRecord, written in
the same produce batch as the result; and the query's filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import SecretStr

from screening.agents.publish import Outputs
from screening.audit.digests import Digester, query_sets
from screening.audit.query import Criteria, describe
from screening.audit.records import SearchAudit, audit_id
from screening.core.engine import RawScan, Screener
from screening.metrics import Metrics
from screening.models import AuditRecord
from screening.settings import Settings
from tests.support.producer import FakeApp, FakeProducer

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
KEY = "audit-unit-test-key-0123456789"
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def settings(**kw: Any) -> Settings:
    return Settings(audit_key=SecretStr(KEY), lookup_budget_s=0.2, **kw)


def scans() -> list[tuple[str, dict[str, Any] | bytes]]:
    base = {"checkpoint_id": "cp1", "terminal_id": "t1", "scanned_at": "2026-11-28T11:59:59Z"}
    return [
        ("traveller", {**base, "event_id": "e-mrz", "document": {"mrz": TD3}}),
        ("traveller", {**base, "event_id": "e-printed", "document": {
            "number": "X1234567", "issuing_state": "UTO"},
            "holder": {"surname": "Okafor", "given_names": "Chinedu",
                       "date_of_birth": "1980"}}),
        ("vehicle", {**base, "event_id": "e-car", "vehicle": {
            "vin": "1M8GDM9AXKP042788", "plate": "B-AB 1234", "plate_country": "D"}}),
        ("traveller", {**base, "event_id": "e-bad", "document": {"number": "X1"}}),  # rejected
        ("traveller", b"{not json"),  # no event id: no search record
    ]


async def screened(store: Any, s: Settings) -> list[Any]:
    screener = Screener(store, s, clock=lambda: NOW)
    raws = [RawScan(kind=k, value=v if isinstance(v, bytes) else orjson.dumps(v),  # type: ignore[arg-type]
                    topic="scans.traveller", partition=0, offset=i, site="default")
            for i, (k, v) in enumerate(scans())]
    return await screener.screen(raws)


async def test_one_valid_record_per_answered_scan_with_a_stable_id(memory_store: Any) -> None:
    s = settings()
    audit = SearchAudit(Digester(KEY.encode()), s)
    items = await screened(memory_store, s)
    records = [audit.record(i) for i in items]
    assert records[-1] is None  # unreadable: no event id to key it by
    made = [r for r in records if r is not None]
    assert [k for k, _ in made] == [b"e-mrz", b"e-printed", b"e-car", b"e-bad"]
    parsed = [AuditRecord.model_validate_json(v) for _, v in made]
    assert {p.action for p in parsed} == {"search"}
    assert [p.outcome for p in parsed] == ["hit", "hit", "hit", "rejected"]
    assert parsed[0].alert_id and parsed[0].actor.principal == "site-default"
    assert parsed[3].reason == "INVALID_FIELD"
    # screened again (a replay after a crash): the same ids
    again = [audit.record(i) for i in await screened(memory_store, s)]
    assert [orjson.loads(v)["audit_id"] for _, v in made] == [
        orjson.loads(r[1])["audit_id"] for r in again if r is not None]
    assert len({p.audit_id for p in parsed}) == 4
    assert audit_id("search", "t", 0, 1) != audit_id("search", "t", 0, 2)
    assert audit_id("search", "t", 0, 1) != audit_id("search", "t", 1, 1)


async def test_the_query_finds_its_scans_and_no_others(memory_store: Any) -> None:
    s = settings()
    d = Digester(KEY.encode())
    audit = SearchAudit(d, s)
    records = [orjson.loads(r[1]) for i in await screened(memory_store, s)
               if (r := audit.record(i)) is not None]

    def events(**kw: Any) -> list[str]:
        c = Criteria(digest_sets=query_sets(d, **{k: v for k, v in kw.items()
                                                  if k not in ("actor", "since", "until")}),
                     actor=kw.get("actor"), since=kw.get("since"), until=kw.get("until"))
        return [r["event_id"] for r in records if c.matches(r)]

    assert events(document="L898902C3", state="UTO") == ["e-mrz"]
    assert events(document="l898 902c3") == ["e-mrz"]
    assert events(name="Eriksson, Anna Maria", dob="1974-08-12") == ["e-mrz"]
    assert events(name="OKAFOR, CHINEDU", dob="1980") == ["e-printed"]
    assert events(vin="1m8gdm9axkp042788") == ["e-car"]
    assert events(plate="BAB1234", country="DEU") == ["e-car"]
    assert events(plate="BAB1234", country="F") == []
    assert events(document="X1234567") == ["e-printed"]
    assert events(actor="t1") == ["e-mrz", "e-printed", "e-car", "e-bad"]
    assert events(actor="site-default", document="X1234567") == ["e-printed"]
    assert events(actor="t2") == []
    assert events(since=NOW) == ["e-mrz", "e-printed", "e-car", "e-bad"]
    assert events(until=datetime(2026, 11, 28, 11, 0, tzinfo=UTC)) == []
    # with another key, nothing
    other = Digester(b"another-key-of-32-characters-xx")
    c = Criteria(digest_sets=query_sets(other, document="L898902C3", state="UTO"))
    assert [r for r in records if c.matches(r)] == []
    line = describe(records[0])
    assert "search" in line and "searched=document" in line and "L898902C3" not in line


async def test_published_with_the_results_in_the_same_batches(memory_store: Any) -> None:
    s = settings()
    producer = FakeProducer(partitions=4)
    outputs = Outputs(FakeApp(producer), s)  # type: ignore[arg-type]

    class Ctx:
        metrics = Metrics.create()

    items = await screened(memory_store, s)
    await outputs.publish(Ctx(), items)  # type: ignore[arg-type]
    sent = [(t, k, v) for t, _, batch in producer.sent for k, v in batch.records]
    audits = [(k, v) for t, k, v in sent if t == "screening.audit"]
    results = [v for t, _, v in sent if t == "screening.results"]
    assert len(audits) == len(results) == 4
    assert sorted(k for k, _ in audits) == sorted([b"e-mrz", b"e-printed", b"e-car", b"e-bad"])
    # placed by the scan's own partition (0 here), the same on a replay
    assert {p for t, p, _ in producer.sent if t == "screening.audit"} == {0}
    # off: no record, the rest unchanged
    producer2 = FakeProducer(partitions=4)
    off = Outputs(FakeApp(producer2), settings(audit_searches=False))  # type: ignore[arg-type]
    await off.publish(Ctx(), items)  # type: ignore[arg-type]
    topics = {t for t, _, _ in producer2.sent}
    assert "screening.audit" not in topics and "screening.results" in topics


def test_drills_are_left_out_of_audit_queries_unless_asked() -> None:
    drill = {"action": "search", "exercise": True, "at": "2026-12-07T12:00:00+00:00"}
    real = {"action": "search", "at": "2026-12-07T12:00:00+00:00"}
    assert Criteria().matches(real) and not Criteria().matches(drill)
    assert Criteria(exercise=True).matches(drill) and Criteria(exercise=True).matches(real)
