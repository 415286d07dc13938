"""Persons-of-interest matching: blocking keys for the notice index and a scored comparison.

A notice is profiled once (``notice_profile``): every alias, in every Latin spelling its
script suggests, becomes a list of tokens ready for comparison. ``notice_keys`` and
``query_keys`` put a scan and the notices it could be in the same buckets; ``score``
compares the name token by token (Jaro-Winkler, as Moov Watchman does), subtracts
penalties for a date of birth, country or sex that disagree (as OpenSanctions'
logic-v2 does) and then asks for **corroboration** in proportion to how little the
name says on its own (see ``_corroborated``). Every hit names the alias that matched
and lists its penalties.

Keys (short ASCII; ``Y`` is the birth year). A scan looks up a handful (``query_keys``):

``p:A.B:Y``  two name tokens' skeletons, sorted, with the birth year: spelling variants,
             order, and an extra, missing or misspelt token leave one pair intact.
``t:A.^xy:Y`` one token's skeleton and the first (``^``) or last (``$``) two letters of
             the other token of a two-token name: survives a typo in either token.
``x:A.B``    a notice without a date of birth, by token pairs; only names that say
             enough (UNDATED_MIN_INFO) can hit such a notice, so only they look it up.
``n:A.B``    a dated notice by its two first tokens, for the rare scan without a date.
``m:A:Y``    a single-token name (``Y`` is ``x`` without a birth year).
``l:A.B:Y``  two tokens' consonants as an unvocalised script writes them (name_keys.loose_key):
             a notice files its first two tokens', a scan in Arabic, Hebrew, Thai...
             script looks them up.
``j:C:Y``    the whole name run together (VLADIMIRPUTIN), its consonants: a notice files
             both orders, a scan looks up its given names then surname (a letter moved
             across the space, TNKUNDA LAUREN for NKUNDA LAURENT, keeps it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from screening.matching import name_keys, names
from screening.matching.names import Tok, compare, significant, skeletons, split
from screening.matching.normalize import canonical_country
from screening.matching.notice_forms import notice_profile
from screening.matching.scan_forms import (
    Form,
    convention_of,
    name_forms,
    name_forms_for_keys,
    principal,
)

MAX_QUERY_KEYS = 24

# Penalties are subtracted from the name similarity; corroboration is added (capped at 1).
DOB_DATE_MISMATCH = 0.15  # same year, month or day differ (both known)
DOB_DAY_MONTH_SWAPPED = 0.05
DOB_YEAR_ONLY = 0.03  # the dates agree, but only on the year
DOB_UNKNOWN = 0.05  # no date on one side: see _corroborated for what is required then
DOB_YEAR_1 = 0.20
DOB_YEAR_2_5 = 0.25
DOB_YEAR_FAR = 0.40
COUNTRY_MISMATCH = 0.10
SEX_MISMATCH = 0.10
DOB_FULL_AGREES = 0.03
COUNTRY_AGREES = 0.02
# A match whose attributes do not corroborate it in proportion to what the name says
# alone: 1 + COUNTRY_AGREES - NO_CORROBORATION stays below the default threshold 0.88.
NO_CORROBORATION = 0.15
# What the name must say (names.information: 1 a token, 1/2 a very common one) when the
# dates agree only partly, and when one side has none; then each token must be matched at
# least UNDATED_MIN_TOKEN_SIM (a spelling of the other, not a guess).
MONTH_MIN_INFO = 1.0  # the dates agree on year and month
YEAR_MIN_INFO = 1.0  # the dates agree on the year only (1.5, 2.0: see eval/RESULTS.md)
UNDATED_MIN_INFO = 2.5
UNDATED_MIN_TOKEN_SIM = 0.95
# The best score of a name that is not the notice's as written (a spelling, a reading
# of another script, a sound-alike): 1.00 says "the same name".
NOT_THE_SAME = 0.99
# The similarity of a name run together or split elsewhere, letter for letter the same.
RUN_TOGETHER = 0.97


class PersonQuery(NamedTuple):
    """What a scan tells about its holder (MRZ or printed fields). A tuple: made for
    every scan and a key of the matching caches, it must be cheap to build and hash."""

    surname: str | None
    given_names: str | None
    date_of_birth: str | None  # "YYYY-MM-DD", "YYYY-MM" or "YYYY"
    nationality: str | None  # ICAO 3-letter
    sex: str | None  # "M", "F", "X"


@dataclass(frozen=True, slots=True)
class PersonMatch:
    score: float  # 0..1 after penalties
    matched_on: tuple[str, ...]
    matched_alias: str  # the notice name, as the notice writes it
    penalties: tuple[tuple[str, float], ...]
    # The score is min(1, name_similarity - penalties + bonuses): both listed, so that
    # an analyst sees why a name that is not identical still scores 1.0.
    name_similarity: float = 1.0
    bonuses: tuple[tuple[str, float], ...] = ()


# ------------------------------------------------------------------ keys
def _year(dob: str | None) -> str:
    return dob[:4] if dob and len(dob) >= 4 and dob[:4].isdigit() else "x"


def _pair(a: str, b: str) -> str:
    return f"{a}.{b}" if a <= b else f"{b}.{a}"


def _loose_pair(principal: list[Tok]) -> str:
    return _pair(name_keys.loose_key(principal[0][0]), name_keys.loose_key(principal[1][0]))


def notice_keys(profile: dict[str, Any]) -> set[str]:
    """Blocking keys of a notice, every form of every alias (see the module doc)."""
    year = _year(profile.get("dob"))
    keys: set[str] = set()
    for _, encoded, _ in profile["forms"]:
        tokens: list[Tok] = [tuple(t) for t in encoded]
        sig = significant(tokens)
        if len(sig) == 1:
            keys.update(f"m:{k}:{year}" for k in skeletons(sig[0][0]))
            continue
        pairs = name_keys.pair_keys(tokens)
        if year == "x":
            keys.update(f"x:{k}" for k in pairs)
            continue
        keys.update(f"p:{k}:{year}" for k in pairs)
        keys.update(f"j:{name_keys.joined_key(k)}:{year}" for k in names.joined(tokens))
        first = principal(tokens)
        keys.add(f"l:{_loose_pair(first)}:{year}")
        keys.update(f"t:{k}:{year}" for k in name_keys.typo_keys(sig, notice=True))
        keys.add(f"n:{_pair(skeletons(first[0][0])[0], skeletons(first[1][0])[0])}")
    return keys


@dataclass(frozen=True, slots=True)
class _Prepared:
    principal: list[Tok]  # see _principal (tokens without canon: keys only)
    info: float  # what the name says (names.information)
    dob: tuple[int, int, int] | None  # year, month (0 unknown), day (0 unknown)
    nationality: str | None
    sex: str | None
    year: str


@lru_cache(maxsize=65536)
def _parse_dob(dob: str | None) -> tuple[int, int, int] | None:
    if not dob or len(dob) not in (4, 7, 10):
        return None
    y, m, d = dob[:4], dob[5:7], dob[8:10]
    if not (y.isdigit() and (not m or m.isdigit()) and (not d or d.isdigit())):
        return None
    return int(y), int(m or 0), int(d or 0)


def same_query(query: PersonQuery) -> tuple[Any, ...]:
    """What the matcher sees of a query: two queries equal here get the same keys and
    the same scores (names are compared only as split, normalised tokens)."""
    return (tuple(split(query.surname)), tuple(split(query.given_names)), query.date_of_birth,
            query.nationality, query.sex)


@lru_cache(maxsize=16384)
def _prepare(query: PersonQuery) -> _Prepared | None:
    forms, principal, info = name_forms_for_keys(query.surname, query.given_names,
                                            convention_of(query.nationality))
    if not forms:
        return None
    dob = _parse_dob(query.date_of_birth)
    nationality = canonical_country(query.nationality) or None
    sex = query.sex if query.sex in ("M", "F") else None
    year = str(dob[0]) if dob else "x"
    return _Prepared(principal, info, dob, nationality, sex, year)


# Token pairs such that any one token missing, added or misspelt leaves one intact.
_PAIRS = {2: ((0, 1),), 3: ((0, 1), (0, 2), (1, 2))}
_PAIRS_4 = ((0, 1), (2, 3), (0, 2), (1, 2))


_PAIRS_4_MORE = ((1, 3), (0, 3))  # first skeletons only: a surname among given names


class _Keys(NamedTuple):
    """The year-free bodies of a name's keys."""

    pairs: tuple[str, ...]
    typos: tuple[str, ...]
    undated: tuple[str, ...]
    single: tuple[str, ...]
    joined: tuple[str, ...]
    loose: tuple[str, ...]  # readings of an unvocalised script only


def _form_keys(tokens: list[Tok], info: float, u: list[Tok] | None = None) -> _Keys:
    u = principal(tokens) if u is None else u
    if not u:
        return _Keys((), (), (), (), (), ())
    sk = [skeletons(t[0])[:2] for t in u[:4]]
    whole = name_keys.given_then_surname(tokens)
    joined = (name_keys.joined_key(whole),) if len(whole) >= 8 else ()
    if len(u) == 1:
        return _Keys((), (), (), sk[0], joined, ())
    loose = (_loose_pair(u),) if u[0][5] & 2 or u[1][5] & 2 else ()
    idx = _PAIRS.get(len(u), _PAIRS_4)
    pairs = [f"{a}.{b}" if a <= b else f"{b}.{a}" for i, j in idx for a in sk[i] for b in sk[j]]
    if len(u) >= 4:
        pairs += [_pair(sk[i][0], sk[j][0]) for i, j in _PAIRS_4_MORE]
    pairs += name_keys.joined_pair_keys(tokens)
    typos = name_keys.typo_keys(u, notice=False) if len(u) == 2 else []
    undated = []
    if info >= UNDATED_MIN_INFO:  # only such names can hit a notice without a date
        undated = [_pair(sk[i][0], sk[j][0]) for i, j in idx[: 1 + (len(u) > 3)]]
    return _Keys(tuple(pairs), tuple(typos), tuple(undated), (), joined, loose)


@lru_cache(maxsize=16384)
def _name_keys(surname: str | None, given_names: str | None, convention: str = "") -> _Keys:
    """The year-free bodies of a name's keys, of every reading of it."""
    forms, first, info = name_forms_for_keys(surname, given_names, convention)
    if len(forms) == 1:
        return _form_keys(forms[0].tokens, info, first)
    each = [_form_keys(f.tokens, info) for f in forms]
    return _Keys(*(tuple(dict.fromkeys(k for e in each for k in e[n])) for n in range(6)))


def query_keys(query: PersonQuery) -> list[str]:
    """Keys to look up for a scan: bounded, deterministic, no duplicates; [] without a name.
    Not cached: a whole query (name and date of birth) rarely recurs, its name does."""
    pairs, typos, undated, single, joined, loose = _name_keys(
        query.surname, query.given_names, convention_of(query.nationality))
    dob = _parse_dob(query.date_of_birth)
    year = str(dob[0]) if dob else "x"
    if single:
        keys = [f"m:{k}:{year}" for k in single] + [f"m:{k}:x" for k in single]
    elif year == "x":  # rare: a scan without a date of birth meets dated notices by name
        keys = [f"n:{k}" for k in pairs[:2]]
    else:
        keys = [f"p:{k}:{year}" for k in pairs] + [f"t:{k}:{year}" for k in typos]
    if year != "x":
        keys += [f"j:{k}:{year}" for k in joined] + [f"l:{k}:{year}" for k in loose]
    keys += [f"x:{k}" for k in undated]
    return list(dict.fromkeys(keys))[:MAX_QUERY_KEYS]


# ------------------------------------------------------------------ scoring
_FULL, _MONTH, _YEAR, _NONE = 3, 2, 1, 0  # how far the dates of birth corroborate


def _min_info(level: int) -> float:
    return MONTH_MIN_INFO if level == _MONTH else YEAR_MIN_INFO if level == _YEAR else \
        UNDATED_MIN_INFO  # fmt: skip


def _attributes(
    p: _Prepared, profile: dict[str, Any]
) -> tuple[list[str], list[tuple[str, float]], list[tuple[str, float]], int, bool | None]:
    """(matched attributes, penalties, bonuses, date corroboration, nationality agrees:
    True, False, or None when one side does not say)."""
    matched: list[str] = []
    penalties: list[tuple[str, float]] = []
    bonuses: list[tuple[str, float]] = []
    level = _NONE
    n_dob = _parse_dob(profile.get("dob"))
    if p.dob and n_dob:
        (qy, qm, qd), (ny, nm, nd) = p.dob, n_dob
        gap = abs(qy - ny)
        if gap == 0:
            full = bool(qm and nm and qd and nd)
            if full and (qm, qd) != (nm, nd) and (qm, qd) == (nd, nm):
                penalties.append(("birth_day_month_swapped", DOB_DAY_MONTH_SWAPPED))
                level = _FULL
            elif (qm and nm and qm != nm) or (qm == nm and qd and nd and qd != nd):
                penalties.append(("birth_date_mismatch", DOB_DATE_MISMATCH))
            else:
                matched.append("date_of_birth")
                level = _FULL if full else _MONTH if qm and nm else _YEAR
                if full:
                    bonuses.append(("birth_date_agrees", DOB_FULL_AGREES))
                elif not (qm and nm):
                    penalties.append(("birth_date_imprecise", DOB_YEAR_ONLY))
        elif gap == 1:
            penalties.append(("birth_year_mismatch", DOB_YEAR_1))
        elif gap <= 5:
            penalties.append(("birth_year_mismatch", DOB_YEAR_2_5))
        else:
            penalties.append(("birth_year_mismatch", DOB_YEAR_FAR))
    else:
        penalties.append(("birth_date_unknown", DOB_UNKNOWN))
    nations = profile.get("nat") or []
    nat_agrees: bool | None = None
    if p.nationality and nations:
        nat_agrees = p.nationality in nations
        if nat_agrees:
            matched.append("nationality")
            bonuses.append(("nationality_agrees", COUNTRY_AGREES))
        else:
            penalties.append(("country_mismatch", COUNTRY_MISMATCH))
    n_sex = profile.get("sex")
    if p.sex and n_sex in ("M", "F"):
        if p.sex == n_sex:
            matched.append("sex")
        else:
            penalties.append(("sex_mismatch", SEX_MISMATCH))
    return matched, penalties, bonuses, level, nat_agrees


def _corroborated(level: int, nat_agrees: bool | None, info: float, weakest: float,
                  reason: str) -> bool:  # fmt: skip
    """Whether the attributes back the name enough, given how much the name says alone.

    * the full date of birth agrees: the name score decides (a nationality the notice
      does not list only costs COUNTRY_MISMATCH: dual nationals carry other passports);
    * the dates agree only as far as one side knows them (a year, a year and month): the
      nationality must not contradict and the matched tokens must say MONTH_MIN_INFO or
      YEAR_MIN_INFO (two tokens, however common: asking more loses designed hits on
      common names and gains little, see eval/RESULTS.md);
    * no date of birth on one side: the nationality must not contradict and the name
      must identify on its own: UNDATED_MIN_INFO (three tokens, at most one very common,
      more), each a spelling of the other (UNDATED_MIN_TOKEN_SIM), tokens left over on
      one side at most (a name missing or added, not a different one).
    """
    if level == _FULL:
        return True
    if nat_agrees is False:
        return False
    if level != _NONE:
        return info >= _min_info(level)
    return (info >= UNDATED_MIN_INFO and weakest >= UNDATED_MIN_TOKEN_SIM
            and reason in ("", "name_tokens_missing", "name_tokens_added"))  # fmt: skip


def _ceiling(p: _Prepared, penalties: list[tuple[str, float]],
             bonuses: list[tuple[str, float]], level: int,
             nat_agrees: bool | None) -> float:
    """The best score the attributes leave to any name: a perfect name less penalties."""
    ceiling = 1.0 + sum(a for _, a in bonuses) - sum(a for _, a in penalties)
    if level != _FULL and (p.info < _min_info(level) or nat_agrees is False):
        ceiling -= NO_CORROBORATION  # decided before comparing names: the common case
    return ceiling


# --------------------------------------------------------- attribute prefilter
# A notice's name-index entries carry the attributes the ceiling needs (date of birth,
# nationalities, sex) so that a scan can drop most candidates (a namesake born another
# day of the same year) before their profiles are fetched and decoded. The payload is
# short ASCII: ``DOB;NAT,NAT;SEX`` (each part may be empty).
def notice_attributes(profile: dict[str, Any]) -> str:
    """The payload of a notice's name-index entries (see ``could_hit``)."""
    dob = profile.get("dob") or ""
    nations = ",".join(profile.get("nat") or [])
    return f"{dob};{nations};{profile.get('sex') or ''}"


@lru_cache(maxsize=65536)
def _attribute_profile(payload: str) -> dict[str, Any] | None:
    parts = payload.split(";")
    if len(parts) != 3:
        return None
    dob, nations, sex = parts
    return {"dob": dob or None, "nat": nations.split(",") if nations else [], "sex": sex or None}


def _worth(preps: list[_Prepared], payload: str, threshold: float) -> bool:
    attrs = _attribute_profile(payload) if payload else None
    if attrs is None:
        return True
    for p in preps:
        _, penalties, bonuses, level, nat_agrees = _attributes(p, attrs)
        if _ceiling(p, penalties, bonuses, level, nat_agrees) >= threshold:
            return True
    return False


def candidate_filter(queries: Sequence[PersonQuery], threshold: float) -> Callable[[str], bool]:
    """For one scan: whether a name candidate whose entry carries this payload could hit
    any of the scan's persons (``could_hit``), each payload judged once."""
    preps = [p for p in map(_prepare, queries) if p is not None]
    seen: dict[str, bool] = {}

    def worth(payload: str) -> bool:
        ok = seen.get(payload)
        if ok is None:
            ok = seen[payload] = _worth(preps, payload, threshold)
        return ok

    return worth


def could_hit(query: PersonQuery, payload: str, threshold: float) -> bool:
    """False only when ``score`` would reject a notice with these attributes whatever its
    names (the same ceiling, computed before names are compared). An empty or unknown
    payload (an index written before entries carried attributes) is always worth a look."""
    p = _prepare(query)
    return p is not None and _worth([p], payload, threshold)


class _Compared(NamedTuple):
    """A query form compared with a notice form (names.compare, and which forms)."""

    sim: float
    pen: float
    reason: str
    info: float
    weakest: float
    form: int
    plain: bool


def _run_together(forms: tuple[Form, ...], profile_forms: list[Any]) -> _Compared | None:
    """A name written as one token or split elsewhere (VLADIMIRPUTIN, TNKUNDA LAUREN):
    the same letters in the same order as a notice form's, given names then surname or
    the other way round."""
    for q_form in forms:
        q_whole = name_keys.given_then_surname(q_form.tokens)
        if len(q_whole) < 6:
            continue
        for i, (_, encoded, _) in enumerate(profile_forms):
            letters = sum(len(t[0]) for t in encoded if t[4] & (t[4] - 1) == 0)
            if letters == len(q_whole) and q_whole in names.joined(encoded):
                info = names.information(encoded)
                return _Compared(RUN_TOGETHER, 0.0, "", info, RUN_TOGETHER, i, False)
    return None


def score(query: PersonQuery, profile: dict[str, Any], threshold: float) -> PersonMatch | None:
    """The best alias's name similarity, less penalties, plus corroboration; None below
    the threshold. Pure; a candidate whose attributes alone rule it out costs little."""
    p = _prepare(query)
    if p is None or not profile.get("forms"):
        return None
    matched, penalties, bonuses, level, nat_agrees = _attributes(p, profile)
    if _ceiling(p, penalties, bonuses, level, nat_agrees) < threshold:
        return None
    forms = name_forms(query.surname, query.given_names, convention_of(query.nationality))
    best: _Compared | None = None
    for q_form in forms:
        for i, (_, encoded, _) in enumerate(profile["forms"]):
            found = _Compared(*compare(q_form.tokens, encoded), i, q_form.plain)
            if best is None or found.sim - found.pen > best.sim - best.pen:
                best = found
                if found.sim - found.pen >= 0.97:
                    break
        if best is not None and best.sim - best.pen >= 0.97:
            break
    assert best is not None
    if best.sim - best.pen < 0.97:
        best = _run_together(forms, profile["forms"]) or best
    sim, pen, reason, n_matched, weakest, form, plain = best
    if not _corroborated(level, nat_agrees, n_matched, weakest, reason):
        penalties.append(("no_corroboration", NO_CORROBORATION))
    value = sim - pen + sum(a for _, a in bonuses) - sum(a for _, a in penalties)
    if value > NOT_THE_SAME and not (sim >= 1.0 and not pen and plain):
        # 1.00 only for the same name as written; listed, so the score explains itself.
        penalties.append(("name_not_identical", round(value - NOT_THE_SAME, 4)))
        value = NOT_THE_SAME
    value = min(1.0, value)
    if value < threshold:
        return None
    if reason:
        penalties.insert(0, (reason, round(pen, 4)))
    label = profile["names"][profile["forms"][form][0]]
    return PersonMatch(round(value, 4), ("name", *matched), label, tuple(penalties),
                       round(sim, 4), tuple(bonuses))


__all__ = [
    "MAX_QUERY_KEYS",
    "PersonMatch",
    "PersonQuery",
    "candidate_filter",
    "could_hit",
    "notice_attributes",
    "notice_keys",
    "notice_profile",
    "query_keys",
    "same_query",
    "score",
]
