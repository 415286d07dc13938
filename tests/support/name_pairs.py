"""One notice and one scan of a name pair, same date of birth and nationality: whether
their keys meet and what the pair scores (the matching tests' tables of cases)."""

from __future__ import annotations

from screening.matching.persons import PersonQuery, notice_keys, notice_profile, query_keys, score

THRESHOLD = 0.88
DOB = "1971-05-23"


def _record(notice: tuple[str, str], nat: str) -> dict[str, object]:
    return {"id": "N1", "names": [{"surname": notice[0], "given_names": notice[1]}],
            "nationalities": [nat], "date_of_birth": DOB}  # fmt: skip


def _score(notice: tuple[str, str], scan: tuple[str, str], nat: str) -> float:
    match = score(PersonQuery(scan[0], scan[1], DOB, nat, None),
                  notice_profile(_record(notice, nat)), 0.0)  # fmt: skip
    return match.score if match else 0.0


def _keys_meet(notice: tuple[str, str], scan: tuple[str, str], nat: str) -> bool:
    return bool(set(notice_keys(notice_profile(_record(notice, nat))))
                & set(query_keys(PersonQuery(scan[0], scan[1], DOB, nat, None))))  # fmt: skip
