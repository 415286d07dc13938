"""Retroactive screening's keys: a record is looked up under the digests its scans were
filed under, and only under keys that identify (no year-only date of birth)."""

from __future__ import annotations

from datetime import UTC, datetime

from screening.audit.digests import Digester
from screening.core.codec import decode_scan
from screening.core.prepare import prepare
from screening.correlation.retroactive import record_keys, retroactive_alert
from screening.correlation.sightings import Sighting, filings
from screening.models import CheckResult
from screening.settings import Settings
from screening.watchlists.lists import LISTS
from tests.support.correlation import raw, traveller, vehicle

D = Digester(b"unit-test-audit-key-0123456789")
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def record(body: dict) -> object:  # type: ignore[type-arg]
    return LISTS[body["list"]].model.model_validate(body)


def filed_keys(kind: str, scan: dict) -> set[str]:  # type: ignore[type-arg]
    s = decode_scan(kind, raw(scan), max_bytes=1 << 16)
    r = CheckResult(event_id=s.event_id, checkpoint_id=s.checkpoint_id,
                    terminal_id=s.terminal_id, kind=kind, outcome="clear", decided_at=NOW,
                    watchlist_version="v")
    return {f.key for f in filings(prepare(s, Settings()), r, None, D)}


def test_a_records_keys_are_those_its_scans_were_filed_under() -> None:
    scan = traveller("cp", 0, number="RT1234567", surname="WEBER", given="ANNA",
                     dob="1992-08-08", nationality="DEU", state="DEU")
    notice = record({"list": "notice", "id": "N1", "colour": "red",
                     "names": [{"surname": "Weber", "given_names": "Anna"}],
                     "date_of_birth": "1992-08-08", "nationalities": ["DEU"],
                     "documents": [{"number": "RT1234567", "issuing_state": "DEU"}]})
    assert set(record_keys(notice, D)) == filed_keys("traveller", scan)
    sltd = record({"list": "sltd", "id": "S1", "document_number": "RT1234567",
                   "issuing_state": "DEU", "document_type": "P", "status": "stolen",
                   "reported_at": "2026-01-01"})
    assert set(record_keys(sltd, D)) < filed_keys("traveller", scan)
    car = vehicle("cp", 0, plate="HH RT 42", vin="1M8GDM9AXKP042788")
    smv = record({"list": "smv", "id": "V1", "plate": "HH-RT-42", "plate_country": "D",
                  "vin": "1M8GDM9AXKP042788", "make": "VW", "model": "Golf",
                  "colour": "blue"})
    assert set(record_keys(smv, D)) == filed_keys("vehicle", car)


def test_a_person_known_by_a_year_of_birth_only_is_not_looked_up() -> None:
    notice = record({"list": "notice", "id": "N2", "colour": "yellow",
                     "names": [{"surname": "SMITH", "given_names": "JOHN"}],
                     "date_of_birth": "1980", "nationalities": ["GBR"]})
    assert record_keys(notice, D) == {}


def test_the_alert_says_where_and_when_and_keeps_its_id() -> None:
    notice = record({"list": "notice", "id": "N3", "colour": "blue",
                     "names": [{"surname": "A", "given_names": "B"}]})
    s = Sighting("e1", "arena-n", "t1", "arena", NOW.timestamp() - 3600)
    a = retroactive_alert(notice, s, ["name"], NOW)
    assert a.kind == "retroactive" and a.priority == "high"
    assert a.subject == {"scanned_at": "2026-12-07T11:00:00+00:00",
                         "checkpoint_id": "arena-n", "site": "arena"}
    assert "arena-n (arena)" in a.record["explanation"]
    assert retroactive_alert(notice, s, ["name"], NOW).alert_id == a.alert_id
