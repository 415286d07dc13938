"""The screening engine end to end in memory: decode, prepare, look up, decide.

Tables of scans with the outcome each must get; the same engine runs in the worker
and in `screening screen`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from screening.core.engine import RawScan, Screener
from screening.mockdata.mrz_writer import build_td3
from screening.settings import Settings

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# A valid MRZ of document L8989O2C3 (an O where S1's number has a zero).
TD3_OTHER = build_td3("P", "UTO", "SMITH", "JOHN", "L8989O2C3", nationality="UTO",
                      date_of_birth=date(1980, 1, 1), sex="M", expiry=date(2030, 1, 1))


def traveller(event_id: str = "e1", **parts: Any) -> dict[str, Any]:
    scan = {"event_id": event_id, "checkpoint_id": "cp1", "terminal_id": "t1",
            "scanned_at": "2026-11-28T11:59:59+01:00"}
    scan.update(parts)
    return scan


def vehicle(event_id: str = "v1", confidence: float | None = None, **veh: Any) -> dict[str, Any]:
    scan: dict[str, Any] = {"event_id": event_id, "checkpoint_id": "cp1", "terminal_id": "t9",
                            "scanned_at": "2026-11-28T11:59:59Z", "vehicle": veh}
    if confidence is not None:
        scan["read_confidence"] = confidence
    return scan


def settings(**kw: Any) -> Settings:
    return Settings(lookup_budget_s=0.2, **kw)


async def screen_one(store: Any, kind: str, payload: Any, **kw: Any):
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    screener = Screener(store, settings(**kw), clock=lambda: NOW)
    [item] = await screener.screen([RawScan(kind=kind, value=raw, topic="t", partition=0,
                                            offset=7)])
    return item


CASES = [
    # (name, kind, scan, outcome, expected (list, record_id) hits, warnings that must be there)
    ("specimen MRZ hits SLTD and the red notice", "traveller",
     traveller(document={"mrz": TD3}), "hit", {("sltd", "S1"), ("notice", "N1")},
     {"DOCUMENT_EXPIRED"}),
    ("specimen MRZ with Windows line breaks", "traveller",
     traveller(document={"mrz": TD3.replace("\n", "\r\n")}), "hit",
     {("sltd", "S1"), ("notice", "N1")}, {"DOCUMENT_EXPIRED"}),
    ("printed fields only, same document, lowercase and spaced", "traveller",
     traveller(document={"number": "l898 902-c3", "issuing_state": "uto"}), "hit",
     {("sltd", "S1")}, set()),
    ("same number, other issuing state is clear", "traveller",
     traveller(document={"number": "L898902C3", "issuing_state": "FRA"}), "clear", set(), set()),
    ("document associated with a notice hits it whatever the name", "traveller",
     traveller(document={"number": "X1234567", "issuing_state": "UTO"},
               holder={"surname": "Smith", "given_names": "John"}), "hit", {("notice", "N1")},
     set()),
    ("notice by name and partial date of birth", "traveller",
     traveller(document={"number": "A0000001", "issuing_state": "NGA"},
               holder={"surname": "Okafor", "given_names": "Chinedu", "date_of_birth": "1980-05-02",
                       "nationality": "NGA"}), "hit", {("notice", "N2")}, set()),
    ("ordinary traveller is clear", "traveller",
     traveller(document={"number": "C01X00T47", "issuing_state": "D"},
               holder={"surname": "Muster", "given_names": "Erika"}), "clear", set(), set()),
    ("MRZ with a broken check digit is still screened, with a warning", "traveller",
     traveller(document={"mrz": TD3.replace("L898902C36", "L898902C35")}), "hit",
     {("sltd", "S1"), ("notice", "N1")}, {"MRZ_CHECK_DIGIT"}),
    ("fields beside the MRZ that disagree: both looked up, warned", "traveller",
     traveller(document={"mrz": TD3, "number": "X1234567", "issuing_state": "UTO"}), "hit",
     {("sltd", "S1"), ("notice", "N1")}, {"MRZ_FIELD_MISMATCH"}),
    ("printed number typed with O for 0 hits SLTD", "traveller",
     traveller(document={"number": "L8989O2C3", "issuing_state": "UTO"}), "hit", {("sltd", "S1")},
     set()),
    ("notice document typed with I for 1 and O for 0 hits the notice", "traveller",
     traveller(document={"number": "XI234567", "issuing_state": "UTO"}), "hit",
     {("notice", "N1")}, set()),
    ("typed variant of a number of another issuing state is clear", "traveller",
     traveller(document={"number": "L8989O2C3", "issuing_state": "FRA"}), "clear", set(), set()),
    ("MRZ number failing its check digit, O for 0, hits", "traveller",
     traveller(document={"mrz": TD3.replace("L898902C36", "L8989O2C36")}), "hit",
     {("sltd", "S1"), ("notice", "N1")}, {"MRZ_CHECK_DIGIT"}),
    ("MRZ number its check digit verifies is looked up exactly", "traveller",
     traveller(document={"mrz": TD3_OTHER}), "clear", set(), set()),
    ("VIN hit", "vehicle", vehicle(vin="1m8gdm9axkp042788"), "hit", {("smv", "V1")}, set()),
    ("plate hit, spacing differs", "vehicle", vehicle(plate="BAB1234", plate_country="D"), "hit",
     {("smv", "V1")}, set()),
    ("plate with OCR confusions (8/B, 0/D... ) hits", "vehicle",
     vehicle(plate="A8-123-CD", plate_country="F"), "hit", {("smv", "V2")}, set()),
    ("plate of another country is clear", "vehicle", vehicle(plate="AB-123-CD", plate_country="E"),
     "clear", set(), set()),
    ("plate missing a character hits only when confidence is low", "vehicle",
     vehicle(plate="AB-12-CD", plate_country="F", confidence=0.5), "hit", {("smv", "V2")},
     {"LOW_READ_CONFIDENCE"}),
    ("plate missing a character at high confidence is clear", "vehicle",
     vehicle(plate="AB-12-CD", plate_country="F", confidence=0.99), "clear", set(), set()),
    ("VIN with a wrong check digit is warned", "vehicle", vehicle(vin="1M8GDM9A1KP042788"),
     "clear", set(), {"VIN_CHECK_DIGIT"}),
    ("VIN read with an O (no VIN has one) is warned, and hits as corrected", "vehicle",
     vehicle(vin="1M8GDM9AXKPO42788"), "hit", {("smv", "V1")}, {"VIN_FORMAT"}),
    ("VIN read with an O, corrected, not on the list is clear", "vehicle",
     vehicle(vin="1M8GDM9AXKPO42789"), "clear", set(), {"VIN_FORMAT"}),
    ("partial VIN with an I is warned", "vehicle", vehicle(vin="KP04278I"), "clear", set(),
     {"VIN_FORMAT"}),
]


@pytest.mark.parametrize(("name", "kind", "scan", "outcome", "hits", "warnings"), CASES,
                         ids=[c[0] for c in CASES])
async def test_decisions(memory_store, name, kind, scan, outcome, hits, warnings) -> None:
    item = await screen_one(memory_store, kind, scan)
    r = item.result
    assert r is not None and item.deadletter is None
    assert r.outcome == outcome
    assert {(h.list, h.record_id) for h in r.hits} == hits
    assert warnings <= set(r.warnings)
    assert r.event_id == scan["event_id"] and r.watchlist_version == "v-test"
    assert len(item.alerts) == len(hits)


async def test_a_variant_hit_says_it_was_not_the_number_as_scanned(memory_store) -> None:
    item = await screen_one(memory_store, "traveller", traveller(
        document={"number": "l8989o2-c3", "issuing_state": "UTO"}))
    [hit] = item.result.hits
    assert hit.score == 0.95 and hit.matched_on == ["document_number", "issuing_state"]
    assert [(p.reason, p.amount) for p in hit.penalties] == [("document_number_confusable", 0.05)]
    [alert] = item.alerts
    assert alert.record["document_number"] == "******2C3"  # the record's number, masked
    assert alert.subject["document_number"].endswith("-c3")  # the scan's, as typed
    # Which character the record has otherwise, and nothing more of either number.
    diff = alert.document_difference
    assert diff is not None and diff.positions == [5]
    assert (diff.scanned, diff.listed) == ("*****O2C3", "*****02C3")

    exact = await screen_one(memory_store, "traveller", traveller(
        document={"number": "L898902C3", "issuing_state": "UTO"}))
    assert [(h.score, h.penalties) for h in exact.result.hits] == [(1.0, [])]
    assert [a.document_difference for a in exact.alerts] == [None]


REJECTS = [
    ("JSON cut short after the id", b'{"event_id": "e1",', "INVALID_JSON", "e1"),
    ("JSON broken before the id", b'{"x": 1 "event_id": "e1"}', "INVALID_JSON", None),
    ("not an object", b"[1, 2]", "NOT_AN_OBJECT", None),
    ("invalid UTF-8", b'{"event_id": "e\xff"}', "INVALID_UTF8", None),
    ("missing document", orjson.dumps(traveller()), "MISSING_FIELD", "e1"),
    ("date that does not exist", orjson.dumps(traveller(
        document={"number": "A1", "issuing_state": "FRA"},
        holder={"date_of_birth": "1990-02-30"})), "INVALID_FIELD", "e1"),
    ("naive timestamp",
     orjson.dumps({**traveller(document={"number": "A1", "issuing_state": "FRA"}),
                   "scanned_at": "2026-11-28T10:00:00"}), "INVALID_FIELD", "e1"),
    ("glob characters in a document number", orjson.dumps(traveller(
        document={"number": "*\r\n?[]", "issuing_state": "FRA"})), "INVALID_FIELD", "e1"),
    ("name of 10,000 characters", orjson.dumps(traveller(
        document={"number": "A1", "issuing_state": "FRA"}, holder={"surname": "A" * 10_000})),
     "INVALID_FIELD", "e1"),
    ("NUL in an id", orjson.dumps(traveller(event_id="e\x001", document={"number": "A1",
                                                                        "issuing_state": "FRA"})),
     "INVALID_FIELD", None),
    ("MRZ of the wrong shape and no printed number", orjson.dumps(traveller(
        document={"mrz": "P<UTOERIKSSON"})), "MRZ_FORMAT", "e1"),
]


@pytest.mark.parametrize(("name", "raw", "code", "event_id"), REJECTS, ids=[r[0] for r in REJECTS])
async def test_rejections(memory_store, name, raw, code, event_id) -> None:
    item = await screen_one(memory_store, "traveller", raw)
    assert item.deadletter is not None
    assert item.deadletter.reason.code == code
    assert item.deadletter.offset == 7
    if event_id is None:
        assert item.result is None
    else:
        assert item.result is not None and item.result.outcome == "rejected"
        assert item.result.event_id == event_id
        assert item.result.warnings[:2] == ["INVALID_INPUT", code]
    assert memory_store.calls == 0 or item.result is None or item.result.outcome == "rejected"


async def test_unreachable_lists_answer_unverified_never_clear(memory_store) -> None:
    memory_store.fail = RedisConnectionError("down")
    clear_scan = traveller(document={"number": "C01X00T47", "issuing_state": "D"})
    item = await screen_one(memory_store, "traveller", clear_scan)
    assert item.result is not None
    assert item.result.outcome == "unverified"
    assert "LIST_UNAVAILABLE" in item.result.warnings
    assert memory_store.calls > 1, "retried within the budget before giving up"


async def test_alert_ids_are_stable_across_replays(memory_store) -> None:
    scan = traveller(document={"mrz": TD3})
    first = await screen_one(memory_store, "traveller", scan)
    second = await screen_one(memory_store, "traveller", scan)
    assert [a.alert_id for a in first.alerts] == [a.alert_id for a in second.alerts]
    assert {a.priority for a in first.alerts} == {"critical", "high"}
    for alert in first.alerts:
        assert alert.subject["document_number"].endswith("2C3")
        assert "L898902" not in alert.subject["document_number"]


async def test_after_an_outage_batches_give_up_fast_then_recover(memory_store) -> None:
    screener = Screener(memory_store, settings(), clock=lambda: NOW)
    scan = orjson.dumps(traveller(document={"number": "L898902C3", "issuing_state": "UTO"}))
    memory_store.fail = RedisConnectionError("down")
    [first] = await screener.screen([RawScan(kind="traveller", value=scan)])
    calls_first = memory_store.calls
    [second] = await screener.screen([RawScan(kind="traveller", value=scan)])
    assert first.result.outcome == second.result.outcome == "unverified"
    assert calls_first > 1 and memory_store.calls == calls_first + 1, "open circuit: one try"
    memory_store.fail = None
    [third] = await screener.screen([RawScan(kind="traveller", value=scan)])
    assert third.result.outcome == "hit" and not screener.circuit_open


# Germany is D in ICAO 9303 and DEU in ISO 3166-1; records and scans may use either.
GERMAN = [
    {"list": "sltd", "id": "S-DEU", "document_number": "C01X00T47", "issuing_state": "DEU",
     "document_type": "P", "status": "stolen"},
    {"list": "sltd", "id": "S-D", "document_number": "C02X00T48", "issuing_state": "D",
     "document_type": "P", "status": "lost"},
    {"list": "notice", "id": "N-DEU", "colour": "red",
     "names": [{"surname": "SCHNEIDER", "given_names": "KLAUS", "script": "Latn"}],
     "date_of_birth": "1971", "nationalities": ["DEU"], "sex": "M", "documents": []},
    {"list": "smv", "id": "V-DEU", "plate": "M-XY 123", "plate_country": "DEU",
     "make": "BMW", "model": "3", "colour": "black"},
]
GERMAN_CASES = [
    (traveller(document={"number": "C01X00T47", "issuing_state": "D"}), {("sltd", "S-DEU")}),
    (traveller(document={"number": "C02X00T48", "issuing_state": "DEU"}), {("sltd", "S-D")}),
    (traveller(document={"number": "C02X00T48", "issuing_state": "deu"}), {("sltd", "S-D")}),
    (traveller(document={"mrz": build_td3("P", "D", "MUSTER", "ERIKA", "C01X00T47",
                                          nationality="D", date_of_birth=date(1980, 1, 1),
                                          sex="F", expiry=date(2030, 1, 1))}),
     {("sltd", "S-DEU")}),
    # A year of birth alone needs the nationality not to contradict the notice's.
    (traveller(document={"number": "P1", "issuing_state": "D"},
               holder={"surname": "Schneider", "given_names": "Klaus", "date_of_birth": "1971",
                       "nationality": "D"}), {("notice", "N-DEU")}),
    (vehicle(plate="MXY123", plate_country="D"), {("smv", "V-DEU")}),
]


@pytest.mark.parametrize(("scan", "hits"), GERMAN_CASES)
async def test_either_name_of_germany_matches_the_other(store_of: Any, scan: dict[str, Any],
                                                       hits: set[tuple[str, str]]) -> None:
    item = await screen_one(store_of(GERMAN), "vehicle" if "vehicle" in scan else "traveller",
                            scan)
    assert item.result.outcome == "hit"
    assert {(h.list, h.record_id) for h in item.result.hits} == hits


async def test_a_corrected_vin_says_it_was_not_the_vin_as_read(memory_store: Any) -> None:
    item = await screen_one(memory_store, "vehicle", vehicle(vin="IM8GDM9AXKPO42788"))
    [hit] = item.result.hits
    assert (hit.record_id, hit.score, hit.matched_on) == ("V1", 0.9, ["vin"])
    assert [(p.reason, p.amount) for p in hit.penalties] == [("vin_misread_corrected", 0.1)]
    exact = await screen_one(memory_store, "vehicle", vehicle(vin="1M8GDM9AXKP042788"))
    assert [(h.score, h.penalties) for h in exact.result.hits] == [(1.0, [])]


async def test_a_notices_documents_are_masked_in_its_alert(memory_store: Any) -> None:
    screener = Screener(memory_store, settings(), clock=lambda: NOW)
    [item] = await screener.screen([RawScan("traveller", orjson.dumps(traveller(
        holder={"surname": "ERIKSSON", "given_names": "ANNA MARIA",
                "date_of_birth": "1974-08-12", "nationality": "UTO"},
        document={"number": "Q7654321", "issuing_state": "UTO"})))])
    [alert] = [a for a in item.alerts if a.hit.list == "notice"]
    assert alert.record["documents"] == [{"number": "*****567", "issuing_state": "UTO"}]
    assert "X1234567" not in alert.model_dump_json()


@pytest.mark.parametrize(("lists", "instruction"), [
    ([("notice", "red")], "REFER_SECONDARY"),
    ([("notice", "yellow")], "PROTECT_PERSON"),       # a missing person: do not alarm
    ([("notice", "blue")], "DISCREET_CHECK"),         # let pass, report the sighting
    ([("sltd", "lost")], "SEIZE_DOCUMENT"),
    ([("smv", "stolen_vehicle")], "HOLD_VEHICLE"),
    ([("notice", "blue"), ("sltd", "stolen")], "SEIZE_DOCUMENT"),
    ([("notice", "yellow"), ("notice", "red")], "REFER_SECONDARY"),
])
def test_a_hit_tells_the_officer_what_to_do(lists: list[tuple[str, str]],
                                            instruction: str) -> None:
    from screening.core.decide import instruction_for
    from screening.models import Hit
    from screening.watchlists.base import Match
    from screening.watchlists.notices.screen import notice_verdict
    from screening.watchlists.smv.screen import smv_verdict

    def verdict(lst: str, cat: str) -> Any:
        if lst == "notice":
            return notice_verdict({"colour": cat}, NOW)
        if lst == "smv":
            return smv_verdict({}, NOW)
        return cat, "SEIZE_DOCUMENT", "high"  # the SLTD list's, whatever the status

    matches = []
    for i, (lst, cat) in enumerate(lists):
        category, asked, priority = verdict(lst, cat)
        hit = Hit(list=lst, record_id=f"r{i}", score=1.0, matched_on=["x"], category=category)
        matches.append(Match(hit, {}, asked, priority))
    assert instruction_for(matches) == instruction


async def test_every_result_carries_an_instruction_and_a_reference(memory_store: Any) -> None:
    screener = Screener(memory_store, settings(), clock=lambda: NOW)
    hit, clear, bad = await screener.screen([
        RawScan("traveller", orjson.dumps(traveller("e1", document={
            "number": "X1234567", "issuing_state": "UTO"}))),
        RawScan("traveller", orjson.dumps(traveller("e2", document={
            "number": "Z9999999", "issuing_state": "UTO"}))),
        RawScan("traveller", orjson.dumps({"event_id": "e3"}))])
    assert hit.result is not None and hit.result.instruction in ("SEIZE_DOCUMENT",
                                                                 "REFER_SECONDARY")
    assert clear.result is not None and clear.result.instruction == "PROCEED"
    assert bad.result is not None and bad.result.instruction == "RESCAN"
    assert hit.result.reference and hit.result.reference != clear.result.reference
    assert {a.reference for a in hit.alerts} == {hit.result.reference}
    memory_store.fail = ConnectionError("down")
    [down] = await screener.screen([RawScan("traveller", orjson.dumps(traveller("e4", document={
        "number": "Z9999999", "issuing_state": "UTO"})))])
    assert down.result is not None and down.result.outcome == "unverified"
    assert down.result.instruction == "REFER_SECONDARY"  # never a PROCEED unscreened


async def test_a_drill_scan_is_marked_on_its_result_and_its_alerts(memory_store: Any) -> None:
    drill = await screen_one(memory_store, "traveller",
                             traveller(document={"mrz": TD3}, exercise=True))
    assert drill.result.outcome == "hit" and drill.result.exercise
    assert drill.alerts and all(a.exercise for a in drill.alerts)
    real = await screen_one(memory_store, "traveller", traveller(document={"mrz": TD3}))
    assert not real.result.exercise and not any(a.exercise for a in real.alerts)


async def test_name_matches_carry_the_travellers_digest_and_document_hits_do_not(
        memory_store: Any) -> None:
    """The digest by which a namesake is cleared: with the audit key, on name matches of
    person lists only (a listed document is no namesake)."""
    keyed = {"audit_key": "k" * 32}
    item = await screen_one(memory_store, "traveller", traveller(document={"mrz": TD3}),
                            **keyed)
    by_list = {a.hit.list: a for a in item.alerts}
    assert by_list["sltd"].subject_key is None
    assert by_list["notice"].subject_key.startswith("subject:")
    # Every alert of the scan carries its document number's digest (the console's search).
    from screening.audit.digests import Digester
    assert {a.document_key for a in item.alerts} == {
        Digester(keyed["audit_key"].encode()).digest("document_number", "L898902C3")}
    again = await screen_one(memory_store, "traveller", traveller("e2", document={"mrz": TD3}),
                             **keyed)
    assert {a.hit.list: a for a in again.alerts}["notice"].subject_key == \
        by_list["notice"].subject_key, "the same traveller, the same digest"
    unkeyed = await screen_one(memory_store, "traveller", traveller(document={"mrz": TD3}))
    assert all(a.subject_key is None and a.document_key is None for a in unkeyed.alerts)
