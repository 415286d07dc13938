"""The issue's variant families through the engine: the lists' real index code, the
MRZ as a terminal reads it, the decision, and the hit's explanation, as `screening
watchlists load` + `screening screen` give them (Redis stood in for by memory)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from screening.core.engine import RawScan, Screener
from screening.mockdata.mrz_writer import build_td3
from screening.settings import Settings

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def notice(nid: str, names: list[tuple[str, str, str]], dob: str | None, nats: list[str],
           sex: str | None = "M", docs: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "list": "notice", "id": nid, "colour": "red", "sex": sex, "nationalities": nats,
        "names": [{"surname": s, "given_names": g, "script": sc} for s, g, sc in names],
        "documents": [{"number": n, "issuing_state": st} for n, st in docs],
        "issued_at": "2020-01-01"}  # fmt: skip
    if dob:
        rec["date_of_birth"] = dob
    return rec


NOTICES = [
    notice("MASRI", [("Al-Masri", "Mohammed Youssef", "Latn"), ("المصري", "محمد يوسف", "Arab")],
           "1975-03-14", ["EGY"], docs=(("A1234567", "EGY"),)),
    notice("PETROV", [("Petrov", "Yuriy", "Latn"), ("Петров", "Юрий", "Cyrl")], "1969-04-23",
           ["RUS"]),
    notice("SHEV", [("Шевченко", "Тарас Григорович", "Cyrl")], "1981-02-09", ["UKR"]),
    notice("HASAN", [("الحسن", "عمر", "Arab")], "1990-01-15", ["SYR"]),
    notice("ZHANG", [("Zhang", "Xiaoming", "Latn")], "1982-07-01", ["CHN"]),
    notice("BINALI", [("بن علي", "عبد الرحمن", "Arab")], "1971-10-05", ["EGY"]),
    notice("SHAMI", [("الشامي", "خالد", "Arab")], "1988-12-24", ["SYR"]),
    notice("CRUZ", [("de la Cruz", "Maria Fernanda", "Latn")], "1990-11-02", ["PHL"], "F"),
    notice("OBRIEN", [("O'Brien", "Sean Patrick", "Latn")], "1969", ["IRL"]),
    notice("GARCIA", [("García Márquez", "José Luis", "Latn")], "1985-05", ["MEX"]),
    notice("SCHULZ", [("Schulz", "Andreas Michael", "Latn")], "1977-08-30", ["D"]),
    notice("BERG", [("van der Berg", "Pieter", "Latn")], "1979-06-21", ["NLD"]),
    notice("SANTOS", [("Delossantos", "Ana", "Latn")], "1992-03-08", ["PHL"], "F"),
]


def mrz(surname: str, given: str, dob: date, nat: str, number: str = "C01X00T47",
        sex: str = "M") -> str:  # fmt: skip
    return build_td3("P", nat, surname, given, number, nationality=nat, date_of_birth=dob,
                     sex=sex, expiry=date(2030, 1, 1))


def by_mrz(surname: str, given: str, dob: date, nat: str, **kw: Any) -> dict[str, Any]:
    return {"document": {"mrz": mrz(surname, given, dob, nat, **kw)}}


def by_fields(surname: str, given: str, dob: str, nat: str, number: str = "C01X00T47",
              sex: str = "M") -> dict[str, Any]:  # fmt: skip
    return {"document": {"number": number, "issuing_state": nat},
            "holder": {"surname": surname, "given_names": given, "date_of_birth": dob,
                       "nationality": nat, "sex": sex}}


D = date
HITS = [
    # (family, scan, notice id)
    ("translit", by_mrz("ALMASRI", "MOHAMED YOUSSEF", D(1975, 3, 14), "EGY"), "MASRI"),
    ("translit", by_mrz("AL MASRI", "MUHAMMAD YUSUF", D(1975, 3, 14), "EGY"), "MASRI"),
    ("translit", by_mrz("PETROV", "IURII", D(1969, 4, 23), "RUS"), "PETROV"),
    ("translit", by_mrz("PETROW", "JURIJ", D(1969, 4, 23), "D"), "PETROV"),
    ("translit", by_mrz("CHANG", "HSIAO MING", D(1982, 7, 1), "TWN"), "ZHANG"),
    ("translit", by_mrz("ZHANG", "XIAO MING", D(1982, 7, 1), "CHN"), "ZHANG"),
    ("cyrillic notice", by_mrz("SHEVCHENKO", "TARAS", D(1981, 2, 9), "UKR"), "SHEV"),
    ("cyrillic notice", by_mrz("SCHEWTSCHENKO", "TARAS", D(1981, 2, 9), "D"), "SHEV"),
    ("arabic notice", by_mrz("AL HASSAN", "OMAR", D(1990, 1, 15), "SYR"), "HASAN"),
    ("arabic notice", by_mrz("ALHASAN", "UMAR", D(1990, 1, 15), "SYR"), "HASAN"),
    ("arabic notice", by_mrz("BEN ALI", "ABDEL RAHMAN", D(1971, 10, 5), "EGY"), "BINALI"),
    ("arabic notice", by_mrz("BINALI", "ABDUL RAHMAN", D(1971, 10, 5), "EGY"), "BINALI"),
    ("arabic notice", by_mrz("BIN ALI", "ABDULRAHMAN", D(1971, 10, 5), "EGY"), "BINALI"),
    ("arabic notice", by_mrz("EL CHAMI", "KHALED", D(1988, 12, 24), "SYR"), "SHAMI"),
    ("arabic notice", by_mrz("ALSHAMI", "KHALID", D(1988, 12, 24), "SYR"), "SHAMI"),
    ("order swap", by_fields("Mohammed Youssef", "Al-Masri", "1975-03-14", "EGY"), "MASRI"),
    ("given missing", by_mrz("AL MASRI", "MOHAMMED", D(1975, 3, 14), "EGY"), "MASRI"),
    ("given added", by_mrz("PETROV", "YURI IVANOVICH", D(1969, 4, 23), "RUS"), "PETROV"),
    ("surname part dropped", by_fields("García", "José Luis", "1985-05-20", "MEX"), "GARCIA"),
    ("surname part dropped", by_fields("Marquez", "Jose Luis", "1985-05-20", "MEX"), "GARCIA"),
    ("particles", by_mrz("DELACRUZ", "MARIA FERNANDA", D(1990, 11, 2), "PHL", sex="F"), "CRUZ"),
    ("particles", by_mrz("DE LA CRUZ", "MARIA", D(1990, 11, 2), "PHL", sex="F"), "CRUZ"),
    ("particles", by_mrz("EL MASRI", "MOHAMMED YOUSSEF", D(1975, 3, 14), "EGY"), "MASRI"),
    # Two particles joined to the name: the three parts meet as one token.
    ("particles", by_mrz("VANDERBERG", "PIETER", D(1979, 6, 21), "NLD"), "BERG"),
    ("particles", by_mrz("DE LOS SANTOS", "ANA", D(1992, 3, 8), "PHL", sex="F"), "SANTOS"),
    ("apostrophe", by_mrz("OBRIEN", "SEAN PATRICK", D(1969, 4, 23), "IRL"), "OBRIEN"),
    ("apostrophe", by_fields("O Brien", "Sean", "1969-04-23", "IRL"), "OBRIEN"),
    ("diacritics", by_fields("Garcia Marquez", "Jose Luis", "1985-05-20", "MEX"), "GARCIA"),
    ("typo", by_mrz("SCHULZ", "ANDRAES MICHAEL", D(1977, 8, 30), "D"), "SCHULZ"),
    ("typo", by_mrz("SHULZ", "ANDREAS", D(1977, 8, 30), "D"), "SCHULZ"),
    ("partial dob, notice side", by_mrz("OBRIEN", "SEAN", D(1969, 12, 1), "IRL"), "OBRIEN"),
    ("partial dob, scan side", by_fields("Schulz", "Andreas", "1977-08", "D"), "SCHULZ"),
    ("partial dob, both sides", by_fields("Garcia Marquez", "Jose", "1985", "MEX"), "GARCIA"),
    ("document whatever the name", by_fields("Smith", "John", "2001-01-01", "EGY",
                                             number="A1234567"), "MASRI"),
]


@pytest.fixture
def store(memory_store: Any) -> Any:
    return type(memory_store)(NOTICES)


async def screen(store: Any, scan: dict[str, Any]) -> dict[str, Any]:
    payload = {"event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t",
               "scanned_at": "2026-11-28T11:59:59Z", **scan}
    screener = Screener(store, Settings(lookup_budget_s=0.2), clock=lambda: NOW)
    [item] = await screener.screen([RawScan(kind="traveller", value=orjson.dumps(payload))])
    assert item.result is not None
    result = item.result.model_dump(mode="json")
    # The terminal's hits carry no personal data of the record (contract v2): the
    # explanation travels in the alerts, for analysts.
    assert all(h.get("matched_alias") is None for h in result["hits"])
    alert_hits = {a.hit.record_id: a.hit.model_dump(mode="json") for a in item.alerts}
    result["hits"] = [alert_hits[h["record_id"]] for h in result["hits"]]
    return result


@pytest.mark.parametrize(("family", "scan", "record"), HITS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(HITS)])
async def test_family_hits_and_explains_itself(store: Any, family: str, scan: dict[str, Any],
                                               record: str) -> None:  # fmt: skip
    result = await screen(store, scan)
    hits = {h["record_id"]: h for h in result["hits"]}
    assert result["outcome"] == "hit", family
    hit = hits[record]
    assert 0 < hit["score"] <= 1
    assert hit["matched_on"]
    if "name" in hit["matched_on"]:
        assert hit["matched_alias"]  # which name or alias matched
        assert all(p["reason"] and p["amount"] > 0 for p in hit["penalties"])
    if hit.get("name_similarity") is not None:  # the arithmetic an analyst can redo
        expected = min(1.0, hit["name_similarity"] - sum(p["amount"] for p in hit["penalties"])
                       + sum(b["amount"] for b in hit["bonuses"]))
        assert hit["score"] == pytest.approx(expected, abs=2e-4), (hit, expected)
        assert "name" in hit["matched_on"]
        assert all(b["reason"] and b["amount"] > 0 for b in hit["bonuses"])


MISSES = [
    ("namesake, far in age, other country",
     by_mrz("AL MASRI", "MOHAMMED YOUSSEF", D(1998, 6, 1), "USA")),
    ("namesake, same year, other day", by_mrz("PETROV", "YURIY", D(1969, 9, 2), "RUS")),
    ("partial dob, other country", by_mrz("OBRIEN", "SEAN PATRICK", D(1969, 4, 23), "USA")),
    ("another person sharing a token", by_mrz("HADDAD", "MOHAMMED", D(1975, 3, 14), "EGY")),
]


@pytest.mark.parametrize(("why", "scan"), MISSES, ids=[w for w, _ in MISSES])
async def test_not_a_hit(store: Any, why: str, scan: dict[str, Any]) -> None:
    assert (await screen(store, scan))["outcome"] == "clear", why


SMV = [
    {"list": "smv", "id": "P1", "plate": "B-MA 2345", "plate_country": "D", "make": "VW",
     "model": "Golf", "colour": "blue"},
    {"list": "smv", "id": "P2", "plate": "AB-123-CD", "plate_country": "F", "make": "Renault",
     "model": "Clio", "colour": "red"},
    {"list": "smv", "id": "V1", "vin": "WVWZZZ1JZ3W386752", "make": "VW", "model": "Golf",
     "colour": "grey"},
]

VEHICLES = [
    # (family, vehicle fields, read_confidence, expected hit or None)
    ("plate as stored, spaces and hyphens", {"plate": "BMA2345", "plate_country": "D"}, None,
     "P1"),
    ("one OCR confusion (B/8)", {"plate": "8-MA 2345", "plate_country": "D"}, 0.95, "P1"),
    ("two OCR confusions (B/8, 5/S)", {"plate": "8 MA 234S", "plate_country": "D"}, 0.95, "P1"),
    ("three OCR confusions", {"plate": "8 MA Z34S", "plate_country": "D"}, 0.95, None),
    ("a character missing, low confidence", {"plate": "AB-12-CD", "plate_country": "F"}, 0.4,
     "P2"),
    ("a character extra, low confidence", {"plate": "AB-1234-CD", "plate_country": "F"}, 0.4,
     "P2"),
    ("a character missing, high confidence", {"plate": "AB-12-CD", "plate_country": "F"}, 0.97,
     None),
    ("same plate, another country", {"plate": "AB-123-CD", "plate_country": "B"}, 0.95, None),
    ("country unknown: any country", {"plate": "AB-123-CD"}, 0.95, "P2"),
    ("VIN lower case, spaced", {"vin": "wvw zzz1jz3w 386752"}, None, "V1"),
    ("VIN one character off", {"vin": "WVWZZZ1JZ3W386753"}, None, None),
]


@pytest.mark.parametrize(("family", "fields", "confidence", "record"), VEHICLES,
                         ids=[v[0] for v in VEHICLES])
async def test_vehicle_families(memory_store: Any, family: str, fields: dict[str, Any],
                                confidence: float | None, record: str | None) -> None:
    store = type(memory_store)(SMV)
    payload: dict[str, Any] = {"event_id": "v1", "checkpoint_id": "cp", "terminal_id": "t",
                               "scanned_at": "2026-11-28T11:59:59Z", "vehicle": fields}
    if confidence is not None:
        payload["read_confidence"] = confidence
    screener = Screener(store, Settings(lookup_budget_s=0.2), clock=lambda: NOW)
    [item] = await screener.screen([RawScan(kind="vehicle", value=orjson.dumps(payload))])
    assert item.result is not None
    hits = [h for h in item.result.hits if h.list == "smv"]
    assert [h.record_id for h in hits] == ([record] if record else []), family
    for hit in hits:  # every hit says why it scored what it did
        assert hit.matched_on and 0 < hit.score <= 1
        assert (hit.score < 1) == bool(hit.penalties)
