"""Watchlist updates say what is wrong with them: an upsert's record is validated as the
record its `list` names, so a bad field is named rather than the upsert being refused for
"not carrying the whole record" (which it tried to). The wire format is unchanged:
valid upserts and deletes read as before."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from screening.exceptions import InvalidRecord
from screening.models import NoticeRecord, RecordRef, SltdRecord, SmvRecord, WatchlistUpdate
from screening.watchlists.updates import parse_update

SLTD = {"list": "sltd", "id": "S1", "document_number": "X1234567", "issuing_state": "D",
        "document_type": "P", "status": "stolen", "reported_at": "2026-11-01"}
NOTICE = {"list": "notice", "id": "N1", "colour": "red",
          "names": [{"surname": "IVANOV", "given_names": "IVAN"},
                    {"surname": "ИВАНОВ", "given_names": "ИВАН", "script": "Cyrl"}],
          "date_of_birth": "1980-04", "nationalities": ["RUS"], "sex": "M",
          "documents": [{"number": "751234567", "issuing_state": "RUS"}],
          "issued_at": "2025-03-04T10:00:00Z"}
SMV = {"list": "smv", "id": "V1", "vin": "WVWZZZ1JZXW000001", "plate": "B-AB 1234",
       "plate_country": "D", "make": "VW", "model": "Golf", "colour": "blue",
       "reported_at": "2026-10-30T08:15:00+01:00"}


def update(op: Any, record: Any = None, **fields: Any) -> dict[str, Any]:
    data = {"update_id": "u1", "op": op, "issued_at": "2026-11-28T10:00:00Z", **fields}
    if record is not None:
        data["record"] = record
    return data


def reason(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidRecord) as info:
        parse_update(orjson.dumps(data))
    return info.value.reason


BAD_UPSERTS = [  # (case, update, the start of the reason)
    ("sltd status", update("upsert", {**SLTD, "status": "misplaced"}),
     "record.status: Input should be 'stolen', 'lost', 'revoked', 'invalidated' or "
     "'stolen_blank'"),
    ("sltd state", update("upsert", {**SLTD, "issuing_state": "12"}),
     "record.issuing_state: String should match pattern"),
    ("sltd number missing", update("upsert", {k: v for k, v in SLTD.items()
                                              if k != "document_number"}),
     "record.document_number: Field required"),
    ("sltd number control", update("upsert", {**SLTD, "document_number": "X1\r\nPING"}),
     "record.document_number: Value error, control characters are not allowed"),
    ("sltd type too long", update("upsert", {**SLTD, "document_type": "PPP"}),
     "record.document_type: String should have at most 2 characters"),
    ("sltd reported year", update("upsert", {**SLTD, "reported_at": "0001-01-01"}),
     "record.reported_at: Value error, year out of range (1900-2200)"),
    ("sltd id spoofed", update("upsert", {**SLTD, "id": "S\u202e1"}),
     "record.id: Value error, invisible or bidirectional characters are not allowed"),
    ("notice colour", update("upsert", {**NOTICE, "colour": "mauve"}),
     "record.colour: Input should be 'red', 'yellow'"),
    ("notice names", update("upsert", {**NOTICE, "names": "IVANOV"}),
     "record.names: Input should be a valid array"),
    ("notice empty name", update("upsert", {**NOTICE, "names": [{"surname": " "}]}),
     "record.names.0: Value error, a name needs a surname or given names"),
    ("notice birth year", update("upsert", {**NOTICE, "date_of_birth": "0042"}),
     "record.date_of_birth: Value error, year out of range (1800-2100)"),
    ("notice issued year", update("upsert", {**NOTICE, "issued_at": "9999-12-31"}),
     "record.issued_at: Value error, year out of range (1900-2200)"),
    ("notice document state", update("upsert", {**NOTICE, "documents": [{"number": "1"}]}),
     "record.documents.0.issuing_state: Field required"),
    ("smv neither vin nor plate", update("upsert", {"list": "smv", "id": "V2", "make": "VW"}),
     "record: Value error, a stolen vehicle record needs vin or plate"),
    ("smv plate country", update("upsert", {**SMV, "plate_country": 7}),
     "record.plate_country: Input should be a valid string"),
    ("only a reference", update("upsert", {"list": "sltd", "id": "S1"}),
     "record: Value error, an upsert carries the whole record, not only list and id"),
    ("unknown list", update("upsert", {**SLTD, "list": "interpol"}),
     "record: Input tag 'interpol' found using 'list' does not match any of the expected "
     "tags"),
    ("no list", update("upsert", {k: v for k, v in SLTD.items() if k != "list"}),
     "record: Unable to extract tag using discriminator 'list'"),
    ("a list for a list", update("upsert", {**SLTD, "list": ["sltd"]}),
     "record: Input tag"),
    ("not an object", update("upsert", "sltd:S1"), "record: Input should be an object"),
    ("empty record", update("upsert", {}), "record: Unable to extract tag"),
    ("no record", update("upsert"), "record: Field required"),
    ("issued year", update("upsert", SLTD, issued_at="1899-12-31T23:00:00Z"),
     "issued_at: Value error, year out of range (1900-2200)"),
    ("bad op", update("merge", SLTD), "op: Input should be 'upsert' or 'delete'"),
    ("spoofed update id", update("upsert", SLTD, update_id="u\u200b1"),
     "update_id: Value error, invisible or bidirectional characters are not allowed"),
]


@pytest.mark.parametrize(("case", "update_", "words"), BAD_UPSERTS,
                         ids=[c for c, _, _ in BAD_UPSERTS])
def test_a_bad_upsert_is_refused_for_what_is_wrong_with_it(case: str, update_: dict[str, Any],
                                                           words: str) -> None:
    got = reason(update_)
    assert got.startswith(words), got
    assert ("whole record" in got) == (case == "only a reference")


@pytest.mark.parametrize(("record", "words"), [
    ({"list": "sltd"}, "record.id: Field required"),
    ({"id": "S1"}, "record.list: Field required"),
    ({"list": "interpol", "id": "S1"},
     "record.list: Input should be 'sltd', 'notice', 'smv' or 'event'"),
    ({"list": "sltd", "id": ""}, "record.id: String should have at least 1 character"),
    ({"list": "sltd", "id": "S\u2066 1"}, "record.id: Value error, invisible or bidirectional"),
    ("sltd:S1", "record: Input should be"),
])
def test_a_bad_delete_names_what_its_reference_lacks(record: Any, words: str) -> None:
    got = reason(update("delete", record))
    assert got.startswith(words), got


@pytest.mark.parametrize(("record", "model"), [(SLTD, SltdRecord), (NOTICE, NoticeRecord),
                                               (SMV, SmvRecord)])
def test_valid_upserts_read_as_their_record(record: dict[str, Any], model: type) -> None:
    for raw in (orjson.dumps(update("upsert", record)), update("upsert", record)):
        u = parse_update(raw)
        assert type(u.record) is model
        assert u.key == f"{record['list']}:{record['id']}"
        assert u.record == model.model_validate(record)
        # What the journal keeps reads back the same.
        assert WatchlistUpdate.model_validate_json(u.model_dump_json()) == u


@pytest.mark.parametrize("record", [
    {"list": "sltd", "id": "S1"}, {"list": "notice", "id": "N1"}, {"list": "smv", "id": "V1"},
    {"list": "sltd", "id": "S1", "extra": [1, 2]},
])
def test_deletes_carry_a_reference(record: dict[str, Any]) -> None:
    u = parse_update(orjson.dumps(update("delete", record)))
    assert type(u.record) is RecordRef
    assert (u.op, u.key) == ("delete", f"{record['list']}:{record['id']}")


@pytest.mark.parametrize("record", [SLTD, NOTICE, SMV, {**SLTD, "status": "misplaced"}])
def test_deletes_may_still_carry_a_whole_record_valid_or_not(record: dict[str, Any]) -> None:
    """As before: a delete needs only `list` and `id`, whatever else comes with them."""
    u = parse_update(orjson.dumps(update("delete", record)))
    assert (u.op, u.key) == ("delete", f"{record['list']}:{record['id']}")


def test_updates_built_from_records_keep_them() -> None:
    record = SltdRecord.model_validate(SLTD)
    ref = RecordRef(list="sltd", id="S1")
    assert WatchlistUpdate.model_validate(update("upsert", record)).record is record
    assert WatchlistUpdate.model_validate(update("delete", ref)).record is ref
    with pytest.raises(ValueError, match="an upsert carries the whole record"):
        WatchlistUpdate.model_validate(update("upsert", ref))
