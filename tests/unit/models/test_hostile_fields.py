"""Field rules a hostile input probes: years of birth, control and separator characters,
bidirectional controls and zero-width characters in ids. Tables of values refused and
of legitimate values kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from screening.core.codec import decode_scan
from screening.exceptions import InvalidScan
from screening.mockdata.lists import iter_notices
from screening.mockdata.scans import ScanFactory
from screening.models import (
    Document,
    NoticeRecord,
    RecordRef,
    TravellerScan,
    VehicleScan,
    WatchlistUpdate,
)
from screening.models.common import BIRTH_YEARS

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def traveller(**parts: Any) -> dict[str, Any]:
    scan: dict[str, Any] = {"event_id": "e-1", "checkpoint_id": "CP-01", "terminal_id": "CP-01-T1",
                            "scanned_at": "2026-11-28T10:00:00+01:00",
                            "document": {"number": "C01X00T47", "issuing_state": "D"},
                            "holder": {"surname": "MUSTERMANN"}}
    for path, value in parts.items():
        *heads, last = path.split("__")
        node = scan
        for head in heads:
            node = node[head]
        node[last] = value
    return scan


def vehicle(**veh: Any) -> dict[str, Any]:
    return {"event_id": "v-1", "checkpoint_id": "CP-01", "terminal_id": "CP-01-T1",
            "scanned_at": "2026-11-28T10:00:00Z", "vehicle": {"plate": "B-AB 1234", **veh}}


def notice(**fields: Any) -> dict[str, Any]:
    return {"list": "notice", "id": "N-1", "colour": "red",
            "names": [{"surname": "IVANOV", "given_names": "IVAN"}], **fields}


def rejected(raw: dict[str, Any]) -> InvalidScan:
    with pytest.raises(InvalidScan) as info:
        decode_scan("traveller", orjson.dumps(raw), max_bytes=1 << 20)
    return info.value


# ------------------------------------------------------------------- years of birth

GOOD_BIRTHS = ["1800", "1800-01", "1800-01-01", "1875-02-21", "1900-02", "1926", "1985-02-28",
               "2000-02-29", "2026-11-28", "2099-12", "2100", "2100-12-31"]
BAD_YEARS = ["0000", "0000-01", "0000-01-01", "0001-01-01", "0042", "0042-05-06", "0985-02-03",
             "1000", "1799", "1799-12-31", "2101", "2101-01-01", "3000-06", "9999", "9999-12-31"]


def test_the_birth_years_are_the_stated_range() -> None:
    assert (BIRTH_YEARS.start, BIRTH_YEARS[-1]) == (1800, 2100)


@pytest.mark.parametrize("dob", GOOD_BIRTHS)
def test_a_plausible_date_of_birth_is_kept(dob: str) -> None:
    assert TravellerScan.model_validate(traveller(holder__date_of_birth=dob)) \
        .holder.date_of_birth == dob
    assert NoticeRecord.model_validate(notice(date_of_birth=dob)).date_of_birth == dob


@pytest.mark.parametrize("dob", BAD_YEARS)
def test_a_year_of_birth_out_of_range_rejects_the_scan_and_says_so(dob: str) -> None:
    exc = rejected(traveller(holder__date_of_birth=dob))
    assert exc.code == "INVALID_FIELD"
    assert exc.message.startswith("holder.date_of_birth:")
    assert "year out of range (1800-2100)" in exc.message
    assert exc.event_id == "e-1"  # the terminal still gets its answer


@pytest.mark.parametrize("dob", BAD_YEARS)
def test_a_notice_with_a_year_of_birth_out_of_range_is_refused(dob: str) -> None:
    with pytest.raises(ValidationError, match="year out of range"):
        NoticeRecord.model_validate(notice(date_of_birth=dob))


@pytest.mark.parametrize("dob", ["1985-02-30", "1900-02-29", "1985-13", "85-02-03", "1985-1-1"])
def test_impossible_dates_in_range_are_still_refused_as_before(dob: str) -> None:
    assert rejected(traveller(holder__date_of_birth=dob)).code == "INVALID_FIELD"


def test_mock_notices_and_scans_are_born_inside_the_range() -> None:
    years = [int(n["date_of_birth"][:4]) for n in iter_notices(20_000, seed=11)
             if n.get("date_of_birth")]
    factory = ScanFactory(seed=11, now=lambda: datetime(2026, 11, 28, 10, tzinfo=UTC))
    years += [int(s["holder"]["date_of_birth"][:4]) for s in (factory.traveller()
                                                              for _ in range(2_000))
              if s.get("holder", {}).get("date_of_birth")]
    assert len(years) > 15_000
    # Ages top out near 90: a generator change would have to add a century to leave it.
    assert BIRTH_YEARS.start + 50 < min(years) <= max(years) < BIRTH_YEARS[-1] - 50


# ------------------------------------------------- control and separator characters

# C1 controls (CSI and NEL among them) and the Unicode line and paragraph separators.
BAD_CHARS = ["\x80", "\x85", "\x8d", "\x9b", "\x9b31m", "\x9f", "\u2028", "\u2029"]
TEXT_FIELDS = ["event_id", "checkpoint_id", "terminal_id", "holder__surname",
               "holder__given_names", "document__number"]


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("bad", BAD_CHARS)
def test_c1_controls_and_line_separators_are_refused_in_every_field(field: str,
                                                                     bad: str) -> None:
    exc = rejected(traveller(**{field: "AB" + bad + "CD"}))
    assert exc.code == "INVALID_FIELD"
    assert exc.message.startswith(field.replace("__", ".") + ":")
    assert "control characters are not allowed" in exc.message


@pytest.mark.parametrize("field", ["plate", "vin", "make", "model", "colour"])
@pytest.mark.parametrize("bad", BAD_CHARS)
def test_c1_controls_and_line_separators_are_refused_in_vehicle_fields(field: str,
                                                                       bad: str) -> None:
    with pytest.raises(ValidationError, match="control characters are not allowed"):
        VehicleScan.model_validate(vehicle(**{field: "AB" + bad + "CD"}))


@pytest.mark.parametrize("field", ["surname", "given_names", "script"])
@pytest.mark.parametrize("bad", BAD_CHARS)
def test_c1_controls_and_line_separators_are_refused_in_notice_names(field: str,
                                                                     bad: str) -> None:
    names = [{"surname": "IVANOV", "given_names": "IVAN", field: "AB" + bad + "CD"}]
    with pytest.raises(ValidationError, match="control characters are not allowed"):
        NoticeRecord.model_validate(notice(names=names))


@pytest.mark.parametrize("bad", BAD_CHARS)
def test_the_mrz_keeps_only_its_newline(bad: str) -> None:
    assert Document.model_validate({"mrz": TD3}).mrz == TD3
    with pytest.raises(ValidationError, match="control characters other than line breaks"):
        Document.model_validate({"mrz": TD3.replace("\n", bad)})


def test_the_mrz_takes_windows_line_breaks_and_other_fields_do_not() -> None:
    """Readers on Windows send CR LF; the MRZ parser splits lines at either."""
    crlf = TD3.replace("\n", "\r\n")
    assert Document.model_validate({"mrz": crlf}).mrz == crlf
    with pytest.raises(ValidationError, match="control characters other than line breaks"):
        Document.model_validate({"mrz": TD3.replace("\n", "\t")})
    with pytest.raises(ValidationError, match="control characters are not allowed"):
        Document.model_validate({"number": "AB\r\n12", "issuing_state": "D"})


@pytest.mark.parametrize("bad", ["\u2028", "\u2029", "\x85"])
def test_separators_at_the_edges_are_trimmed_as_whitespace_not_kept(bad: str) -> None:
    scan = TravellerScan.model_validate(traveller(event_id=bad + "e-1" + bad,
                                                  holder__surname="SMITH" + bad))
    assert (scan.event_id, scan.holder.surname) == ("e-1", "SMITH")


# Legitimate names and codes with characters next to the refused ranges.
GOOD_NAMES = [
    "MÜLLER", "NÚÑEZ", "STRAẞE", "ÆSIR", "O'NEIL", "VAN\u00a0DER BERG",  # U+00A0 follows C1
    "ИВАНОВ", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "عبد\u200cالله",  # ZWNJ joins Persian/Arabic name parts
    "\u200fمحمد", "محمد\u061c", "\u2067محمد\u2069 ALI",  # bidi marks and isolates in names
    "نیک\u200cنام", "क्\u200dषितिज",  # ZWNJ (Persian) and ZWJ (Devanagari)
    "ന്\u200d",  # ZWJ ends a Malayalam chillu form
    "D\u2027ARC", "LE\u202fBLANC",  # U+2027 and U+202F border U+2028 and U+202A
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_every_script_are_kept(name: str) -> None:
    scan = TravellerScan.model_validate(traveller(holder__surname=name, holder__given_names=name))
    assert scan.holder.surname == scan.holder.given_names == name
    record = NoticeRecord.model_validate(notice(names=[{"surname": name, "script": "Arab"}]))
    assert record.names[0].surname == name


# ----------------------------------------------------------------------- ids

BIDI = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069"]
# Zero-width and other invisible format characters: soft hyphen, Mongolian vowel
# separator, zero-width space, non-joiner and joiner, word joiner, invisible operators,
# zero-width no-break space (the byte order mark).
INVISIBLE = ["\u00ad", "\u180e", "\u200b", "\u200c", "\u200d", "\u2060", "\u2061",
             "\u2062", "\u2063", "\u2064", "\ufeff"]
SPOOFING = BIDI + INVISIBLE
GOOD_IDS = ["e-1", "CP-01", "CP-01-T1", "SLTD-00002S", "7f3c2a9e-1b4d-4c1e-9a53-0c7e6f1d2b3a",
            "T_7/3:a.b", "évt-1", "x" * 64, "CP\u00a001", "CP 01",
            # neighbours of the refused ranges: U+00AC, U+00AE, U+180F, U+2010, U+205F is a
            # space (trimmed at the edges, kept inside), U+2070, U+FEFE (unassigned), U+FF01
            "CP\u00ac01", "CP\u00ae01", "CP\u180f01", "CP\u201001", "CP\u205f01",
            "CP\u207001", "CP\ufefe01", "CP\uff0101"]
ID_FIELDS = ["event_id", "checkpoint_id", "terminal_id"]
ID_REFUSED = "invisible or bidirectional characters are not allowed in an id"


def test_names_and_ids_draw_the_line_in_different_places() -> None:
    """Every character refused in an id is kept in a name (one check, two rules)."""
    name = "A" + "".join(SPOOFING) + "B"
    assert TravellerScan.model_validate(traveller(holder__surname=name)).holder.surname == name


@pytest.mark.parametrize("field", ID_FIELDS)
@pytest.mark.parametrize("bad", SPOOFING)
def test_bidi_controls_and_invisible_characters_are_refused_in_ids(field: str, bad: str) -> None:
    for value in ("CP" + bad + "01", bad + "CP01", "CP01" + bad):  # none is trimmed away
        exc = rejected(traveller(**{field: value}))
        assert exc.code == "INVALID_FIELD"
        assert exc.message == f"{field}: Value error, {ID_REFUSED}"


@pytest.mark.parametrize("bad", SPOOFING)
def test_bidi_controls_and_invisible_characters_are_refused_in_watchlist_ids(bad: str) -> None:
    with pytest.raises(ValidationError, match=ID_REFUSED):
        NoticeRecord.model_validate(notice(id="N" + bad + "1"))
    with pytest.raises(ValidationError, match=ID_REFUSED):
        RecordRef.model_validate({"list": "sltd", "id": "S" + bad + "1"})
    with pytest.raises(ValidationError, match=ID_REFUSED):
        WatchlistUpdate.model_validate({"update_id": "u" + bad + "1", "op": "delete",
                                        "issued_at": "2026-11-28T10:00:00Z",
                                        "record": {"list": "sltd", "id": "S1"}})


def test_a_control_character_is_named_before_an_invisible_one() -> None:
    exc = rejected(traveller(event_id="e\u200b\x1b1"))
    assert exc.message == "event_id: Value error, control characters are not allowed"


@pytest.mark.parametrize("good", GOOD_IDS)
def test_ordinary_ids_are_kept(good: str) -> None:
    scan = TravellerScan.model_validate(traveller(event_id=good, checkpoint_id=good,
                                                  terminal_id=good))
    assert scan.event_id == scan.checkpoint_id == scan.terminal_id == good


def _model_id(value: str) -> str | None:
    try:
        return TravellerScan.model_validate(traveller(event_id=value)).event_id
    except ValidationError:
        return None


ECHO_CASES = [
    *GOOD_IDS, *("e" + b + "1" for b in SPOOFING + BAD_CHARS), " e-1 ", "e-1\u2028", "\u3000e-1",
    "\ufeffe-1", "e-1\u200b", " \u2060e-1 ",
    "e-1\x1f", "\x1ce-1", "e\x001", "e\x7f1", "", "   ", "x" * 65, " " + "x" * 64 + " ",
]


@pytest.mark.parametrize("value", ECHO_CASES)
def test_a_rejected_scan_echoes_an_id_exactly_when_the_scan_would_accept_it(value: str) -> None:
    """An id the models refuse is not echoed back in the rejection either; one they
    accept is echoed as they read it (trimmed)."""
    raw = traveller(event_id=value, terminal_id=value, checkpoint_id=value)
    raw["document"] = {"type": "P"}  # no number, no mrz: rejected whatever the ids are
    exc = rejected(raw)
    assert exc.event_id == exc.terminal_id == exc.checkpoint_id == _model_id(value)


def test_the_echo_rule_is_not_trivially_none() -> None:
    assert sum(_model_id(v) is not None for v in ECHO_CASES) >= len(GOOD_IDS) + 3
    assert sum(_model_id(v) is None for v in ECHO_CASES) >= len(SPOOFING) + len(BAD_CHARS)


@pytest.mark.parametrize("expiry", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_a_document_expiry_out_of_range_rejects_the_scan(expiry: str) -> None:
    exc = rejected(traveller(document__expiry=expiry))
    assert exc.code == "INVALID_FIELD"
    assert exc.message.startswith("document.expiry:")
    assert "year out of range (1900-2200)" in exc.message


@pytest.mark.parametrize("expiry", ["1900-01-01", "1999-06-30", "2031-05-02", "2200-12-31"])
def test_a_document_expiry_in_range_is_kept_even_when_past(expiry: str) -> None:
    decode_scan("traveller", orjson.dumps(traveller(document__expiry=expiry)), max_bytes=1 << 16)


@pytest.mark.parametrize(("path", "value", "where", "most"), [
    ("document__number", "X" * 31, "document.number", 30),
    ("document__type", "PPP", "document.type", 2),
])
def test_an_over_long_code_is_refused_in_characters(path: str, value: str, where: str,
                                                    most: int) -> None:
    exc = rejected(traveller(**{path: value}))
    assert exc.message.startswith(f"{where}: String should have at most {most} characters")


@pytest.mark.parametrize(("field", "value", "most"), [("plate", "A" * 21, 20),
                                                       ("vin", "V" * 33, 32)])
def test_an_over_long_vehicle_code_is_refused_in_characters(field: str, value: str,
                                                            most: int) -> None:
    with pytest.raises(InvalidScan) as info:
        decode_scan("vehicle", orjson.dumps(vehicle(**{field: value})), max_bytes=1 << 16)
    assert info.value.message.startswith(
        f"vehicle.{field}: String should have at most {most} characters")


@pytest.mark.parametrize("value", [1234567890, 1.7e9, "1234567890", True, "2026-11-28",
                                   "28/11/2026 10:00", "now", "", None])
def test_a_scan_time_that_is_not_rfc_3339_text_is_refused(value: Any) -> None:
    """pydantic alone reads a number, or a string of digits, as Unix time: 1234567890
    would have been accepted as 2009-02-13."""
    exc = rejected(traveller(scanned_at=value))
    assert exc.code == "INVALID_FIELD" and exc.message.startswith("scanned_at")
    assert exc.event_id == "e-1"  # still answered


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-28T10:00:00Z", datetime(2026, 11, 28, 10, tzinfo=UTC)),
    ("2026-11-28t10:00:00.5+00:00", datetime(2026, 11, 28, 10, 0, 0, 500000, tzinfo=UTC)),
    ("2026-11-28 11:00:00+01:00", datetime(2026, 11, 28, 10, tzinfo=UTC)),
    (" 2026-11-28T10:00:00Z ", datetime(2026, 11, 28, 10, tzinfo=UTC)),
])
def test_rfc_3339_scan_times_are_read(value: str, expected: datetime) -> None:
    assert TravellerScan.model_validate(traveller(scanned_at=value)).scanned_at == expected
