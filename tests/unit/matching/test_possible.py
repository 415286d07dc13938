"""Possible matches: a name match the attributes do not corroborate, but that nothing
contradicts, is returned as tier "possible" (for analysts; the gate proceeds) when asked
for, and never changes what is a referral."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching.person_evidence import parse_dob
from screening.matching.persons import (
    PersonQuery,
    could_hit,
    notice_attributes,
    notice_keys,
    notice_profile,
    query_keys,
    score,
)

THRESHOLD = 0.88


def _notice(surname: str, given: str, dob: str | None, nats: tuple[str, ...] = ("EGY",)
            ) -> dict[str, Any]:  # fmt: skip
    rec: dict[str, Any] = {"list": "notice", "id": "N1", "colour": "red", "sex": "M",
                           "names": [{"surname": surname, "given_names": given,
                                      "script": "Latn"}],
                           "nationalities": list(nats)}  # fmt: skip
    if dob:
        rec["date_of_birth"] = dob
    return rec


def _tier(rec: dict[str, Any], query: PersonQuery) -> str | None:
    """As the notices' screen does it: keys must meet, the prefilter must let the
    candidate through, then the stored profile is scored with possible matches."""
    profile = orjson.loads(orjson.dumps(notice_profile(rec)))
    if not set(query_keys(query)) & notice_keys(profile):
        return None
    if not could_hit(query, notice_attributes(profile), THRESHOLD, with_possible=True):
        return None
    m = score(query, profile, THRESHOLD, with_possible=True)
    return None if m is None else m.tier


def _q(surname: str, given: str, dob: str | None = "1970-01-01", nat: str | None = "EGY"
       ) -> PersonQuery:  # fmt: skip
    return PersonQuery(surname, given, dob, nat, "M")


CASES = [
    # an undated notice: a two-token name, a spelling of it, a name part missing
    (_notice("Haddad", "Omar", None), _q("HADDAD", "OMAR"), "possible"),
    (_notice("Haddad", "Omar", None), _q("HADDAD", "OMER"), "possible"),
    (_notice("Haddad", "Karim Nabil", None), _q("HADDAD", "KARIM"), "possible"),
    (_notice("Al-Masri", "Omar", None), _q("AL MASRI", "OMAR"), "possible"),
    # ... a nationality it does not list contradicts; two very common tokens say too little
    (_notice("Haddad", "Omar", None), _q("HADDAD", "OMAR", nat="FRA"), None),
    (_notice("Garcia", "Maria", None, ("ESP",)), _q("GARCIA", "MARIA", nat="ESP"), None),
    # ... another name is not a possible match
    (_notice("Haddad", "Omar", None), _q("HADDAD", "KHALED"), None),
    # three tokens that agree say enough on their own: a referral, as before
    (_notice("Haddad", "Karim Nabil", None), _q("HADDAD", "KARIM NABIL"), "referral"),
    # the scan without a date of birth, a dated notice
    (_notice("Haddad", "Omar", "1970-01-01"), _q("HADDAD", "OMAR", None), "possible"),
    # dates that agree fully: a referral; dates that differ: nothing, whatever the name
    (_notice("Haddad", "Omar", "1970-01-01"), _q("HADDAD", "OMAR"), "referral"),
    (_notice("Haddad", "Omar", "1971-01-01"), _q("HADDAD", "OMAR"), None),
    (_notice("Haddad", "Omar", "1970-03-01"), _q("HADDAD", "OMAR"), None),
    # a year that agrees, another nationality: contradicted
    (_notice("Haddad", "Omar", "1970"), _q("HADDAD", "OMAR", nat="FRA"), None),
]


@pytest.mark.parametrize(("rec", "query", "tier"), CASES)
def test_possible_matches(rec: dict[str, Any], query: PersonQuery, tier: str | None) -> None:
    assert _tier(rec, query) == tier


def test_a_possible_match_is_scored_without_the_corroboration_penalty() -> None:
    profile = notice_profile(_notice("Haddad", "Omar", None))
    m = score(_q("HADDAD", "OMAR"), profile, THRESHOLD, with_possible=True)
    assert m is not None and m.tier == "possible" and m.score >= THRESHOLD
    assert "no_corroboration" not in [r for r, _ in m.penalties]
    assert ("birth_date_unknown", 0.05) in m.penalties  # why it is only possible
    assert score(_q("HADDAD", "OMAR"), profile, THRESHOLD) is None  # not asked for


WORDS = st.sampled_from(["HADDAD", "OMAR", "KARIM", "NABIL", "OKAFOR", "CHINEDU", "MARIA",
                         "GARCIA", "LI", "WEI", "MASRI", "YURI", "PETROV"])
DATES = st.dates(date(1950, 1, 1), date(2005, 12, 31))


def _cut(d: date, how: int) -> str | None:
    return (d.isoformat(), d.isoformat()[:7], d.isoformat()[:4], None)[how]


@settings(max_examples=400, deadline=None)
@given(WORDS, WORDS, WORDS, DATES, st.integers(0, 3), st.integers(0, 3),
       st.integers(-800, 800), st.sampled_from(["EGY", "FRA", None]))
def test_possible_matches_change_no_referral_and_never_contradict_a_date(
        surname: str, first: str, second: str, born: date, n_cut: int, q_cut: int,
        shift: int, nat: str | None) -> None:  # fmt: skip
    n_dob = _cut(born, n_cut)
    q_dob = _cut(born + timedelta(days=shift), q_cut)
    profile = notice_profile(_notice(surname, f"{first} {second}", n_dob))
    query = PersonQuery(surname, first, q_dob, nat, "M")
    plain = score(query, profile, THRESHOLD)
    m = score(query, profile, THRESHOLD, with_possible=True)
    if plain is not None:  # a referral stays one, scored alike
        assert m == plain and m.tier == "referral"
    elif m is not None:
        assert m.tier == "possible"
        a, b = parse_dob(n_dob), parse_dob(q_dob)
        if a and b:  # the dates agree as far as both sides know them
            assert a.year == b.year
            assert not (a.month and b.month) or a.month == b.month
            assert not (a.day and b.day) or a.day == b.day
