from __future__ import annotations

import orjson

from screening.matching.persons import PersonQuery, notice_keys, notice_profile, query_keys, score

NOTICE = {
    "id": "N1",
    "colour": "red",
    "names": [{"surname": "Müller", "given_names": "Hans Peter", "script": "Latn"}],
    "date_of_birth": "1970-03-04",
    "nationalities": ["D"],
    "sex": "M",
}


def _q(surname: str, given: str, dob: str | None = None, nat: str | None = None) -> PersonQuery:
    return PersonQuery(surname, given, dob, nat, None)


def test_exact_name_any_order_hits() -> None:
    profile = orjson.loads(orjson.dumps(notice_profile(NOTICE)))
    q = _q("PETER", "HANS MUELLER", "1970-03-04", "D")
    assert set(query_keys(q)) & notice_keys(profile)
    match = score(q, profile, 0.88)
    assert match is not None
    assert match.matched_on == ("name", "date_of_birth", "nationality")


def test_different_dob_and_nationality_is_not_a_hit() -> None:
    profile = notice_profile(NOTICE)
    assert score(_q("MUELLER", "HANS PETER", "1990-01-01", "FRA"), profile, 0.88) is None
