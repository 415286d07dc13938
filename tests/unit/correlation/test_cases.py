"""Cases: the alerts about one record or one correlated key share an id, made from what
the case is about (the same on every worker and on a replay)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from screening.cli.alerts import case_suffix
from screening.correlation.cases import key_case, record_case, with_cases
from screening.models import Alert, Hit

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def alert(record_id: str, kind: str = "watchlist", case_id: str | None = None) -> Alert:
    return Alert(alert_id=f"a-{record_id}", event_id="e", raised_at=NOW, priority="high",
                 checkpoint_id="cp", terminal_id="t", kind=kind, case_id=case_id,  # type: ignore[arg-type]
                 hit=Hit(list="notice", record_id=record_id, score=1.0, matched_on=[],
                         category="red"), subject={}, record={})


def test_watchlist_alerts_of_one_record_share_its_case() -> None:
    one, two, other = with_cases([alert("N1"), alert("N1"), alert("N2")])
    assert one.case_id == two.case_id == record_case("notice", "N1")
    assert other.case_id != one.case_id
    # A case given (correlation, retroactive) is kept; integrity alerts have none.
    kept, integrity = with_cases([alert("N1", "correlation", key_case("document:x")),
                                  alert("N1", "integrity")])
    assert kept.case_id == key_case("document:x") and integrity.case_id is None


def test_alerts_tail_numbers_the_sightings_of_a_case() -> None:
    cases: dict[str, int] = {}
    lines = [case_suffix(a, cases) for a in (
        {"case_id": "case-1"}, {"case_id": "case-2"}, {"case_id": "case-1"}, {})]
    assert lines == [" case=case-1 sighting=1", " case=case-2 sighting=1",
                     " case=case-1 sighting=2", ""]


def test_a_document_used_three_times_makes_one_case(memory_store: Any) -> None:
    import asyncio

    from tests.support.correlation import traveller

    async def go() -> list[Alert]:
        from screening.audit.digests import Digester
        from screening.core.engine import RawScan, Screener
        from screening.correlation.correlator import Correlator
        from screening.settings import Settings
        from screening.sites import Sites
        from tests.support.correlation import MemoryCorrelationState, raw

        c = Correlator(redis=None, settings=Settings(),  # type: ignore[arg-type]
                       digests=Digester(b"unit-test-audit-key-0123456789"), sites=Sites)
        c.state = MemoryCorrelationState()  # type: ignore[assignment]
        scans = [traveller(cp, m, number="C4X9F27L1")
                 for cp, m in (("g1", 0), ("g2", 0.2), ("g3", 0.4))]
        items = await Screener(memory_store, Settings()).screen(
            [RawScan(kind="traveller", value=raw(s), site="default") for s in scans])
        return await c.correlate(items)

    alerts = asyncio.run(go())
    assert len(alerts) == 3  # (g1, g2), (g1, g3), (g2, g3)
    assert len({a.case_id for a in alerts}) == 1
