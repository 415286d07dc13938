"""The attribute prefilter (persons.could_hit) never drops a candidate that score() hits.

Name-index entries carry a notice's date of birth, nationalities and sex so that a scan
drops most candidates before their profiles are fetched; this must change no decision.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching.person_evidence import attribute_ceiling, ceiling, prepare, weigh
from screening.matching.person_prefilter import _attributes
from screening.matching.persons import (
    PersonQuery,
    could_hit,
    notice_attributes,
    notice_profile,
    score,
)

THRESHOLD = 0.88
WORDS = st.sampled_from(["GARCIA", "MARIA", "HADDAD", "KARIM", "NABIL", "OKAFOR", "CHINEDU",
                         "MUELLER", "ANNA", "LI", "WEI", "AL", "MASRI", "MOHAMED", "YURI"])
DATES = st.dates(date(1950, 1, 1), date(2005, 12, 31))
NATS = st.sampled_from(["FRA", "EGY", "D", "NGA"])


def notice(surname: str, given: str, dob: str | None, nats: list[str], sex: str | None
           ) -> dict[str, Any]:  # fmt: skip
    return {"list": "notice", "id": "N1", "colour": "red", "date_of_birth": dob, "sex": sex,
            "names": [{"surname": surname, "given_names": given, "script": "Latn"}],
            "nationalities": nats}


def _cut(d: date, how: int) -> str | None:
    return (d.isoformat(), d.isoformat()[:7], d.isoformat()[:4], None)[how]


@settings(max_examples=400, deadline=None)
@given(WORDS, WORDS, WORDS, DATES, st.integers(0, 3), st.integers(0, 3),
       st.integers(-400, 400), st.lists(NATS, max_size=2, unique=True),
       st.one_of(st.none(), NATS), st.sampled_from([None, "M", "F", "X"]),
       st.sampled_from([None, "M", "F"]), st.floats(0.80, 0.95), st.booleans())
def test_a_hit_is_never_dropped(surname: str, first: str, second: str, born: date,
                                n_cut: int, q_cut: int, shift: int, nats: list[str],
                                nat: str | None, n_sex: str | None, q_sex: str | None,
                                threshold: float, with_possible: bool) -> None:  # fmt: skip
    profile = notice_profile(notice(surname, f"{first} {second}", _cut(born, n_cut), nats, n_sex))
    query = PersonQuery(surname, first, _cut(born + timedelta(days=shift), q_cut), nat, q_sex)
    if score(query, profile, threshold, with_possible=with_possible) is not None:
        assert could_hit(query, notice_attributes(profile), threshold,
                         with_possible=with_possible)


CASES = [
    # (notice dob, nationalities, sex, query dob, nationality, sex, worth fetching)
    ("1980-05-06", ["EGY"], "M", "1980-05-06", "EGY", "M", True),
    ("1980-05-06", ["EGY"], "M", "1980-05-07", "EGY", "M", False),  # other day, same year
    ("1980-05-06", ["EGY"], "M", "1981-05-06", "EGY", "M", False),  # other year
    ("1980-05-06", ["EGY"], "M", "1980-05-06", "FRA", "M", True),  # dual national: name decides
    ("1980", ["EGY"], None, "1980-05-06", "FRA", None, False),  # partial date, other country
    ("1980", ["EGY"], None, "1980-05-06", "EGY", None, True),
    (None, ["EGY"], None, "1980-05-06", "EGY", None, True),  # undated: the name may say enough
    (None, ["EGY"], None, "1980-05-06", "USA", None, False),
]


@pytest.mark.parametrize(("n_dob", "nats", "n_sex", "q_dob", "nat", "q_sex", "expected"), CASES)
def test_which_candidates_are_fetched(n_dob: str | None, nats: list[str], n_sex: str | None,
                                      q_dob: str, nat: str, q_sex: str | None,
                                      expected: bool) -> None:  # fmt: skip
    profile = notice_profile(notice("Haddad", "Karim Nabil", n_dob, nats, n_sex))
    query = PersonQuery("HADDAD", "KARIM NABIL", q_dob, nat, q_sex)
    assert could_hit(query, notice_attributes(profile), THRESHOLD) is expected


def test_an_entry_without_attributes_is_always_fetched() -> None:
    query = PersonQuery("HADDAD", "KARIM", "1980-05-06", "EGY", "M")
    assert could_hit(query, "", THRESHOLD)
    assert could_hit(query, "garbage", THRESHOLD)


@settings(max_examples=600, deadline=None)
@given(WORDS, st.one_of(st.none(), WORDS), WORDS, DATES, st.integers(0, 3), st.integers(0, 3),
       st.integers(-800, 800), st.lists(NATS, max_size=2, unique=True),
       st.one_of(st.none(), NATS), st.sampled_from([None, "M", "F", "X"]),
       st.sampled_from([None, "M", "F", "X"]), st.booleans(), st.booleans())
def test_the_prefilter_ceiling_is_the_scorers(surname: str, first: str | None, other: str,
                                              born: date, n_cut: int, q_cut: int, shift: int,
                                              nats: list[str], nat: str | None,
                                              n_sex: str | None, q_sex: str | None,
                                              swap: bool, with_possible: bool) -> None:  # fmt: skip
    """The prefilter's allocation-free ceiling is score's (ceiling of weigh), bit for bit:
    the same candidates are fetched."""
    q_born = born + timedelta(days=shift)
    if swap and q_born.day <= 12:  # day and month exchanged
        q_born = q_born.replace(month=q_born.day, day=q_born.month)
    query = PersonQuery(surname, first and f"{first} {other}", _cut(q_born, q_cut), nat, q_sex)
    prepared = prepare(query)
    if prepared is None:
        return
    payload = notice_attributes({"dob": _cut(born, n_cut), "nat": nats, "sex": n_sex})
    attrs = _attributes(payload)
    assert attrs is not None
    profile = {"dob": _cut(born, n_cut), "nat": nats, "sex": n_sex}
    assert attribute_ceiling(prepared, *attrs, with_possible) == ceiling(
        prepared, weigh(prepared, profile), with_possible)
