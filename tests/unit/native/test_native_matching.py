"""The compiled MRZ parser, check digits and code keys against their Python reference
(the _py_ functions beside them), case for case, over random and hostile text (issue 25)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from screening.matching import checkdigits, documents, mrz, plates, vin
from screening.mockdata.mrz_writer import build_td1, build_td3


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What a function returns, or the type and message of what it raises."""
    try:
        return ("ok", fn(*args, **kwargs))
    except ValueError as exc:
        return (type(exc).__name__, str(exc))


MRZ_CHARS = st.sampled_from([*"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<<<", "a", "z", " ", "\n",
                             "\r", "\t", "\x0b", "\x1c", "é", "ß", "٣"])
ANY_TEXT = st.text(MRZ_CHARS, max_size=50) | st.text(max_size=20)


@settings(max_examples=1500, deadline=None)
@given(ANY_TEXT)
@example("")
@example("L898902C3")
@example("é")
@example("'")
def test_icao_check_digit(field: str) -> None:
    assert outcome(checkdigits.icao_check_digit, field) == outcome(
        checkdigits._py_icao_check_digit, field)


VIN_CHARS = st.sampled_from([*list("0123456789ABCDEFGHJKLMNPRSTUVWXYZIOQX"), "a", "-", "é"])


@settings(max_examples=1500, deadline=None)
@given(st.text(VIN_CHARS, min_size=15, max_size=18) | st.text(max_size=20))
@example("1M8GDM9AXKP042788")
@example("1M8GDM9A_KP042788")
def test_vin_check_digit_check_and_correction(text: str) -> None:
    assert outcome(checkdigits.vin_check_digit, text) == outcome(
        checkdigits._py_vin_check_digit, text)
    assert vin.vin_check_ok(text) == vin._py_vin_check_ok(text)
    normalised = vin.normalize_vin(text)
    assert vin.vin_correction(normalised) == vin._py_vin_correction(normalised)
    assert vin.vin_correction(text) == vin._py_vin_correction(text)


WIDTHS = st.sampled_from([(3, 30), (2, 36), (2, 44), (2, 44), (3, 30), (1, 88), (1, 90),
                          (1, 72), (2, 30), (3, 44), (1, 10), (0, 0)])
TODAY = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def mrz_texts(draw: st.DrawFn) -> str:
    """Texts of an MRZ's shape, from its alphabet (and off it), line breaks and spaces
    as readers send them; often a real MRZ with a few characters changed."""
    if draw(st.booleans()):
        build = draw(st.sampled_from([build_td1, build_td3]))
        text = build(draw(st.sampled_from(["P", "ID", "I", "AC", "PO"])),
                     draw(st.sampled_from(["D", "UTO", "FRA", "KAZ"])),
                     draw(st.sampled_from(["ERIKSSON", "O'NEIL", "VAN DER BERG", "X" * 40,
                                         "HAAKON", "MUELLER", "LOEW"])),
                     draw(st.sampled_from(["ANNA MARIA", "", "JEAN-PAUL", "Y" * 40])),
                     draw(st.sampled_from(["L898902C3", "D23145890", "AB12"]
                                          + (["123456789012"] if build is build_td1 else []))),
                     nationality=draw(st.sampled_from(["D", "UTO", "<"])),
                     date_of_birth=draw(st.dates(min_value=date(1900, 1, 1),
                                                 max_value=date(2060, 1, 1))),
                     sex=draw(st.sampled_from(["M", "F", "X", None])),
                     expiry=draw(st.dates(min_value=date(1950, 1, 1),
                                          max_value=date(2099, 12, 31))),
                     optional_data=draw(st.sampled_from(["", "ZE184226B", "1234"])))
        chars = list(text)
        for _ in range(draw(st.integers(0, 4))):
            i = draw(st.integers(0, len(chars) - 1))
            chars[i] = draw(MRZ_CHARS)
        text = "".join(chars)
    else:
        lines, width = draw(WIDTHS)
        rows = [draw(st.text(MRZ_CHARS, min_size=width, max_size=width)) for _ in range(lines)]
        if lines and draw(st.booleans()):  # a visa (MRV-A, MRV-B), a passport, a card
            rows[0] = draw(st.sampled_from(["V", "P", "I"])) + rows[0][1:]
        text = draw(st.sampled_from(["\n", "\r\n", "\n\n", " \n"])).join(rows)
    return draw(st.sampled_from(["", " ", "\n"])) + text + draw(st.sampled_from(["", "\n", " "]))


@settings(max_examples=3000, deadline=None)
@given(mrz_texts(), TODAY)
@example("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
         "L898902C36UTO7408122F1204159ZE184226B<<<<<10", date(2026, 1, 1))
@example("I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\n"
         "STEVENSON<<PETER<JOHN<<<<<<<<<", date(2026, 1, 1))
@example("I<UTOD23145890<<<<<<<<<<<<<<<\n" + "<" * 30 + "\n" + "<" * 30, date(2026, 1, 1))
@example("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
         date(2026, 1, 1))
@example("", date(2026, 1, 1))
def test_parse_mrz(text: str, today: date) -> None:
    assert outcome(mrz.parse_mrz, text, today=today) == outcome(mrz._py_parse_mrz, text,
                                                               today=today)


CODE_CHARS = st.sampled_from([*list("OI01ABSZ2DQ58G6 -<"), "é", "О", "ß"])


@settings(max_examples=1500, deadline=None)
@given(st.text(CODE_CHARS, max_size=16) | st.text(max_size=12), st.booleans())
@example("O0I1" * 4, True)
@example("", False)
def test_variants_and_plate_keys(text: str, low: bool) -> None:
    assert documents.confusable_variants(text) == documents._py_confusable_variants(text)
    assert plates.skeleton(text) == plates._py_skeleton(text)
    assert plates.plate_index_keys(text, None) == plates._py_plate_index_keys(text, None)
    assert plates.plate_query_keys(text, "D", low) == plates._py_plate_query_keys(text, "D",
                                                                                   low)


@settings(max_examples=1500, deadline=None)
@given(st.text(CODE_CHARS, max_size=12) | st.text(max_size=8),
       st.sampled_from(["D", "deu", " D<< ", "XKX", "", "\x1cfra", "Ä", "ß", "<"]) | st.text(
           max_size=4))
def test_document_field(number: str, state: str) -> None:
    assert documents.document_field(number, state) == documents._py_document_field(number,
                                                                                   state)


NAMES = st.sampled_from(["ERIKSSON", "Eriksson", "MUELLER", "Müller", "MULLER", "O'Neil",
                         "ONEIL", "anna maria", "ANNA-MARIA", "AAE", "Hakon", "Haakon", "LOW",
                         "Löw", "van der Berg",
                         "X" * 40, "Y" * 35, "Ḿ", "", " ", "Юрий", "O`BRIEN", "JEAN 2"])
FIELD_TEXT = NAMES | st.text(st.sampled_from("ADEFLMOUX<1 '-é"), max_size=8) | st.none()


@settings(max_examples=2000, deadline=None)
@given(mrz_texts(), TODAY, st.fixed_dictionaries({
    "number": FIELD_TEXT | st.sampled_from(["L898902C3", "l8989-02c3", "D23145890"]),
    "issuing_state": FIELD_TEXT | st.sampled_from(["UTO", "deu", " D<< ", "XKX"]),
    "surname": FIELD_TEXT, "given_names": FIELD_TEXT,
    "date_of_birth": FIELD_TEXT | st.dates() | st.sampled_from(["1974-08-12", " 1974-08 ",
                                                                 "1974", "2012-04-15"]),
    "nationality": FIELD_TEXT | st.sampled_from(["UTO", "D"]),
    "sex": FIELD_TEXT | st.sampled_from(["M", " f ", "X"]),
    "expiry": FIELD_TEXT | st.dates() | st.sampled_from(["2012-04-15", " 2012-04-15"]),
    "document_type": FIELD_TEXT | st.sampled_from(["P", "p<", "I", "ID", " V "])}))
@example("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
         "L898902C36UTO7408122F1204159ZE184226B<<<<<10", date(2026, 1, 1),
         {"number": "L898902C3", "surname": "Eriksson", "given_names": "Anna Maria",
          "date_of_birth": date(1974, 8, 12), "sex": "f", "expiry": "2012-04-15"})
def test_compare_with_fields(text: str, today: date, fields: dict[str, Any]) -> None:
    try:
        parsed = mrz.parse_mrz(text, today=today)
    except mrz.MrzFormatError:
        return
    assert outcome(mrz.compare_with_fields, parsed, **fields) == outcome(
        mrz._py_compare_with_fields, parsed, **fields)
