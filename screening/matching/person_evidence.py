"""What a person's other attributes say for or against a name match: date of birth,
nationality and sex compared (penalties and bonuses, as OpenSanctions' logic-v2 does),
whether they **corroborate** the name in proportion to how little it says on its own
(``corroborated``), and whether a name they do not corroborate is still worth an
analyst's look (``possible``: a possible match, which never stops anyone at a gate)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from screening.matching.names import Comparison, Tok
from screening.matching.normalize import canonical_country
from screening.matching.person_query import PersonQuery
from screening.matching.scan_forms import convention_of, name_forms_for_keys

# Penalties are subtracted from the name similarity; corroboration is added (capped at 1).
DOB_DATE_MISMATCH = 0.15  # same year, month or day differ (both known)
DOB_DAY_MONTH_SWAPPED = 0.05
DOB_YEAR_ONLY = 0.03  # the dates agree, but only on the year
DOB_UNKNOWN = 0.05  # no date on one side: see corroborated for what is required then
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
# What the name must say (name_tokens.information: 1 a token, 1/2 a very common one) when
# the dates agree only partly, and when one side has none; then each token must be matched
# at least UNDATED_MIN_TOKEN_SIM (a spelling of the other, not a guess).
MONTH_MIN_INFO = 1.0  # the dates agree on year and month
YEAR_MIN_INFO = 1.0  # the dates agree on the year only (1.5, 2.0: see eval/RESULTS.md)
UNDATED_MIN_INFO = 2.5
UNDATED_MIN_TOKEN_SIM = 0.95
# A name match the attributes do not corroborate is a **possible match** (analysts only,
# the gate proceeds) when nothing contradicts it: the dates of birth agree as far as both
# know them or one side has none, and the name says POSSIBLE_MIN_INFO (see docs/matching.md
# for what was measured). A nationality the notice does not list contradicts it unless
# POSSIBLE_OTHER_NATIONALITY.
POSSIBLE_MIN_INFO = 1.5
# What the matched tokens must say when a name part is left over on one side (YILMAZ ALI
# for YILMAZ, ALI MEHMET): measured in eval/RESULTS.md, round 5.
POSSIBLE_PARTIAL_MIN_INFO = 1.5
POSSIBLE_OTHER_NATIONALITY = 0.0  # a flag (run_eval --set takes floats)
_PARTIAL = frozenset({"name_tokens_added", "name_tokens_missing"})

_FULL, _MONTH, _YEAR, _NONE = 3, 2, 1, 0  # how far the dates of birth corroborate


class BirthDate(NamedTuple):
    year: int
    month: int  # 0: unknown
    day: int  # 0: unknown


class Prepared(NamedTuple):
    """A query as the attribute checks (and keys) need it, made once per query (a
    tuple: a frozen dataclass cost three times as much to build, once per new query)."""

    principal: list[Tok]  # see scan_forms.principal (tokens without canon: keys only)
    info: float  # what the name says (name_tokens.information)
    dob: BirthDate | None
    nationality: str | None
    sex: str | None
    year: str


@lru_cache(maxsize=65536)
def parse_dob(dob: str | None) -> BirthDate | None:
    if not dob or len(dob) not in (4, 7, 10):
        return None
    y, m, d = dob[:4], dob[5:7], dob[8:10]
    if not (y.isdigit() and (not m or m.isdigit()) and (not d or d.isdigit())):
        return None
    return BirthDate(int(y), int(m or 0), int(d or 0))


@lru_cache(maxsize=16384)
def prepare(query: PersonQuery) -> Prepared | None:
    forms, principal, info = name_forms_for_keys(query.surname, query.given_names,
                                                 convention_of(query.nationality, query.surname))
    if not forms:
        return None
    dob = parse_dob(query.date_of_birth)
    nationality = canonical_country(query.nationality) or None
    sex = query.sex if query.sex in ("M", "F") else None
    year = str(dob.year) if dob else "x"
    return Prepared(principal, info, dob, nationality, sex, year)


@dataclass(slots=True)
class Evidence:
    """What a notice's attributes say of a query's (``weigh``): made for every candidate,
    its own (score appends to its penalties)."""

    matched: list[str]  # the attributes that agree
    penalties: list[tuple[str, float]]
    bonuses: list[tuple[str, float]]
    level: int  # how far the dates of birth corroborate: _FULL, _MONTH, _YEAR or _NONE
    nat_agrees: bool | None  # None when one side does not say
    undated: bool = False  # one side has no date of birth (level _NONE, nothing differs)


def _min_info(level: int) -> float:
    return MONTH_MIN_INFO if level == _MONTH else YEAR_MIN_INFO if level == _YEAR else \
        UNDATED_MIN_INFO  # fmt: skip


def weigh(p: Prepared, profile: dict[str, Any]) -> Evidence:
    """The query's date of birth, nationality and sex against a notice's profile."""
    matched: list[str] = []
    penalties: list[tuple[str, float]] = []
    bonuses: list[tuple[str, float]] = []
    level = _NONE
    undated = False
    n_dob = parse_dob(profile.get("dob"))
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
        undated = True
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
    return Evidence(matched, penalties, bonuses, level, nat_agrees, undated)


def corroborated(evidence: Evidence, name: Comparison) -> bool:
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
    level = evidence.level
    if level == _FULL:
        return True
    if evidence.nat_agrees is False:
        return False
    if level != _NONE:
        return name.info >= _min_info(level)
    return (name.info >= UNDATED_MIN_INFO and name.weakest >= UNDATED_MIN_TOKEN_SIM
            and name.reason in ("", "name_tokens_missing", "name_tokens_added"))  # fmt: skip


def _possible_attributes(evidence: Evidence) -> bool:
    """Nothing in the attributes contradicts the name (``possible``)."""
    return ((evidence.undated or evidence.level in (_MONTH, _YEAR))
            and (evidence.nat_agrees is not False or bool(POSSIBLE_OTHER_NATIONALITY)))


def possible(evidence: Evidence, name: Comparison) -> bool:
    """Whether a name match that is not ``corroborated`` is a possible match: the dates
    of birth agree as far as both sides know them, or one side has none (an undated
    notice, a two-token name, a single strong alias), the nationality does not contradict,
    and the matched tokens say POSSIBLE_MIN_INFO. Dates that differ never make one."""
    need = POSSIBLE_PARTIAL_MIN_INFO if name.reason in _PARTIAL else POSSIBLE_MIN_INFO
    return name.info >= max(need, POSSIBLE_MIN_INFO) and _possible_attributes(evidence)


def ceiling(p: Prepared, evidence: Evidence, with_possible: bool = False) -> float:
    """The best score the attributes leave to any name: a perfect name less penalties
    (``with_possible``: counting possible matches, which are not penalised)."""
    best = 1.0 + sum(a for _, a in evidence.bonuses) - sum(a for _, a in evidence.penalties)
    uncorroborated = evidence.level != _FULL and (p.info < _min_info(evidence.level)
                                                  or evidence.nat_agrees is False)  # fmt: skip
    # Decided before comparing names: the common case. A possible match is not
    # penalised, when the name could say enough for one.
    if uncorroborated and not (with_possible and p.info >= POSSIBLE_MIN_INFO
                               and _possible_attributes(evidence)):  # fmt: skip
        best -= NO_CORROBORATION
    return best


def attribute_ceiling(p: Prepared, n_dob: BirthDate | None, nations: Sequence[str],
                      n_sex: str | None, with_possible: bool = False) -> float:
    """``ceiling(p, weigh(p, profile), with_possible)`` for a profile with these
    attributes, to the last bit, without building the Evidence: the prefilter asks it of
    most name candidates of every scan (person_prefilter.py). The same rules as weigh's,
    the amounts added in weigh's order (tests/unit/matching/test_prefilter.py compares
    the two)."""
    bonus = 0.0
    penalty = 0.0
    level = _NONE
    undated = False
    if p.dob and n_dob:
        (qy, qm, qd), (ny, nm, nd) = p.dob, n_dob
        gap = abs(qy - ny)
        if gap == 0:
            full = bool(qm and nm and qd and nd)
            if full and (qm, qd) != (nm, nd) and (qm, qd) == (nd, nm):
                penalty += DOB_DAY_MONTH_SWAPPED
                level = _FULL
            elif (qm and nm and qm != nm) or (qm == nm and qd and nd and qd != nd):
                penalty += DOB_DATE_MISMATCH
            else:
                level = _FULL if full else _MONTH if qm and nm else _YEAR
                if full:
                    bonus += DOB_FULL_AGREES
                elif not (qm and nm):
                    penalty += DOB_YEAR_ONLY
        elif gap == 1:
            penalty += DOB_YEAR_1
        elif gap <= 5:
            penalty += DOB_YEAR_2_5
        else:
            penalty += DOB_YEAR_FAR
    else:
        penalty += DOB_UNKNOWN
        undated = True
    nat_agrees: bool | None = None
    if p.nationality and nations:
        nat_agrees = p.nationality in nations
        if nat_agrees:
            bonus += COUNTRY_AGREES
        else:
            penalty += COUNTRY_MISMATCH
    if p.sex and n_sex in ("M", "F") and p.sex != n_sex:
        penalty += SEX_MISMATCH
    best = 1.0 + bonus - penalty
    if level != _FULL and (p.info < _min_info(level) or nat_agrees is False) and not (
            with_possible and p.info >= POSSIBLE_MIN_INFO
            and (undated or level in (_MONTH, _YEAR))
            and (nat_agrees is not False or bool(POSSIBLE_OTHER_NATIONALITY))):  # fmt: skip
        best -= NO_CORROBORATION
    return best


__all__ = ["BirthDate", "Evidence", "Prepared", "attribute_ceiling", "ceiling", "corroborated",
           "parse_dob", "possible", "prepare", "weigh"]
