"""The lean job's exact keys: what it looks up is what the lists index, and no more."""

from __future__ import annotations

from datetime import date

import orjson

from screening.matching.documents import document_field
from screening.mockdata.mrz_writer import build_td1, build_td3
from screening.watchlists.base import Found
from screening_bench.lean import exact_keys, mrz_document, result


def _td3(state: str, number: str) -> str:
    return build_td3("P", state, "DOE", "JANE", number, nationality="FRA",
                     date_of_birth=date(1980, 1, 2), sex="F", expiry=date(2030, 1, 1))


def _td1(state: str, number: str) -> str:
    return build_td1("ID", state, "DOE", "JANE", number, nationality="FRA",
                     date_of_birth=date(1980, 1, 2), sex="F", expiry=date(2030, 1, 1))


def test_the_mrz_is_cut_at_its_fixed_places_whatever_its_format() -> None:
    assert mrz_document(_td3("D", "C01X00T47")) == ("C01X00T47", "D")
    assert mrz_document(_td1("FRA", "X4RTBPFW4")) == ("X4RTBPFW4", "FRA")
    assert mrz_document(_td1("NLD", "AB1234567890")) == ("AB1234567890", "NLD")
    assert mrz_document("P<FRA") is None


def test_a_traveller_is_looked_up_by_its_documents_as_the_sltd_indexes_them() -> None:
    mrz = _td3("GBR", "123456789")
    scan = {"document": {"mrz": mrz, "number": "99-88 77", "issuing_state": "FRA"}}
    assert exact_keys("traveller", scan) == [
        ("sltd", document_field("123456789", "GBR")), ("sltd", document_field("99-88 77", "FRA"))]
    # The same document twice is looked up once; no number, no look-up.
    same = {"document": {"mrz": mrz, "number": "123456789", "issuing_state": "GBR"}}
    assert len(exact_keys("traveller", same)) == 1
    assert exact_keys("traveller", {"document": {"number": "<<<", "issuing_state": "FRA"}}) == []
    assert exact_keys("traveller", {"holder": {"surname": "SMITH"}}) == []


def test_a_vehicle_is_looked_up_by_its_vin_and_its_plate_as_read_only() -> None:
    scan = {"vehicle": {"vin": "wvw zzz1jz3w386752", "plate": "AB-123-CD", "plate_country": "F"},
            "read_confidence": 0.1}  # a doubted read: still the plate's one key, no more
    assert exact_keys("vehicle", scan) == [("vin", "WVWZZZ1JZ3W386752"), ("plate", "A8123C0")]
    assert exact_keys("vehicle", {"vehicle": "x"}) == []


def test_an_answer_is_a_hit_with_each_entry_found_or_clear() -> None:
    scan = {"event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t1"}
    lookups = [("sltd", "123|FRA"), ("vin", "V")]
    found = {("sltd", "123|FRA"): [Found("r1", "stolen|P")], ("vin", "V"): [Found("ab12", "7f")]}
    key, value = result("traveller", scan, lookups, found, "now", "v1")
    answer = orjson.loads(value)
    assert key == b"t1" and answer["outcome"] == "hit" and answer["watchlist_version"] == "v1"
    assert [(h["list"], h["record_id"], h["category"]) for h in answer["hits"]] == [
        ("sltd", "r1", "stolen"), ("smv", "ab12", "stolen_vehicle")]
    _, value = result("vehicle", {}, lookups, {}, "now", "v1")
    assert orjson.loads(value)["outcome"] == "clear" and orjson.loads(value)["event_id"] is None
