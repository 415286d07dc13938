"""The event list through the real screening engine, from its own test data: who it hits,
what it tells the gate, and that a lapsed record no longer hits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from screening.core.engine import RawScan, Screener
from screening.models import ScanKind
from screening.settings import Settings
from screening.watchlists.event.mock import iter_events
from screening.watchlists.event.record import EventRecord
from tests.support.memory_store import MemoryStore

DATA = Path(__file__).parent.parent / "testdata" / "events.ndjson"
RECORDS = [orjson.loads(line) for line in DATA.read_bytes().splitlines()]
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def screen(kind: ScanKind, scan: dict[str, Any], now: datetime = NOW) -> Any:
    screener = Screener(MemoryStore(RECORDS), Settings(lookup_budget_s=0.2), clock=lambda: now)
    [item] = await screener.screen([RawScan(kind=kind, value=orjson.dumps(scan))])
    return item


def traveller(**parts: Any) -> dict[str, Any]:
    return {"event_id": "e1", "checkpoint_id": "cp1", "terminal_id": "t1",
            "scanned_at": "2026-12-06T11:59:00Z", **parts}


def vehicle(**veh: Any) -> dict[str, Any]:
    return {"event_id": "v1", "checkpoint_id": "cp1", "terminal_id": "t9",
            "scanned_at": "2026-12-06T11:59:00Z", "vehicle": veh}


@pytest.mark.parametrize(("name", "kind", "scan", "record_id", "category", "instruction"), [
    ("revoked accreditation, by name and date of birth", "traveller",
     traveller(document={"number": "X0000001", "issuing_state": "FRA"},
               holder={"surname": "Markovic", "given_names": "Stefan",
                       "date_of_birth": "1988-03-14", "nationality": "SRB"}),
     "EVT-ACC1", "revoked_accreditation", "REFER_SECONDARY"),
    ("revoked accreditation, by its document alone", "traveller",
     traveller(document={"number": "015533792", "issuing_state": "SRB"},
               holder={"surname": "Other", "given_names": "Person"}),
     "EVT-ACC1", "revoked_accreditation", "REFER_SECONDARY"),
    ("missing person: do not alarm", "traveller",
     traveller(document={"number": "T1234567", "issuing_state": "TUN"},
               holder={"surname": "Hamadi", "given_names": "Leila",
                       "date_of_birth": "2010-05-09", "nationality": "TUN"}),
     "EVT-MIS1", "missing_person", "PROTECT_PERSON"),
    ("vehicle lookout by VIN: seize is hold the vehicle", "vehicle",
     vehicle(vin="WVWZZZ1JZXW000001"), "EVT-VEH1", "vehicle_lookout", "HOLD_VEHICLE"),
    ("vehicle lookout by plate, spaced otherwise", "vehicle",
     vehicle(plate="VD987654", plate_country="CHE"), "EVT-VEH2", "vehicle_lookout",
     "DISCREET_CHECK"),
])
async def test_event_records_hit_and_tell_the_gate(name: str, kind: ScanKind, scan: dict[str, Any],
                                                   record_id: str, category: str,
                                                   instruction: str) -> None:
    item = await screen(kind, scan)
    assert item.result.outcome == "hit", name
    assert [(h.list, h.record_id, h.category) for h in item.result.hits] == [
        ("event", record_id, category)]
    assert item.result.instruction == instruction
    [alert] = item.alerts
    assert alert.record["owner"] and alert.record["list_name"] == category
    assert alert.record["id"] == record_id


async def test_a_record_past_valid_until_no_longer_hits() -> None:
    ban = traveller(document={"number": "X0000002", "issuing_state": "IRL"},
                    holder={"surname": "O'Neill", "given_names": "Patrick James",
                            "date_of_birth": "1979-07-02", "nationality": "IRL"})
    lapsed = await screen("traveller", ban)
    assert lapsed.result.outcome == "clear"
    # The same record, screened before it lapsed, hit.
    before = await screen("traveller", ban, now=datetime(2026, 10, 1, tzinfo=UTC))
    assert [h.record_id for h in before.result.hits] == ["EVT-BAN1"]


async def test_an_event_document_shows_masked_to_analysts() -> None:
    item = await screen("traveller", traveller(document={"number": "015533792",
                                                         "issuing_state": "SRB"}))
    [alert] = item.alerts
    assert alert.record["documents"] == [{"number": "******792", "issuing_state": "SRB"}]
    assert "015533792" not in alert.model_dump_json()
    assert "015533792" not in item.result.model_dump_json()


@pytest.mark.parametrize(("record", "words"), [
    ({"subject": "person"}, "a person needs at least one name"),
    ({"subject": "person", "names": [{"surname": "A"}], "plate": "AB1"}, "no vehicle fields"),
    ({"subject": "vehicle"}, "a vehicle needs vin or plate"),
    ({"subject": "vehicle", "plate": "AB1", "names": [{"surname": "A"}]}, "no person fields"),
    ({"subject": "person", "names": [{"surname": "A"}], "action": "shoot"}, "action"),
])
def test_a_record_that_mixes_or_lacks_its_subject_is_refused(record: dict[str, Any],
                                                             words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        EventRecord.model_validate({"list": "event", "id": "E1", "list_name": "x", **record})


def test_the_mock_writes_valid_records_of_both_subjects() -> None:
    records = list(iter_events(500, seed=3))
    assert len({r["id"] for r in records}) == 500
    subjects = {EventRecord.model_validate(r).subject for r in records}
    assert subjects == {"person", "vehicle"}
