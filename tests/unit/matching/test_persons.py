"""Person matching against notices: variant families, penalties, keys, and rules."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screening.matching.persons import (
    MAX_FOREIGN_QUERY_KEYS,
    MAX_QUERY_KEYS,
    PersonMatch,
    PersonQuery,
    notice_keys,
    notice_profile,
    query_keys,
    score,
)

THRESHOLD = 0.88


def notice(surname: str, given: str, dob: str | None = "1980-05-06", nats: tuple[str, ...] = (),
           sex: str | None = "M", *aliases: tuple[str, str]) -> dict[str, Any]:  # fmt: skip
    names = [{"surname": surname, "given_names": given, "script": "Latn"}]
    names += [{"surname": s, "given_names": g, "script": "Zyyy"} for s, g in aliases]
    rec: dict[str, Any] = {"list": "notice", "id": "N1", "colour": "red", "names": names,
                           "nationalities": list(nats), "sex": sex}  # fmt: skip
    if dob:
        rec["date_of_birth"] = dob
    return rec


def screen(rec: dict[str, Any], q: PersonQuery, threshold: float = THRESHOLD) -> PersonMatch | None:
    """As the pipeline does it: keys must meet, then the stored profile is scored."""
    profile = orjson.loads(orjson.dumps(notice_profile(rec)))
    if not set(query_keys(q)) & notice_keys(profile):
        return None
    return score(q, profile, threshold)


def q(surname: str | None, given: str | None, dob: str | None = "1980-05-06",
      nat: str | None = None, sex: str | None = "M") -> PersonQuery:  # fmt: skip
    return PersonQuery(surname, given, dob, nat, sex)


EGY = ("EGY",)
HITS = {
    "translit": [
        (notice("Al-Masri", "Muhammad", nats=EGY), q("ALMASRI", "MOHAMED", nat="EGY")),
        (notice("Haddad", "Yusuf", nats=EGY), q("HADDAD", "YOUSSEF")),
        (notice("Petrov", "Yuri"), q("PETROV", "IURII")),
        (notice("Petrov", "Yuriy"), q("PETROW", "JURIJ")),
        (notice("Zhang", "Xiaoming", nats=("CHN",)), q("CHEUNG", "XIAO MING")),
        (notice("Zhang", "Xiaoming", nats=("CHN",)), q("CHANG", "HSIAO MING", nat="TWN")),
    ],
    "script": [
        (
            notice("Kozlov", "Y.", "1975", (), "M", ("Козлов", "Юрий Алексеевич")),
            q("KOZLOV", "IURII", "1975-03-03"),
        ),
        (
            notice("Shevchenko", "Taras", "1975", (), "M", ("Шевченко", "Тарас")),
            q("SCHEWTSCHENKO", "TARAS", "1975"),
        ),
        (
            notice("Unknown", "X", "1980-05-06", EGY, "M", ("المصري", "محمد")),
            q("EL MASRI", "MOHAMMED", nat="EGY"),
        ),
        # A scan in the notice's own script: Arabic, read with its article's vowel.
        (
            notice("Chami", "Karim", "1970-04-13", ("DZA",), "M", ("الشامي", "كريم")),
            q("الشامي", "كريم", "1970-04-13"),
        ),
        (  # Chinese, its syllables not run together
            notice("Zhang", "Xiaoming", "1985-03-02", ("CHN",), "M", ("张", "小明")),
            q("张", "小明", "1985-03-02"),
        ),
        (  # the whole name in one field, surname first, against the Latin alias only
            notice("Zhang", "Xiaoming", "1985-03-02", ("CHN",), "M"),
            q("张小明", None, "1985-03-02"),
        ),
    ],
    "order_swap": [(notice("Garcia", "Maria", sex="F"), q("MARIA", "GARCIA", sex="F"))],
    "given_missing": [(notice("Mueller", "Hans Peter"), q("MUELLER", "HANS"))],
    "given_added": [(notice("Okafor", "Chinedu"), q("OKAFOR", "CHINEDU EMEKA"))],
    "surname_part_dropped": [(notice("Garcia Lopez", "Jose"), q("LOPEZ", "JOSE"))],
    "particles": [
        (notice("El-Masri", "Omar"), q("AL MASRI", "OMAR")),
        (notice("de la Cruz", "Juan"), q("DELACRUZ", "JUAN")),
        (notice("Almasri", "Omar"), q("MASRI", "OMAR")),
    ],
    "apostrophe": [
        (notice("O'Brien", "Sean"), q("O BRIEN", "SEAN")),
        (notice("Gus'enko", "Aleksey"), q("GUS ENKO", "ALEKSEY")),
        (notice("Dell'Acqua", "Teresa Angela"), q("DELL ACQUA", "TERESA ANGELA")),
    ],
    "joined": [(notice("Zhang", "Xiaoming", nats=("FRA",)), q("ZHANG", "XIAO MING"))],
    "diacritics": [(notice("Müller", "Jürgen"), q("MULLER", "JURGEN"))],
    "typo": [
        (notice("Schulz", "Andreas"), q("SCHULZ", "ANREAS")),
        (notice("Kowalski", "Piotr"), q("LOWALSKI", "PIOTR")),
    ],
    "partial_dob": [
        (notice("Diallo", "Seydou", "1980"), q("DIALLO", "SEYDOU", "1980-05-06")),
        (notice("Diallo", "Seydou"), q("DIALLO", "SEYDOU", "1980-05")),
    ],
}


@pytest.mark.parametrize(
    ("rec", "query"),
    [
        pytest.param(r, qq, id=f"{fam}-{i}")
        for fam, cases in HITS.items()
        for i, (r, qq) in enumerate(cases)
    ],
)
def test_variant_families_hit(rec: dict[str, Any], query: PersonQuery) -> None:
    assert screen(rec, query) is not None


MISSES = [
    # namesake: another birth date far away and another nationality
    (
        notice("Garcia", "Maria", "1980-05-06", ("MEX",), "F"),
        q("GARCIA", "MARIA", "1961-02-03", "ESP", "F"),
    ),
    # a different person who shares one token
    (notice("Ali", "Mohammed", nats=EGY), q("HASSAN", "MOHAMMED", nat="EGY")),
    # same name, fully known birth dates that differ, same year
    (
        notice("Garcia", "Maria", "1980-05-06", ("MEX",), "F"),
        q("GARCIA", "MARIA", "1980-11-23", "MEX", "F"),
    ),
    # surname matched a patronymic, the real surname nowhere
    (
        notice("Ivanova", "Olga", nats=("RUS",), sex="F"),
        q("SMIRNOVA", "OLGA IVANOVNA", nat="RUS", sex="F"),
    ),
    # two names known to be different
    (notice("Chen", "Wei", nats=("CHN",)), q("ZHANG", "WEI", nat="CHN")),
]


@pytest.mark.parametrize(("rec", "query"), MISSES)
def test_not_a_hit(rec: dict[str, Any], query: PersonQuery) -> None:
    assert score(query, notice_profile(rec), THRESHOLD) is None


def test_a_hit_explains_itself() -> None:
    rec = notice("Al-Masri", "Muhammad", "1980-05-06", EGY, "M", ("المصري", "محمد"))
    m = score(q("ALMASRI", "MOHAMED", "1980-05-07", "EGY"), notice_profile(rec), 0.5)
    assert m is not None
    assert m.matched_alias == "Al-Masri, Muhammad"
    assert m.matched_on == ("name", "nationality", "sex")
    assert ("birth_date_mismatch", 0.15) in m.penalties
    assert 0 <= m.score <= 1


def test_exact_match_with_corroboration_scores_one() -> None:
    m = score(
        q("MUELLER", "HANS", nat="D"), notice_profile(notice("Müller", "Hans", nats=("D",))), 0.9
    )
    assert m is not None and m.score == 1.0
    assert m.matched_on == ("name", "date_of_birth", "nationality", "sex")


def test_penalties_by_date_gap() -> None:
    profile = notice_profile(notice("Garcia", "Jose", "1980-05-06"))
    amounts = []
    for dob in ("1980-05-06", "1980-06-05", "1980-07-01", "1981-05-06", "1984-01-01", "1990"):
        m = score(q("GARCIA", "JOSE", dob), profile, 0.0)
        assert m is not None
        amounts.append(sum(a for r, a in m.penalties if r.startswith("birth")))
    assert amounts == sorted(amounts)
    assert amounts[0] == 0 and amounts[1] < amounts[2]  # day and month swapped: milder


def test_profile_is_compact_json() -> None:
    rec = notice("Иванов", "Юрий", "1975", (), "M", ("Ivanov", "Yuriy"))
    blob = orjson.dumps(notice_profile(rec))
    assert len(blob) < 4000
    assert orjson.loads(blob)["id"] == "N1"


def test_keys_are_short_ascii_without_spaces() -> None:
    rec = notice("Al-Masri", "Muhammad Yusuf", "1980", EGY, "M", ("المصري", "محمد يوسف"))
    for key in notice_keys(notice_profile(rec)) | set(query_keys(q("EL MASRI", "MOHAMED"))):
        assert key.isascii() and " " not in key and len(key) <= 48


def test_no_name_no_keys_no_match() -> None:
    empty = q(None, None)
    assert query_keys(empty) == []
    assert score(empty, notice_profile(notice("Ali", "Omar")), 0.0) is None


# Corroboration in proportion to what the name says alone: (notice, scan, hit?, a penalty
# the match must carry, scored at threshold 0 to see it).
TRIO = ("Haddad", "Karim Nabil")
CORROBORATION = [
    # full date of birth: the name decides; a passport of another state only costs
    (
        notice(*TRIO, "1980-05-06", EGY),
        q("HADDAD", "KARIM NABIL", nat="FRA"),
        True,
        "country_mismatch",
    ),
    # year only: the nationality must not contradict
    (
        notice(*TRIO, "1980", EGY),
        q("HADDAD", "KARIM NABIL", nat="EGY"),
        True,
        "birth_date_imprecise",
    ),
    (notice(*TRIO, "1980", EGY), q("HADDAD", "KARIM NABIL", nat="FRA"), False, "no_corroboration"),
    (
        notice(*TRIO, "1980-05", EGY),
        q("HADDAD", "KARIM NABIL", nat="FRA"),
        False,
        "no_corroboration",
    ),
    (
        notice(*TRIO, "1980", ()),
        q("HADDAD", "KARIM NABIL", nat="FRA"),
        True,
        "birth_date_imprecise",
    ),
    # no date of birth: three tokens or more, each a spelling of the other, and no
    # contradicting nationality
    (
        notice(*TRIO, None, EGY),
        q("HADDAD", "KARIM NABIL", "1970-01-01", "EGY"),
        True,
        "birth_date_unknown",
    ),
    (
        notice(*TRIO, None, EGY),
        q("HADDAD", "KAREEM NABIL", "1970-01-01", "EGY"),
        True,
        "birth_date_unknown",
    ),
    (
        notice(*TRIO, None, ()),
        q("HADDAD", "KARIM NABIL", "1970-01-01", "EGY"),
        True,
        "birth_date_unknown",
    ),
    (
        notice(*TRIO, None, EGY),
        q("HADDAD", "KARIM NABIL", "1970-01-01", "FRA"),
        False,
        "no_corroboration",
    ),
    (
        notice("Haddad", "Omar", None, EGY),
        q("HADDAD", "OMAR", "1970-01-01", "EGY"),
        False,
        "no_corroboration",
    ),
    (
        notice(*TRIO, None, EGY),
        q("HADDAD", "KARIM NABHAN", "1970-01-01", "EGY"),
        False,
        "no_corroboration",
    ),
]


@pytest.mark.parametrize(("rec", "query", "hit", "reason"), CORROBORATION)
def test_corroboration_in_proportion_to_the_name(rec: dict[str, Any], query: PersonQuery,
                                                 hit: bool, reason: str) -> None:  # fmt: skip
    assert (screen(rec, query) is not None) is hit
    m = score(query, orjson.loads(orjson.dumps(notice_profile(rec))), 0.0)
    assert m is not None and reason in [r for r, _ in m.penalties]


def test_an_uncorroborated_name_stays_below_the_default_threshold() -> None:
    rec = notice("Haddad", "Omar", None, EGY)
    m = score(q("HADDAD", "OMAR", None, "EGY"), notice_profile(rec), 0.0)
    assert m is not None and ("no_corroboration", 0.15) in m.penalties
    assert m.score < THRESHOLD


def test_only_names_that_could_hit_look_up_undated_notices() -> None:
    # Two very common tokens say too little even for a possible match; two tokens of
    # which one is not very common may be one (person_evidence.possible).
    common, two, three = q("GARCIA", "MARIA"), q("HADDAD", "OMAR"), q("HADDAD", "KARIM NABIL")
    assert not any(k.startswith("x:") for k in query_keys(common))
    assert any(k.startswith("x:") for k in query_keys(two))
    assert any(k.startswith("x:") for k in query_keys(three))
    undated = notice_keys(notice_profile(notice(*TRIO, None, EGY)))
    assert undated and all(k.startswith("x:") for k in undated)


TYPICAL = [q("GARCIA", "MARIA"), q("GARCIA LOPEZ", "MARIA JOSE"), q("AL MASRI", "MOHAMED"),
           q("ZHANG", "XIAO MING"), q("IVANOV", "YURI ALEKSEEVICH"), q("O BRIEN", "SEAN"),
           q("NGUYEN", "VAN NAM"), q("WONG", "KA CHUN"), q("MUELLER", "HANS PETER")]  # fmt: skip


def test_few_keys_per_scan() -> None:
    counts = [len(query_keys(x)) for x in TYPICAL]
    assert max(counts) <= 12 and sum(counts) / len(counts) <= 8


# ---------------------------------------------------------------- properties
_WORDS = (
    "MÜLLER GARCÍA JOSÉ O'BRIEN NGUYỄN ŁUKASZ ANNA MARIA ÖZTÜRK FRANÇOIS SØREN "
    "D'ANGELO ZHANG WEI ALI HASSAN PETROV IVAN DE LA CRUZ"
)
NAME_WORDS = st.sampled_from(_WORDS.split())


def _mangle(word: str, how: int) -> str:
    if how == 0:
        return word.lower()
    if how == 1:  # diacritics gone, as some documents print them
        return "".join(
            c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
        )
    if how == 2:
        return word.replace("'", " ")
    return word.title()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(NAME_WORDS, min_size=1, max_size=2, unique=True),
    st.lists(NAME_WORDS, min_size=1, max_size=2, unique=True),
    st.randoms(use_true_random=False),
    st.integers(0, 3),
)
def test_a_name_matches_itself_however_written(surname: list[str], given_names: list[str],
                                               rng: Any, how: int) -> None:  # fmt: skip
    assume(not set(surname) & set(given_names))
    rec = notice(" ".join(surname), " ".join(given_names), "1980-05-06", ("FRA",), "M")
    words = [_mangle(w, how) for w in surname + given_names]
    rng.shuffle(words)
    cut = rng.randint(1, len(words) - 1) if len(words) > 1 else 1
    sep = rng.choice([" ", "-", "<", ", "])
    query = q(sep.join(words[:cut]), sep.join(words[cut:]), "1980-05-06", "FRA")
    assert screen(rec, query) is not None


DATES = st.dates(date(1930, 1, 1), date(2010, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    DATES,
    st.integers(5 * 366 + 1, 40 * 365),
    st.booleans(),
    NAME_WORDS,
    NAME_WORDS,
    st.sampled_from(["D", "FRA", "EGY", "CHN"]),
    st.sampled_from(["USA", "RUS", "BRA"]),
)
def test_never_a_hit_far_in_age_and_of_another_country(
    born: date, gap: int, later: bool, surname: str, given_name: str, nat: str, other: str
) -> None:
    scanned = born + timedelta(days=gap if later else -gap)
    rec = notice(surname, given_name, born.isoformat(), (nat,))
    query = q(surname, given_name, scanned.isoformat(), other)
    assert score(query, notice_profile(rec), THRESHOLD) is None


@settings(max_examples=200, deadline=None)
@given(DATES, st.sampled_from([4, 7, 0]), NAME_WORDS, NAME_WORDS, NAME_WORDS)
def test_never_a_hit_on_a_partial_or_missing_date_and_another_country(
    born: date, cut: int, surname: str, first: str, second: str
) -> None:
    rec = notice(surname, f"{first} {second}", born.isoformat()[:cut] or None, ("EGY",))
    query = q(surname, f"{first} {second}", born.isoformat(), "USA")
    assert score(query, notice_profile(rec), THRESHOLD) is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(st.characters(codec="utf-8"), max_size=12), max_size=8),
    st.one_of(st.none(), DATES.map(date.isoformat)),
)
def test_query_keys_bounded_deterministic_unique(words: list[str], dob: str | None) -> None:
    half = len(words) // 2
    query = q(" ".join(words[:half]) or None, " ".join(words[half:]) or None, dob)
    keys = query_keys(query)
    # the wider bound only for a foreign name read back from katakana or Hangul
    latin = all(w.isascii() for w in words)
    assert len(keys) <= (MAX_QUERY_KEYS if latin else MAX_FOREIGN_QUERY_KEYS)
    assert len(keys) == len(set(keys))
    assert keys == query_keys(PersonQuery(**query._asdict()))
    assert all(k.isascii() and " " not in k for k in keys)
