from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from screening.core.codec import decode_scan
from screening.core.prepare import prepare
from screening.exceptions import InvalidScan
from screening.matching.checkdigits import vin_check_digit
from screening.matching.documents import confusable_variants
from screening.matching.mrz import compare_with_fields, parse_mrz
from screening.matching.normalize import (
    normalize_document_number,
    normalize_plate,
)
from screening.mockdata.lists import generate_lists, iter_notices, iter_sltd, iter_smv
from screening.mockdata.samples import ListSample, sample_from_files
from screening.mockdata.scans import Expect, ScanFactory
from screening.models import TravellerScan, VehicleScan
from screening.settings import Settings
from screening.watchlists.actions import lapsed

FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = Settings()


@pytest.fixture(scope="module")
def sample() -> ListSample:
    return ListSample.of([*iter_sltd(3000, 1), *iter_notices(3000, 1), *iter_smv(3000, 1)])


@pytest.fixture
def factory(sample: ListSample) -> ScanFactory:
    return ScanFactory(seed=11, sample=sample, now=lambda: FIXED_NOW)


def _mrz_agrees(scan: dict[str, Any]) -> None:
    mrz = parse_mrz(scan["document"]["mrz"], today=FIXED_NOW.date())
    assert mrz.check_digits_ok, mrz.failed_checks
    holder = scan.get("holder")
    if holder:
        assert compare_with_fields(mrz, **holder) == []


def test_ordinary_travellers_validate_and_their_mrzs_verify(factory: ScanFactory) -> None:
    modes: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    for _ in range(2000):
        scan = factory.traveller()
        TravellerScan.model_validate(scan)
        doc = scan["document"]
        if "mrz" in doc:
            _mrz_agrees(scan)
            formats[parse_mrz(doc["mrz"], today=FIXED_NOW.date()).format] += 1
            modes["both" if "holder" in scan else "mrz"] += 1
        else:
            assert doc["number"] and doc["issuing_state"] and scan["holder"]["surname"]
            modes["fields"] += 1
    assert modes["mrz"] and modes["both"] and modes["fields"]
    assert formats["TD3"] > formats["TD1"] > 0


def test_event_ids_unique_and_terminals_from_the_layout(sample: ListSample) -> None:
    factory = ScanFactory(seed=1, sample=sample, checkpoints=2, terminals_per_checkpoint=3)
    scans = [factory.traveller() for _ in range(500)] + [factory.vehicle() for _ in range(500)]
    assert len({s["event_id"] for s in scans}) == len(scans)
    assert {s["terminal_id"] for s in scans} == {f"CP-0{c}-T{t}" for c in (1, 2) for t in (1, 2, 3)}
    assert all(datetime.fromisoformat(s["scanned_at"]).tzinfo for s in scans)


def test_ordinary_travellers_never_carry_a_listed_number(
    factory: ScanFactory, sample: ListSample
) -> None:
    listed = {normalize_document_number(r["document_number"]) for r in sample.sltd}
    listed |= {
        normalize_document_number(d["number"]) for r in sample.notices for d in r["documents"]
    }
    for _ in range(3000):
        doc = factory.traveller()["document"]
        number = doc.get("number") or parse_mrz(doc["mrz"], today=FIXED_NOW.date()).document_number
        assert normalize_document_number(number) not in listed


def test_sltd_hits_carry_the_record_number_and_state(factory: ScanFactory) -> None:
    by_id = {r["id"]: r for r in factory.sample.sltd}
    seen: Counter[str] = Counter()
    for _ in range(400):
        scan, name, record_id = factory.traveller_hit()
        TravellerScan.model_validate(scan)
        seen[name] += 1
        if name != "sltd":
            continue
        record = by_id[record_id]
        doc = scan["document"]
        if "mrz" in doc:
            _mrz_agrees(scan)
            mrz = parse_mrz(doc["mrz"], today=FIXED_NOW.date())
            number, state = mrz.document_number, mrz.issuing_state
        else:
            number, state = doc["number"], doc["issuing_state"]
        listed = normalize_document_number(record["document_number"])
        if (typed := normalize_document_number(number)) != listed:  # an officer's typo
            assert "mrz" not in doc
            assert (typed, 1) in confusable_variants(listed)
            seen["mistyped"] += 1
        assert state == record["issuing_state"]
    assert seen["sltd"] > seen["notice"] > 0
    assert 0 < seen["mistyped"] < seen["sltd"] / 5


def test_notice_hits_by_name_or_by_document(factory: ScanFactory) -> None:
    by_id = {r["id"]: r for r in factory.sample.notices}
    by_name = by_document = 0
    for _ in range(600):
        scan, name, record_id = factory.traveller_hit()
        if name != "notice":
            continue
        record = by_id[record_id]
        holder, doc = scan.get("holder", {}), scan["document"]
        number = doc.get("number") or parse_mrz(doc["mrz"], today=FIXED_NOW.date()).document_number
        docs = {normalize_document_number(d["number"]) for d in record["documents"]}
        if normalize_document_number(number) in docs:
            by_document += 1
            continue
        by_name += 1
        first = record["names"][0]
        assert holder["surname"] == first["surname"]
        assert holder["given_names"] == first["given_names"]
        assert holder["date_of_birth"].startswith(record["date_of_birth"])
        if "mrz" in doc:
            _mrz_agrees(scan)
    assert by_name > by_document > 0


def test_ordinary_vehicles_validate_with_valid_vins(factory: ScanFactory) -> None:
    listed = {normalize_plate(r["plate"]) for r in factory.sample.smv if "plate" in r}
    listed_vins = {r["vin"] for r in factory.sample.smv if "vin" in r}
    for _ in range(2000):
        scan = factory.vehicle()
        VehicleScan.model_validate(scan)
        vehicle = scan["vehicle"]
        assert 0.6 <= scan["read_confidence"] <= 1.0
        if "vin" in vehicle:
            assert vehicle["vin"][8] == vin_check_digit(vehicle["vin"])
            assert vehicle["vin"] not in listed_vins
        if "plate" in vehicle:
            assert normalize_plate(vehicle["plate"]) not in listed


def test_vehicle_hits_by_vin_or_plate(factory: ScanFactory) -> None:
    by_id = {r["id"]: r for r in factory.sample.smv}
    how: Counter[str] = Counter()
    for _ in range(500):
        scan, name, record_id = factory.vehicle_hit()
        VehicleScan.model_validate(scan)
        assert name == "smv"
        record, vehicle = by_id[record_id], scan["vehicle"]
        if "vin" in vehicle:
            assert vehicle["vin"] == record["vin"]
            how["vin"] += 1
        else:
            assert normalize_plate(vehicle["plate"]) == normalize_plate(record["plate"])
            assert vehicle.get("plate_country") == record.get("plate_country")
            how["plate"] += 1
            how["reformatted"] += vehicle["plate"] != record["plate"]
    assert how["vin"] and how["plate"] and how["reformatted"]


def test_malformed_payloads_never_validate(factory: ScanFactory) -> None:
    for _ in range(500):
        payload = factory.malformed()
        assert isinstance(payload, bytes)
        try:
            value = orjson.loads(payload)
        except orjson.JSONDecodeError:
            continue
        with pytest.raises(ValidationError):
            model = VehicleScan if isinstance(value, dict) and "vehicle" in value else TravellerScan
            model.model_validate(value)


def test_mixed_stream_expectations(factory: ScanFactory) -> None:
    items = list(factory.mixed(3000, 0.1, vehicle_share=0.3, malformed_share=0.05))
    outcomes = Counter(e.outcome for _, _, e in items)
    assert 0.07 < outcomes["hit"] / 3000 < 0.13
    assert 0.03 < outcomes["rejected"] / 3000 < 0.07
    kinds = Counter(k for k, _, _ in items)
    assert 0.25 < kinds["vehicle"] / 3000 < 0.35
    for kind, payload, expect in items:
        assert kind in ("traveller", "vehicle")
        if expect.outcome == "rejected":
            assert isinstance(payload, bytes)
            with pytest.raises(InvalidScan) as refused:  # as the worker would refuse it
                prepare(decode_scan(kind, payload, max_bytes=SETTINGS.max_scan_bytes), SETTINGS)
            assert refused.value.event_id == expect.event_id, payload[:200]
            continue
        assert isinstance(payload, dict)
        (VehicleScan if kind == "vehicle" else TravellerScan).model_validate(payload)
        assert expect.event_id == payload["event_id"]
        if expect.outcome == "hit":
            assert expect.list in ("sltd", "notice", "smv") and expect.record_id
            assert (expect.list == "smv") == (kind == "vehicle")
        else:
            assert expect == Expect("clear", event_id=payload["event_id"])


def test_hits_need_a_sample() -> None:
    factory = ScanFactory(seed=1)
    with pytest.raises(ValueError):
        factory.traveller_hit()
    with pytest.raises(ValueError):
        next(factory.mixed(10, 0.5))
    assert all(e.outcome == "clear" for _, _, e in factory.mixed(50, 0.0))


def test_deterministic_per_seed_but_for_event_ids(sample: ListSample) -> None:
    def strip(scans: list[Any]) -> list[Any]:
        return [(k, {f: v for f, v in p.items() if f != "event_id"}, e.outcome, e.record_id)
                for k, p, e in scans]  # fmt: skip

    a = ScanFactory(seed=5, sample=sample, now=lambda: FIXED_NOW).mixed(300, 0.2)
    b = ScanFactory(seed=5, sample=sample, now=lambda: FIXED_NOW).mixed(300, 0.2)
    c = ScanFactory(seed=6, sample=sample, now=lambda: FIXED_NOW).mixed(300, 0.2)
    sa, sb, sc = strip(list(a)), strip(list(b)), strip(list(c))
    assert sa == sb
    assert sa != sc


def test_sample_from_files(tmp_path: Path) -> None:
    paths = generate_lists(tmp_path, sltd=2000, notices=500, smv=30, seed=3)
    sample = sample_from_files(paths.values(), per_list=100, seed=1)
    # Every vehicle that can still hit: a record past its valid_until cannot.
    vehicles = [orjson.loads(line) for line in paths["smv"].read_bytes().splitlines()]
    live = [v for v in vehicles if not lapsed(v.get("valid_until"), datetime.now(UTC))]
    assert 0 < len(live) < len(vehicles) == 30
    assert (len(sample.sltd), len(sample.notices), len(sample.smv)) == (100, 100, len(live))
    assert {r["list"] for r in sample.sltd} == {"sltd"}
    ids = {r["id"] for r in sample.sltd}
    assert len(ids) == 100
    assert any(int(i[5:], 36) >= 1000 for i in ids)  # not just the first lines
    again = sample_from_files(paths.values(), per_list=100, seed=1)
    assert again == sample
    assert sample_from_files(paths.values(), per_list=100, seed=2) != sample
    # a hand-written file whose records do not start with "list"
    other = tmp_path / "other.ndjson"
    other.write_bytes(b'{"id":"X1","list":"smv","plate":"B-AB 1","plate_country":"D"}\n\n')
    assert sample_from_files([other], per_list=5, seed=1).smv[0]["id"] == "X1"


async def test_scans_built_to_hit_event_records_hit_them(tmp_path: Path) -> None:
    """The simulator aims at event-list persons and vehicles too, and the engine finds
    each record it aimed at."""
    from screening.core.engine import RawScan, Screener
    from screening.settings import Settings
    from tests.support.memory_store import MemoryStore

    paths = generate_lists(tmp_path, smv=50, event=400, seed=5)
    sample = sample_from_files(paths.values(), per_list=400, seed=1)
    factory = ScanFactory(seed=3, sample=sample)
    store = MemoryStore([*sample.events, *sample.smv])
    aimed = [factory.traveller_hit() for _ in range(60)] + [factory.vehicle_hit()
                                                            for _ in range(200)]
    events = [(scan, rid) for scan, name, rid in aimed if name == "event"]
    assert len(events) >= 60 + 5  # every traveller, and some vehicles
    screener = Screener(store, Settings(lookup_budget_s=0.5))
    raws = [RawScan(kind="vehicle" if "vehicle" in scan else "traveller",
                    value=orjson.dumps(scan)) for scan, _ in events]
    missed = [(rid, item.result.outcome) for (_, rid), item in
              zip(events, await screener.screen(raws), strict=True)
              if rid not in {h.record_id for h in item.result.hits}]
    assert missed == []
