"""A notice's blocking keys as person_keys.notice_keys puts them together (per field,
cached) against their definition token by token (name_keys), kept here as it was written
before: any difference is a notice that a scan no longer meets, or meets where it did not.
And the caches behind notices' profiles and keys hand out nothing a caller can spoil."""

from __future__ import annotations

import copy
import re
from itertools import islice
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching import name_keys
from screening.matching.name_spelling import canon, consonants, skeletons, strip_prefix
from screening.matching.name_tables import CHINESE_SURNAMES, PREFIXES
from screening.matching.name_tokens import SURNAME, decode_tokens, joined, significant
from screening.matching.notice_forms import CHINESE_NATIONS
from screening.matching.person_keys import _year, notice_keys
from screening.matching.persons import notice_profile
from screening.matching.scan_forms import principal
from screening.matching.translit import pinyin_syllables
from screening.watchlists.notices.mock import iter_notices


def _pair(a: str, b: str) -> str:
    return f"{a}.{b}" if a <= b else f"{b}.{a}"


def reference_keys(profile: dict[str, Any]) -> set[str]:
    """notice_keys as it read before its keys were put together per field."""
    year = _year(profile.get("dob"))
    chinese = bool(CHINESE_NATIONS.intersection(profile.get("nat") or ()))
    keys: set[str] = set()
    han: dict[int, tuple[set[str], list[bool]]] = {}
    for n_form, (alias, encoded, _) in enumerate(profile["forms"]):
        tokens = decode_tokens(encoded)
        sig = significant(tokens)
        if len(sig) == 1:
            keys.update(f"m:{k}:{year}" for k in skeletons(sig[0].raw))
            continue
        pairs = name_keys.pair_keys(tokens)
        if year == "x":
            keys.update(f"x:{k}" for k in pairs)
            continue
        keys.update(f"p:{k}:{year}" for k in pairs)
        keys.update(f"j:{name_keys.joined_key(k)}:{year}" for k in joined(tokens))
        first = principal(tokens)
        keys.add(f"l:{_pair(name_keys.loose_key(first[0].raw), name_keys.loose_key(first[1].raw))}"
                 f":{year}")
        keys.update(f"t:{k}:{year}" for k in name_keys.typo_keys(sig, notice=True))
        initial = name_keys.initial_key(sig) if n_form == 0 else None
        if initial:
            keys.add(f"t:{initial}:{year}")
        keys.add(f"n:{_pair(skeletons(first[0].raw)[0], skeletons(first[1].raw)[0])}")
        surname = next((t for t in sig if t.flags & SURNAME), None)
        if chinese and surname is not None and surname.raw in CHINESE_SURNAMES:
            skels, pinyin = han.setdefault(alias, (set(), []))
            skels.update(skeletons(surname.raw))
            pinyin.append(all(pinyin_syllables(t.raw) for t in sig if not t.flags & SURNAME))
    for skels, pinyin in han.values():
        keys.update(f"{'h' if any(pinyin) else 'hc'}:{k}:{year}" for k in skels)
    return keys


def _record(names: list[tuple[str, str]], dob: str | None, nats: list[str]) -> dict[str, Any]:
    return {"id": "N1", "colour": "red", "date_of_birth": dob, "nationalities": nats,
            "names": [{"surname": s, "given_names": g, "script": "Latn"} for s, g in names]}


CASES = [
    ([("MUELLER", "HANS PETER")], "1970-01-02", ["D"]),
    ([("VAN DER BERG", "JAN")], "1970", []),
    ([("LE", "VAN AN")], "1980-03-04", ["VNM"]),
    ([("LEE", "LEE")], "1980-03-04", []),  # one spelling twice: both typo tokens
    ([("LEE LEE LEE", "")], None, []),
    ([("MADONNA", "")], "1958-08-16", []),  # one token
    ([("KHAMENEI", "A")], "1939", ["IRN"]),
    ([("AL MASRI", "MOHAMED ABDEL RAHMAN")], "1975-06-01", ["EGY"]),
    ([("ZHANG", "XIAO MING"), ("CHEUNG", "SIU MING")], "1969-11-11", ["CHN"]),
    ([("ZHANG", "KIN HUNG")], "1969-11-11", ["HKG"]),
    ([("KIM", "JONG UN"), ("김", "정은")], "1984-01-08", ["PRK"]),
    ([("ПУТИН", "ВЛАДИМИР ВЛАДИМИРОВИЧ"), ("PUTIN", "VLADIMIR")], "1952-10-07", ["RUS"]),
    ([("KUSNEZOW", "IGOR")], "1960-01-01", ["RUS"]),
    ([("محمد", "علي")], "1961-02-03", ["SAU"]),
    ([("习", "近平")], "1953-06-15", ["CHN"]),
    ([("DE LA CRUZ", "MARIA DEL CARMEN")], None, ["MEX"]),
    ([("O BRIEN", "D ANGELO")], "1990-12-31", ["IRL"]),
    ([("DE", "DA")], "1990", []),  # particles only
]


@pytest.mark.parametrize(("names", "dob", "nats"), CASES)
def test_cases_keep_their_keys(names: list[tuple[str, str]], dob: str | None,
                               nats: list[str]) -> None:
    profile = notice_profile(_record(names, dob, nats))
    assert notice_keys(profile) == reference_keys(profile)


def test_mock_notices_keep_their_keys() -> None:
    for record in islice(iter_notices(3000, seed=11), 3000):
        profile = notice_profile(record)
        assert notice_keys(profile) == reference_keys(profile), record["id"]


_WORDS = ["AL", "DE", "VAN", "EL", "BEN", "ABDEL", "O", "XIAO", "MING", "ZHANG", "LI", "KIM",
          "JONG", "MOHAMED", "JURIJ", "WALKER", "SCHMIDT", "A", "MC", "DONALD", "LEE", "YU"]
_field = st.lists(st.sampled_from(_WORDS) | st.text("ABCDEHIJKLMNORSTUWXYZ", min_size=1,
                                                     max_size=9), max_size=4).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_field, _field), min_size=1, max_size=3),
       st.sampled_from([None, "1980", "1980-02-03"]),
       st.lists(st.sampled_from(["CHN", "TWN", "HKG", "KOR", "RUS", "UKR", "EGY", "D"]),
                max_size=2))
def test_any_name_keeps_its_keys(names: list[tuple[str, str]], dob: str | None,
                                 nats: list[str]) -> None:
    profile = notice_profile(_record(names, dob, nats))
    assert notice_keys(profile) == reference_keys(profile)


def test_cached_results_are_not_shared_with_callers() -> None:
    """Profiles and keys are built from per-token and per-field caches: what one caller
    changes in its result must not reach the next notice of the same names."""
    record = _record([("AL MASRI", "MOHAMED ABDEL"), ("ZHANG", "XIAO MING")], "1975-06-01",
                     ["EGY", "CHN"])
    profile = notice_profile(record)
    expected_profile = copy.deepcopy(profile)
    keys = notice_keys(profile)
    expected_keys = set(keys)
    keys.add("p:SPOILT:1975")
    keys.discard(next(iter(expected_keys)))
    for form in profile["forms"]:
        for token in form[1]:
            token[0] = "SPOILT"
            token[4] = 0
        form[1].append(["X", "X", "X", 1, 1, 0])
    profile["names"].append("SPOILT")
    again = notice_profile(record)
    assert again == expected_profile
    assert notice_keys(again) == expected_keys


_LETTERS = st.text("ABDEILMNOSUVCK", max_size=10)


@given(st.sampled_from([*PREFIXES, ""]), _LETTERS)
def test_strip_prefix_tries_prefixes_in_their_order(prefix: str, rest: str) -> None:
    """strip_prefix looks only at the prefixes of the token's first letter: the same one
    as trying all of PREFIXES in turn (DELLA before DELA before DEL)."""
    token = prefix + rest
    expected = next((token[len(p):] for p in PREFIXES
                     if token.startswith(p) and len(token) - len(p) >= 4), token)
    assert strip_prefix(token) == expected


@given(st.text("ABCDEHIJKLMNOSTUWXYZ", max_size=12))
def test_consonants_as_defined(token: str) -> None:
    expected = re.sub(r"(.)\1+", r"\1", re.sub(r"[AEIOUY]", "", canon(token))) or canon(token)
    assert consonants(token) == expected
