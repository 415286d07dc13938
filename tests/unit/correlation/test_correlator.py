"""The correlator over the real screener and an in-memory state: which alerts a
scripted batch raises, what they say, and what they never hold."""

from __future__ import annotations

from typing import Any

from screening.audit.digests import Digester
from screening.core.engine import RawScan, Screener
from screening.correlation.correlator import Correlator, correlation_alert_id
from screening.metrics import Metrics
from screening.settings import Settings
from screening.sites import Site, Sites
from tests.support.correlation import MemoryCorrelationState, raw, traveller, vehicle

SITES = Sites.of([Site("arena", frozenset({"arena-n", "arena-s"}), "Arena", 48.2188, 11.6247),
                  Site("airport", frozenset({"air-1"}), "Airport", 48.3538, 11.7861)])
KEY = b"unit-test-audit-key-0123456789"


def correlator() -> tuple[Correlator, MemoryCorrelationState]:
    c = Correlator(redis=None, settings=Settings(), digests=Digester(KEY),  # type: ignore[arg-type]
                   sites=lambda: SITES, metrics=Metrics.create())
    state = MemoryCorrelationState()
    c.state = state  # type: ignore[assignment]
    return c, state


async def run(c: Correlator, memory_store: Any, *scans: tuple[str, dict[str, Any], str]):
    screener = Screener(memory_store, Settings())
    batch = [RawScan(kind=kind, value=raw(scan), site=site) for kind, scan, site in scans]
    items = await screener.screen(batch)
    return items, await c.correlate(items)


async def test_a_document_at_two_sites_too_soon_raises_one_alert(memory_store: Any) -> None:
    c, state = correlator()
    first = traveller("air-1", 0, number="C4X9F27L1")
    second = traveller("arena-n", 5, number="C4X9F27L1")
    _, none = await run(c, memory_store, ("traveller", first, "airport"))
    assert none == []
    items, [alert] = await run(c, memory_store, ("traveller", second, "arena"))
    assert items[0].alerts == [alert]
    assert alert.kind == "correlation" and alert.priority == "high"
    assert alert.correlation is not None
    assert alert.correlation.code == "DOCUMENT_SIMULTANEOUS_USE"
    assert alert.correlation.event_ids == [first["event_id"], second["event_id"]]
    assert alert.correlation.checkpoints == ["air-1", "arena-n"]
    assert alert.alert_id == correlation_alert_id("DOCUMENT_SIMULTANEOUS_USE",
                                                  second["event_id"], first["event_id"])
    assert alert.subject["document_number"] == "******7L1"
    # The state holds digests and ids, no document number or name.
    stored = repr(state.keys)
    for plain in ("C4X9F27L1", "NOVAK", "JANA", "1990-04-02"):
        assert plain not in stored

    # Replayed (a crash before the commit): the same alert, not a second one.
    _, again = await run(c, memory_store, ("traveller", second, "arena"))
    assert [a.alert_id for a in again] == [alert.alert_id]


async def test_one_person_with_two_documents_but_not_two_people_born_the_same_year(
        memory_store: Any) -> None:
    c, _ = correlator()
    await run(c, memory_store, ("traveller", traveller("arena-n", 0, number="AB1234567"),
                                "arena"))
    _, [alert] = await run(c, memory_store, (
        "traveller", traveller("air-1", 600, number="ZZ7654321"), "airport"))
    assert alert.correlation is not None
    assert alert.correlation.code == "PERSON_MULTIPLE_DOCUMENTS"
    assert alert.priority == "medium"

    # Same common name, only a year of birth: no person to correlate.
    c, _ = correlator()
    await run(c, memory_store, ("traveller", traveller(
        "arena-n", 0, number="AB1234567", surname="SMITH", given="JOHN", dob="1980"), "arena"))
    _, none = await run(c, memory_store, ("traveller", traveller(
        "air-1", 600, number="ZZ7654321", surname="SMITH", given="JOHN", dob="1980"),
        "airport"))
    assert none == []


async def test_two_scans_of_one_batch_correlate_and_each_pattern_once(memory_store: Any
                                                                      ) -> None:
    c, _ = correlator()
    a = traveller("arena-n", 0, number="C4X9F27L1")
    b = traveller("arena-s", 0.5, number="C4X9F27L1")
    _, alerts = await run(c, memory_store, ("traveller", a, "arena"),
                          ("traveller", b, "arena"))
    # Found under the document's key; the holder's key finds the pair too, but it is one
    # person with one document: one alert.
    assert [x.correlation.code for x in alerts if x.correlation] == [
        "DOCUMENT_SIMULTANEOUS_USE"]


async def test_a_cloned_plate(memory_store: Any) -> None:
    c, _ = correlator()
    await run(c, memory_store, ("vehicle", vehicle("arena-n", 0, plate="M AB 123",
                                                   vin="WVWZZZ1JZXW000001"), "arena"))
    _, [alert] = await run(c, memory_store, ("vehicle", vehicle(
        "air-1", 90, plate="M AB 123", vin="1M8GDM9AXKP042788"), "airport"))
    assert alert.correlation is not None and alert.correlation.code == "PLATE_VIN_MISMATCH"
    assert alert.scan_kind == "vehicle"


async def test_a_misread_vin_is_no_second_vehicle(memory_store: Any) -> None:
    c, _ = correlator()
    await run(c, memory_store, ("vehicle", vehicle("arena-n", 0, plate="M AB 123",
                                                   vin="1M8GDM9AXKP042788"), "arena"))
    # The same VIN with its check digit misread.
    _, none = await run(c, memory_store, ("vehicle", vehicle(
        "air-1", 90, plate="M AB 123", vin="1M8GDM9A1KP042788"), "airport"))
    assert none == []


async def test_the_simulators_designed_pattern_is_a_simultaneous_use(memory_store: Any
                                                                     ) -> None:
    from screening.cli.simulate import again_elsewhere

    c, _ = correlator()
    first = traveller("CP-01", 0, number="C4X9F27L1")
    second = again_elsewhere(first, traveller("CP-02", 0.2, number="OTHER0001"))
    _, [alert] = await run(c, memory_store, ("traveller", first, "default"),
                           ("traveller", second, "default"))
    assert alert.correlation is not None
    assert alert.correlation.code == "DOCUMENT_SIMULTANEOUS_USE"
    assert alert.correlation.checkpoints == ["CP-01", "CP-02"]
