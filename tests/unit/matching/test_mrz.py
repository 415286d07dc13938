from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.matching.checkdigits import icao_check_digit
from screening.matching.mrz import MrzData, MrzFormatError, compare_with_fields, parse_mrz
from screening.mockdata.mrz_writer import build_td1, build_td3

TODAY = date(2024, 6, 1)

# ICAO Doc 9303 specimens: part 4 (TD3), part 5 (TD1), part 6 (TD2), part 7 (visas).
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
MRVA = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
MRVB = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<"


def _cd(field: str) -> str:
    return icao_check_digit(field)


def test_specimen_check_digits_are_what_icao_computes() -> None:
    """The transcriptions above are verified digit by digit, not trusted."""
    _, l2 = TD3.split("\n")
    assert [l2[9], l2[19], l2[27], l2[42]] == [
        _cd("L898902C3"), _cd("740812"), _cd("120415"), _cd("ZE184226B<<<<<")
    ]  # fmt: skip
    assert l2[43] == _cd(l2[0:10] + l2[13:20] + l2[21:43])
    t1, t2, _ = TD1.split("\n")
    assert [t1[14], t2[6], t2[14]] == [_cd("D23145890"), _cd("740812"), _cd("120415")]
    assert t2[29] == _cd(t1[5:30] + t2[0:7] + t2[8:15] + t2[18:29])
    _, d2 = TD2.split("\n")
    assert [d2[9], d2[19], d2[27]] == [_cd("D23145890"), _cd("740812"), _cd("120415")]
    assert d2[35] == _cd(d2[0:10] + d2[13:20] + d2[21:35])
    _, v2 = MRVA.split("\n")
    assert [v2[9], v2[19], v2[27]] == [_cd("L8988901C"), _cd("400907"), _cd("961210")]


@pytest.mark.parametrize(
    ("text", "fmt", "doc_type", "number", "nationality", "dob", "sex", "expiry", "optional"),
    [
        (TD3, "TD3", "P", "L898902C3", "UTO", "1974-08-12", "F", date(2012, 4, 15), "ZE184226B"),
        (TD1, "TD1", "I", "D23145890", "UTO", "1974-08-12", "F", date(2012, 4, 15), ""),
        (TD2, "TD2", "I", "D23145890", "UTO", "1974-08-12", "F", date(2012, 4, 15), ""),
        # 961210 is 1996, not 2096: no document is valid 70 years ahead. The visa
        # specimen's optional data really begins with 6 (no check digit precedes it).
        (MRVA, "MRVA", "V", "L8988901C", "XXX", "1940-09-07", "F", date(1996, 12, 10),
         "6ZE184226B"),
        (MRVB, "MRVB", "V", "L8988901C", "XXX", "1940-09-07", "F", date(1996, 12, 10), ""),
    ],
)  # fmt: skip
def test_icao_specimens_parse_and_verify(
    text: str, fmt: str, doc_type: str, number: str, nationality: str, dob: str, sex: str,
    expiry: date, optional: str,
) -> None:  # fmt: skip
    mrz = parse_mrz(text, today=TODAY)
    assert mrz == MrzData(
        fmt, doc_type, "UTO", number, "ERIKSSON", "ANNA MARIA", nationality, dob, sex,  # type: ignore[arg-type]
        expiry, optional, (),
    )  # fmt: skip
    assert mrz.check_digits_ok


@pytest.mark.parametrize(
    "text",
    [
        f"  {TD3}  ",
        TD3.replace("\n", "\r\n"),
        TD3.replace("\n", "   \n") + "  \n",
        TD3.lower(),
        "\n\n" + TD3.replace("\n", "\n\n") + "\n",
        TD3.replace("\n", ""),  # a reader that dropped the line break
    ],
)
def test_tolerated_noise_parses_like_the_clean_mrz(text: str) -> None:
    assert parse_mrz(text, today=TODAY) == parse_mrz(TD3, today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        TD3.split("\n")[0],  # one line
        TD3 + "\n" + TD3.split("\n")[1],  # three lines of 44
        TD3[:-1],  # second line 43
        TD3.replace("ANNA", "ANN"),  # first line 43
        TD1.rsplit("\n", 1)[0],  # two lines of 30
        TD3.replace("ERIKSSON", "ERIKS-ON"),
        TD3.replace("ERIKSSON", "ERIKSS N"),
        TD3.replace("ERIKSSON", "ERIKSSÖN"),
        TD3.replace("ERIKSSON", "ERIKSßN"),  # 'ß'.upper() is "SS": must not sneak through
        TD3.replace("\n", "\t"),
    ],
)
def test_text_that_is_no_mrz_raises(text: str) -> None:
    with pytest.raises(MrzFormatError):
        parse_mrz(text, today=TODAY)


def test_format_error_is_a_value_error() -> None:
    assert issubclass(MrzFormatError, ValueError)


def _td3(dob: str = "740812", sex: str = "F", expiry: str = "120415", number: str = "L898902C3",
         optional: str = "ZE184226B<<<<<", opt_check: str | None = None) -> str:  # fmt: skip
    """A TD3 with arbitrary raw fields and correct check digits."""
    l2 = f"{number:<<9}{_cd(number.ljust(9, '<'))}UTO{dob}{_cd(dob)}{sex}{expiry}{_cd(expiry)}"
    l2 += optional + (_cd(optional) if opt_check is None else opt_check)
    l2 += _cd(l2[0:10] + l2[13:20] + l2[21:43])
    return TD3.split("\n")[0] + "\n" + l2


@pytest.mark.parametrize(
    ("field", "today", "expected"),
    [
        ("740812", TODAY, "1974-08-12"),
        ("240601", TODAY, "2024-06-01"),  # born today
        ("240602", TODAY, "1924-06-02"),  # tomorrow in 2024 is impossible: 1924
        ("250101", TODAY, "1925-01-01"),
        ("250101", date(2026, 1, 1), "2025-01-01"),
        ("000229", TODAY, "2000-02-29"),
        ("7408<<", TODAY, "1974-08"),
        ("74<<<<", TODAY, "1974"),
        ("74<<12", TODAY, "1974"),  # a day without a month says nothing
        ("74XX01", TODAY, "1974"),
        ("740800", TODAY, "1974-08"),
        ("24<<<<", TODAY, "2024"),
        ("2406<<", TODAY, "2024-06"),
        ("2407<<", TODAY, "1924-07"),
        ("<<<<<<", TODAY, None),
        ("741332", TODAY, None),
        ("740231", TODAY, None),
        ("7408A1", TODAY, None),
    ],
)
def test_birth_date_century_and_unknown_parts(
    field: str, today: date, expected: str | None
) -> None:
    mrz = parse_mrz(_td3(dob=field), today=today)
    assert mrz.date_of_birth == expected
    assert mrz.check_digits_ok


@pytest.mark.parametrize(
    ("field", "expected"),
    [("340601", date(2034, 6, 1)), ("740601", date(2074, 6, 1)), ("750601", date(1975, 6, 1)),
     ("991231", date(1999, 12, 31)), ("<<<<<<", None), ("341301", None)],
)  # fmt: skip
def test_expiry_is_20yy_within_fifty_years(field: str, expected: date | None) -> None:
    assert parse_mrz(_td3(expiry=field), today=TODAY).expiry == expected


@pytest.mark.parametrize(("char", "expected"), [("M", "M"), ("F", "F"), ("X", "X"), ("<", None)])
def test_sex(char: str, expected: str | None) -> None:
    assert parse_mrz(_td3(sex=char), today=TODAY).sex == expected


@pytest.mark.parametrize("check", ["<", "0"])
def test_unused_personal_number_may_have_filler_or_zero_check(check: str) -> None:
    mrz = parse_mrz(_td3(optional="<" * 14, opt_check=check), today=TODAY)
    assert mrz.check_digits_ok and mrz.optional_data == ""


def test_short_document_number_filler_is_stripped() -> None:
    mrz = parse_mrz(_td3(number="AB123"), today=TODAY)
    assert mrz.document_number == "AB123" and mrz.check_digits_ok


@pytest.mark.parametrize(
    ("line", "col", "failed"),
    [
        (1, 9, ("document_number", "composite")),
        (1, 19, ("date_of_birth", "composite")),
        (1, 27, ("expiry", "composite")),
        (1, 42, ("optional_data", "composite")),
        (1, 43, ("composite",)),
        (1, 0, ("document_number", "composite")),  # a misread data character
        (1, 15, ("date_of_birth", "composite")),
        (0, 7, ()),  # names carry no check digit
    ],
)
def test_failed_checks_name_what_failed_and_still_return_fields(
    line: int, col: int, failed: tuple[str, ...]
) -> None:
    lines = TD3.split("\n")
    ch = lines[line][col]
    lines[line] = lines[line][:col] + ("3" if ch != "3" else "4") + lines[line][col + 1 :]
    mrz = parse_mrz("\n".join(lines), today=TODAY)
    assert mrz.failed_checks == failed
    assert mrz.check_digits_ok is (not failed)
    assert mrz.document_number[:8] in ("L898902C", "3898902C") and mrz.issuing_state == "UTO"


def _td1(line1: str) -> str:
    l2 = "7408122F1204159UTO<<<<<<<<<<<"
    l2 += _cd(line1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return f"{line1}\n{l2}\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"


def test_td1_long_document_number_is_reassembled() -> None:
    """9303 part 5 §4.2.2 note j specimen: D23145890734, check digit 9."""
    mrz = parse_mrz(_td1("I<UTOD23145890<7349<<<<<<<<<<<"), today=TODAY)
    assert mrz.document_number == "D23145890734"
    assert mrz.check_digits_ok and mrz.optional_data == ""


def test_td1_long_document_number_with_a_wrong_check_digit_fails() -> None:
    mrz = parse_mrz(_td1("I<UTOD23145890<7348<<<<<<<<<<<"), today=TODAY)
    assert mrz.document_number == "D23145890734"
    assert mrz.failed_checks == ("document_number",)


def test_td1_filler_check_digit_without_continuation_fails() -> None:
    mrz = parse_mrz(_td1("I<UTOD23145890<<<<<<<<<<<<<<<<"), today=TODAY)
    assert mrz.document_number == "D23145890" and "document_number" in mrz.failed_checks


def test_td2_long_document_number_is_reassembled() -> None:
    l2 = "D23145890<UTO7408122F1204159" + "7349<<<"
    l2 += _cd(l2[0:10] + l2[13:20] + l2[21:35])
    mrz = parse_mrz(TD2.split("\n")[0] + "\n" + l2, today=TODAY)
    assert mrz.document_number == "D23145890734" and mrz.check_digits_ok


# --- building (screening/mockdata/mrz_writer.py) --------------------------------------


def test_build_td3_reproduces_the_icao_specimen() -> None:
    built = build_td3("P", "UTO", "Eriksson", "Anna María", "L898902C3", nationality="UTO",
                      date_of_birth=date(1974, 8, 12), sex="F", expiry=date(2012, 4, 15),
                      optional_data="ZE184226B")  # fmt: skip
    assert built == TD3


def test_build_td1_reproduces_the_icao_specimen() -> None:
    built = build_td1("I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", nationality="UTO",
                      date_of_birth=date(1974, 8, 12), sex="F",
                      expiry=date(2012, 4, 15))  # fmt: skip
    assert built == TD1


def test_build_transliterates_and_truncates_names() -> None:
    built = build_td3("P", "D", "Müller-Lüdenscheidt", "Hans-Jürgen Maximilian Ökonomos",
                      "C01X00T47", nationality="D", date_of_birth=date(1970, 3, 4), sex="M",
                      expiry=date(2030, 1, 2))  # fmt: skip
    line1 = built.split("\n")[0]
    assert line1 == "P<D<<MUELLER<LUEDENSCHEIDT<<HANS<JUERGEN<MAX"
    mrz = parse_mrz(built, today=TODAY)
    assert (mrz.surname, mrz.given_names) == ("MUELLER LUEDENSCHEIDT", "HANS JUERGEN MAX")
    assert mrz.check_digits_ok


@pytest.mark.parametrize(
    "kwargs",
    [
        {"document_number": "1234567890"},  # TD3 has no room for long numbers
        {"document_type": "V"},  # that would be a visa
        {"sex": "Q"},
        {"issuing_state": "UTOP"},
        {"optional_data": "X" * 15},
        {"nationality": "U-O"},
    ],
)
def test_build_td3_refuses_what_does_not_fit(kwargs: dict[str, str]) -> None:
    fields = {"document_type": "P", "issuing_state": "UTO", "surname": "A", "given_names": "B",
              "document_number": "X1", "nationality": "UTO", "date_of_birth": date(1980, 1, 1),
              "sex": "F", "expiry": date(2030, 1, 1)} | kwargs  # fmt: skip
    with pytest.raises(ValueError):
        build_td3(**fields)  # type: ignore[arg-type]


WORD = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
FIELDS = st.fixed_dictionaries(
    {
        "issuing_state": st.sampled_from(["UTO", "D", "FRA", "GBR", "XXA", "EU"]),
        "surname": st.lists(WORD, min_size=1, max_size=2).map(" ".join),
        "given_names": st.lists(WORD, max_size=2).map(" ".join),
        "nationality": st.sampled_from(["UTO", "D", "NLD", "XXB"]),
        # more than 100 years before TODAY the century would be ambiguous
        "date_of_birth": st.dates(TODAY.replace(year=1924) + timedelta(days=1), TODAY),
        "sex": st.sampled_from(["M", "F", "X", None]),
        "expiry": st.dates(date(2000, 1, 1), date(2074, 12, 31)),
    }
)


def _assert_round_trip(mrz: MrzData, f: dict, number: str, optional: str) -> None:
    assert mrz.check_digits_ok, mrz.failed_checks
    assert mrz.document_number == number
    assert (mrz.surname, mrz.given_names) == (f["surname"], f["given_names"])
    assert (mrz.issuing_state, mrz.nationality) == (f["issuing_state"], f["nationality"])
    assert mrz.date_of_birth == f["date_of_birth"].isoformat()
    assert (mrz.sex, mrz.expiry, mrz.optional_data) == (f["sex"], f["expiry"], optional)
    assert compare_with_fields(mrz, number=number, **f) == []


@given(
    FIELDS,
    st.sampled_from(["P", "PD", "PO"]),
    st.text(ALNUM, min_size=1, max_size=9),
    st.text(ALNUM, max_size=14),
)
def test_td3_round_trip(f: dict, doc_type: str, number: str, optional: str) -> None:
    mrz = parse_mrz(build_td3(doc_type, document_number=number, optional_data=optional, **f),
                    today=TODAY)  # fmt: skip
    assert mrz.format == "TD3" and mrz.document_type == doc_type
    _assert_round_trip(mrz, f, number, optional)


@given(
    FIELDS,
    st.sampled_from(["I", "ID", "AC", "C"]),
    st.text(ALNUM, min_size=1, max_size=14),
    st.text(ALNUM, max_size=6),
)
def test_td1_round_trip_including_long_numbers(f: dict, doc_type: str, number: str,
                                               optional: str) -> None:  # fmt: skip
    mrz = parse_mrz(build_td1(doc_type, document_number=number, optional_data=optional, **f),
                    today=TODAY)  # fmt: skip
    assert mrz.format == "TD1" and mrz.document_type == doc_type
    _assert_round_trip(mrz, f, number, optional)


TD3_CHECKS = {9: "document_number", 19: "date_of_birth", 27: "expiry", 42: "optional_data"}


@given(FIELDS, st.text(ALNUM, min_size=1, max_size=9), st.text(ALNUM, max_size=14),
       st.sampled_from([9, 19, 27, 42, 43]), st.integers(0, 8))  # fmt: skip
def test_td3_flipping_one_check_digit_fails_exactly_that_check_and_composite(
    f: dict, number: str, optional: str, col: int, pick: int
) -> None:
    line1, line2 = build_td3("P", document_number=number, optional_data=optional, **f).split("\n")
    old = line2[col]
    same = {old, "0"} if old in "<0" else {old}  # '<' and '0' are the same check value
    digit = [d for d in "0123456789" if d not in same][pick % (10 - len(same))]
    mrz = parse_mrz(f"{line1}\n{line2[:col]}{digit}{line2[col + 1:]}", today=TODAY)
    expected = (TD3_CHECKS[col], "composite") if col in TD3_CHECKS else ("composite",)
    assert mrz.failed_checks == expected
    assert mrz.document_number == number  # fields still come back


TD1_CHECKS = {(0, 14): "document_number", (1, 6): "date_of_birth", (1, 14): "expiry"}


@given(FIELDS, st.text(ALNUM, min_size=1, max_size=9),
       st.sampled_from([(0, 14), (1, 6), (1, 14), (1, 29)]), st.integers(1, 9))  # fmt: skip
def test_td1_flipping_one_check_digit_fails_exactly_that_check_and_composite(
    f: dict, number: str, pos: tuple[int, int], shift: int
) -> None:
    lines = build_td1("ID", document_number=number, **f).split("\n")
    row, col = pos
    new = str((int(lines[row][col]) + shift) % 10)
    lines[row] = lines[row][:col] + new + lines[row][col + 1 :]
    mrz = parse_mrz("\n".join(lines), today=TODAY)
    expected = (TD1_CHECKS[pos], "composite") if pos in TD1_CHECKS else ("composite",)
    assert mrz.failed_checks == expected


@given(FIELDS, st.sampled_from([13, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 26]),
       st.integers(1, 9))  # fmt: skip
def test_any_misread_date_digit_is_caught(f: dict, col: int, shift: int) -> None:
    line1, line2 = build_td3("P", document_number="X1", **f).split("\n")
    new = str((int(line2[col]) + shift) % 10)
    mrz = parse_mrz(f"{line1}\n{line2[:col]}{new}{line2[col + 1:]}", today=TODAY)
    assert mrz.failed_checks == ("date_of_birth" if col < 20 else "expiry", "composite")


# --- comparison with the fields beside the MRZ ----------------------------------------

SPECIMEN = parse_mrz(TD3, today=TODAY)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, []),
        ({"number": "L898 902-C3", "issuing_state": "uto", "surname": "Eriksson",
          "given_names": "Anna-Maria", "date_of_birth": "1974-08-12", "nationality": "UTO<",
          "sex": "F", "expiry": date(2012, 4, 15), "document_type": "P"}, []),
        ({"number": "L898902C8"}, ["number"]),
        ({"number": "L898902CE"}, ["number"]),
        ({"issuing_state": "D"}, ["issuing_state"]),
        ({"surname": "Erikson"}, ["surname"]),
        ({"given_names": "Anna"}, ["given_names"]),  # not cut: the MRZ field has room
        ({"date_of_birth": "1974"}, []),
        ({"date_of_birth": "1974-08"}, []),
        ({"date_of_birth": date(1974, 8, 12)}, []),
        ({"date_of_birth": "1974-09"}, ["date_of_birth"]),
        ({"date_of_birth": "1975"}, ["date_of_birth"]),
        ({"nationality": "SWE"}, ["nationality"]),
        ({"sex": "M"}, ["sex"]),
        ({"sex": "f"}, []),
        ({"expiry": "2012-04-15"}, []),
        ({"expiry": "2013-04-15"}, ["expiry"]),
        ({"document_type": "I"}, ["document_type"]),
        ({"number": "X", "sex": "M", "surname": ""}, ["number", "sex"]),
        ({"number": None, "surname": None}, []),
    ],
)  # fmt: skip
def test_compare_with_fields(fields: dict, expected: list[str]) -> None:
    assert compare_with_fields(SPECIMEN, **fields) == expected


@pytest.mark.parametrize("printed", ["Müller", "MUELLER", "Muller", "mueller", "MÜLLER"])
@pytest.mark.parametrize("in_mrz", ["Müller", "Muller"])  # 9303 allows UE and U for Ü
def test_compare_accepts_both_icao_spellings_of_umlauts(printed: str, in_mrz: str) -> None:
    mrz = parse_mrz(build_td3("P", "D", in_mrz, "Jürgen", "C01X00T47", nationality="D",
                              date_of_birth=date(1970, 3, 4), sex="M",
                              expiry=date(2030, 1, 2)), today=TODAY)  # fmt: skip
    assert compare_with_fields(mrz, surname=printed, given_names="Jurgen") == []
    assert compare_with_fields(mrz, surname="Mahler", given_names="Jörg") == [
        "surname", "given_names"
    ]  # fmt: skip


def test_compare_accepts_truncated_names_only_when_the_field_is_full() -> None:
    given = "Hans-Jürgen Maximilian Ökonomos"
    mrz = parse_mrz(build_td3("P", "D", "Müller-Lüdenscheidt", given, "C01X00T47",
                              nationality="D", date_of_birth=date(1970, 3, 4), sex="M",
                              expiry=date(2030, 1, 2)), today=TODAY)  # fmt: skip
    assert compare_with_fields(mrz, surname="Müller-Lüdenscheidt", given_names=given) == []
    assert compare_with_fields(mrz, given_names="Hans-Jürgen Moritz") == ["given_names"]
    assert compare_with_fields(SPECIMEN, given_names="Anna Maria Luisa") == ["given_names"]


def test_compare_knows_germany_writes_d() -> None:
    mrz = parse_mrz(build_td3("P", "D", "X", "Y", "C01", nationality="D",
                              date_of_birth=date(1970, 3, 4), sex="M",
                              expiry=date(2030, 1, 2)), today=TODAY)  # fmt: skip
    assert compare_with_fields(mrz, issuing_state="DEU", nationality="DEU") == []


def test_compare_skips_what_the_mrz_leaves_unknown() -> None:
    mrz = parse_mrz(_td3(dob="<<<<<<", sex="<"), today=TODAY)
    assert mrz.date_of_birth is None and mrz.sex is None
    assert compare_with_fields(mrz, date_of_birth="1974-08-12", sex="X") == []
