from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.matching.checkdigits import vin_check_digit
from screening.matching.vin import normalize_vin, vin_check_ok, vin_correction

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),
        (" 1m8-gdm9a.xkp 042788 ", "1M8GDM9AXKP042788"),
        ("1M8GDM9AXKP04278O", "1M8GDM9AXKP04278O"),  # the O stays an O
        ("1M8GDM9AXKP04278Q", "1M8GDM9AXKP04278Q"),
        ("WVW/ZZZ*1JZ3W386752", "WVWZZZ1JZ3W386752"),
    ],
)
def test_normalize_vin(raw: str, expected: str) -> None:
    assert normalize_vin(raw) == expected


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("1M8GDM9AXKP042788", True),  # check character X (remainder 10)
        ("1M8GDM9A-XKP042788", True),
        ("11111111111111111", True),
        ("1HGCM82633A004352", True),
        ("1HGCM82643A004352", False),
        ("1M8GDM9A1KP042788", False),
        ("1M8GDM9AXKP042789", False),  # any other character changes the sum
        ("WVWZZZ1JZ3W386752", None),  # European: a letter in position 9 is no check digit
        ("1M8GDM9AXKP04278", None),  # 16 characters
        ("1M8GDM9AXKP0427880", None),  # 18
        ("1M8GDM9AXKP04278O", None),  # O is never in a VIN: not checkable, not corrected
        ("IM8GDM9AXKP042788", None),
        ("", None),
    ],
)
def test_vin_check_ok(vin: str, expected: bool | None) -> None:
    assert vin_check_ok(vin) is expected


@given(st.text(VIN_ALPHABET, min_size=16, max_size=16), st.sampled_from("0123456789X"))
def test_only_the_computed_check_character_passes(rest: str, check: str) -> None:
    vin = rest[:8] + check + rest[8:]
    assert vin_check_ok(vin) is (check == vin_check_digit(vin))
    right = rest[:8] + vin_check_digit(vin) + rest[8:]
    assert vin_check_ok(right) is True
    assert vin_check_ok(right.lower()) is True


@given(st.text(min_size=0, max_size=30))
def test_normalize_vin_is_idempotent_and_check_never_raises(s: str) -> None:
    assert normalize_vin(normalize_vin(s)) == normalize_vin(s)
    assert vin_check_ok(s) in (True, False, None)


@pytest.mark.parametrize(("read", "expected"), [
    ("1M8GDM9AXKP042788", None),  # nothing to correct
    ("1M8GDM9AXKPO42788", ("1M8GDM9AXKP042788", 1)),
    ("IM8GDM9AXKPQ42788", ("1M8GDM9AXKP042788", 2)),  # Q is read for 0 as well
    ("KPO4278I", ("KP042781", 2)),  # a partial VIN has no I, O or Q either
])
def test_vin_correction(read: str, expected: tuple[str, int] | None) -> None:
    assert vin_correction(read) == expected


@given(st.from_regex(r"[A-Z0-9]{1,17}", fullmatch=True))
def test_a_correction_is_always_a_vin_alphabet(s: str) -> None:
    corrected = vin_correction(s)
    assert corrected is None or set("IOQ").isdisjoint(corrected[0])
