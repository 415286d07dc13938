"""Arabic names' compounds in one spelling (matching/arabic_compounds.py), and the pairs
they bring together (conventions set, round 10)."""

from __future__ import annotations

import pytest

from screening.matching.arabic_compounds import compounds
from tests.support.name_pairs import THRESHOLD, _keys_meet, _score


@pytest.mark.parametrize("spellings", [
    [("ABD", "AL", "RAHMAN"), ("ABDUL", "RAHMAN"), ("ABDEL", "RAHMAN"), ("ABDULRAHMAN",),
     ("ABDELRAHMAN",), ("ABDURRAHMAN",), ("ABD", "ER", "RAHMAN"), ("ABDOUL", "RAHMAN")],
    [("ABD", "AL", "AZIZ"), ("ABDELAZIZ",), ("ABDULAZIZ",), ("ABDEL", "AZIZ")],
    [("ABD", "AS", "SALAM"), ("ABDESSALAM",), ("ABDUSSALAM",), ("ABDUL", "SALAM")],
    [("ABDALLAH",), ("ABDULLAH",), ("ABDELLAH",), ("ABD", "ALLAH")],
    [("SALAH", "AL", "DIN"), ("SALAHEDDINE",), ("SALAHUDDIN",), ("SALAH", "UD", "DIN"),
     ("SALAH", "ED", "DINE"), ("SALAHALDIN",)],
])  # fmt: skip
def test_a_compounds_spellings_are_one(spellings: list[tuple[str, ...]]) -> None:
    assert len({compounds(s) for s in spellings}) == 1


@pytest.mark.parametrize(("tokens", "surname", "one"), [
    (("IBN", "ALI"), True, ("BINALI",)),
    (("BEN", "ALI"), True, ("BINALI",)),
    (("BU", "AZIZI"), True, ("BUAZIZI",)),
    (("ABU", "BAKR"), False, ("BUBAKR",)),
    (("AZ", "ZAHRANI"), True, ("ZAHRANI",)),
    (("ASH", "SHAMMARI"), True, ("SHAMMARI",)),
    (("KHALED", "ABD", "AL", "RAHMAN"), False, ("KHALED", "ABDRAHMAN")),
])  # fmt: skip
def test_particles_and_articles(tokens: tuple[str, ...], surname: bool,
                                one: tuple[str, ...]) -> None:
    assert compounds(tokens, surname) == one


@pytest.mark.parametrize(("tokens", "surname"), [
    (("JOHN", "SMITH"), False),
    (("BEN", "JAMES"), False),  # a given name BEN: only a surname's is ibn
    (("AL", "SHAMARI"), True),  # an article before another letter: as before
    (("ABDUH",), False), (("ABD",), False),
    (("ALDINE",), False), (("AL", "DIN"), False),  # no name before al-Din
    (("BOUCHARD", "PIERRE"), False), (("ABUBAKAR",), False),
    # a Russian surname of such a name is a surname of its own (the world set's
    # soundalike class: ABDULOV is not ABDULLAEV)
    (("ABDULLAEV",), True), (("ABDURAKHMANOVA",), True), (("NURUDDINOV",), True),
])  # fmt: skip
def test_other_names_are_left_alone(tokens: tuple[str, ...], surname: bool) -> None:
    assert compounds(tokens, surname) == ()


@pytest.mark.parametrize(("notice", "scan", "nat"), [
    (("HUSSEINI", "ABD AL RAHMAN SALAHEDDINE"), ("HOSEINI", "ABDUL RAHMAN SALAH AL DIN"),
     "SYR"),
    (("AL SHAMARI", "KHALID ABDERRAHMANE"), ("ALSHAMMARI", "KHALED ABD AL RAHMAN"), "MAR"),
    (("BENALI", "ESMAIL"), ("IBN ALI", "ISMAIL"), "ARE"),
    (("ZAHRANI", "ABDELAZIZ"), ("AZ ZAHRANI", "ABD AL AZIZ"), "EGY"),
    (("CHEIKH", "SALAHEDDINE"), ("SHAIKH", "SALAH AL DIN"), "YEM"),
    (("ABDELRAHIM", "HAMZA"), ("ABD AL RAHIM", "HAMZAH"), "EGY"),
    (("CHAUDHRY", "ABDELKADIR"), ("CHOWDHURY", "ABDUL QADIR"), "PAK"),
])  # fmt: skip
def test_compounds_spelt_otherwise_are_found(notice: tuple[str, str], scan: tuple[str, str],
                                             nat: str) -> None:
    assert _keys_meet(notice, scan, nat)
    assert _score(notice, scan, nat) >= THRESHOLD
    assert _keys_meet(scan, notice, nat)
    assert _score(scan, notice, nat) >= THRESHOLD
