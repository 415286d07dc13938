"""Persons-of-interest matching: blocking keys for the notice index and a scored comparison.

A notice is profiled once (``notice_profile``): every alias, in every Latin spelling its
script suggests, becomes a list of tokens ready for comparison. ``notice_keys`` and
``query_keys`` put a scan and the notices it could be in the same buckets; ``score``
then compares the name token by token (Jaro-Winkler, as Moov Watchman does) and, in the
manner of OpenSanctions' logic-v2, subtracts penalties for a date of birth, country or
sex that disagree. Every hit says which alias matched and why its score is what it is.

Keys (short ASCII, ``.`` and ``:`` as separators):

``p:K1.K2``       two name tokens' skeletons, sorted: order, extra or missing tokens and
                  spelling variants leave at least one pair intact.
``t:K.^AB:Y``     one token's skeleton, the first (``^``) or last (``$``) two letters of
                  another, and the birth year (``x`` when the notice has none): survives
                  a typo in either token of a two-token name while staying selective.
``s:K:Y``         one token and the birth year, for a scan that carries a single name.
``m:K``           a notice known by a single name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from screening.matching import names
from screening.matching.names import Tok, compare, name_tokens, significant, skeletons, split
from screening.matching.normalize import name_variants
from screening.matching.translit import (
    ARABIC_SPELLINGS,
    arabic_variants,
    chinese_respellings,
    cyrillic_variants,
    detect_script,
    latin_variants,
    pinyin_syllables,
)

MAX_QUERY_KEYS = 24
_MAX_FORMS = 12

# Penalties (subtracted from the name similarity) and corroboration (added, capped at 1).
DOB_DATE_MISMATCH = 0.15  # same year, month or day differ (both known)
DOB_DAY_MONTH_SWAPPED = 0.05
# Nothing to corroborate the name with: with this value a name alone (no date of birth on
# one side) stays below the default threshold, as ordinary travellers' namesakes demand.
DOB_UNKNOWN = 0.15
DOB_YEAR_1 = 0.20
DOB_YEAR_2_5 = 0.25
DOB_YEAR_FAR = 0.40
COUNTRY_MISMATCH = 0.10
SEX_MISMATCH = 0.10
DOB_FULL_AGREES = 0.03
DOB_YEAR_ONLY = 0.03  # dates agree on the year only: weak corroboration
COUNTRY_AGREES = 0.02


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """What a scan tells about its holder (MRZ or printed fields)."""

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


# ------------------------------------------------------------------ profile
_CHINESE_NATIONS = frozenset({"CHN", "TWN", "HKG", "MAC", "SGP", "MYS"})


def _is_chinese(surname: list[str], given: list[str], nations: list[str]) -> bool:
    if not surname or not given:
        return False
    if not all(pinyin_syllables(t) for t in surname + given):
        return False
    return bool(set(nations) & _CHINESE_NATIONS) or surname[0] in names.GROUPS_OF


def _spellings(text: str, script: str) -> list[str]:
    if script == "Cyrl":
        return cyrillic_variants(text)
    if script == "Arab":
        return arabic_variants(text, icao=False)
    return latin_variants(text)


def _alias_forms(name: dict[str, Any], nations: list[str]) -> list[tuple[list[str], list[str]]]:
    surname, given = name.get("surname") or "", name.get("given_names") or ""
    script = detect_script(surname + given)
    forms: list[tuple[list[str], list[str]]] = []
    if script == "Latn":
        for s_var, g_var in zip(name_variants(surname), name_variants(given), strict=False):
            forms.append((s_var.split(), g_var.split()))
        if len(name_variants(surname)) != len(name_variants(given)):
            forms.append((name_variants(surname)[-1].split(), name_variants(given)[-1].split()))
        s0, g0 = forms[0]
        if _is_chinese(s0, g0, nations):
            for s_alt, g_alt in zip(chinese_respellings(s0), chinese_respellings(g0), strict=True):
                forms.append((s_alt.split(), g_alt.split()))
        return forms
    s_vars = _spellings(surname, script) or [""]
    g_vars = _spellings(given, script) or [""]
    for i in range(max(len(s_vars), len(g_vars))):
        s_var, g_var = s_vars[min(i, len(s_vars) - 1)], g_vars[min(i, len(g_vars) - 1)]
        forms.append((s_var.split(), g_var.split()))
    if script == "Hani" and not given and forms:  # one field: surname first, as written
        toks = forms[0][0]
        forms = [(toks[:1], toks[1:])]
        forms += [(s.split()[:1], s.split()[1:]) for s in chinese_respellings(toks)]
    return forms


def _encode(tokens: list[Tok]) -> list[list[Any]]:
    return [list(t) for t in tokens]


def notice_profile(record: dict[str, Any]) -> dict[str, Any]:
    """Everything score() needs, precomputed once per notice; JSON-serialisable."""
    nations = [str(n) for n in record.get("nationalities") or []]
    labels: list[str] = []
    forms: list[list[Any]] = []
    seen: set[tuple[str, ...]] = set()
    for name in record.get("names") or []:
        label = ", ".join(p for p in (name.get("surname"), name.get("given_names")) if p)
        if not label:
            continue
        labels.append(label)
        script = detect_script(label)
        for surname, given in _alias_forms(name, nations):
            key = (*surname, "|", *given)
            if (not surname and not given) or key in seen or len(forms) >= _MAX_FORMS:
                continue
            seen.add(key)
            consonantal = script == "Arab"
            toks = name_tokens([surname, given], consonantal)
            if consonantal:  # dictionary spellings are vocalised after all
                toks = [(*t[:5], t[5] & ~2) if t[0] in ARABIC_SPELLINGS else t for t in toks]
            forms.append([len(labels) - 1, _encode(toks), len(surname)])
    return {
        "id": record.get("id"),
        "colour": record.get("colour"),
        "names": labels,
        "forms": forms,
        "dob": record.get("date_of_birth"),
        "nat": nations,
        "sex": record.get("sex"),
    }


# ------------------------------------------------------------------ keys
def _is_base(t: Tok) -> bool:
    return t[4] & (t[4] - 1) == 0


def _pair_keys(tokens: list[Tok], notice: bool, joined: bool = True) -> list[str]:
    """Skeleton pairs of tokens that do not overlap. A notice pairs all its tokens, its
    particles and joined tokens too, and joined tokens also without their particle
    (ALMASRI as MASRI); a scan pairs its significant tokens, then (``joined``) pairs
    involving its joined tokens."""
    base = [t for t in tokens if _is_base(t)] if notice else significant(tokens)
    merged = [t for t in tokens if not _is_base(t)]
    keyed = [(t[4], _token_keys(t[0], notice)) for t in base]
    n_base = len(keyed)
    if joined:
        keyed += [(t[4], _token_keys(t[0], notice)) for t in merged]
    out: list[str] = []
    for i, (mask_a, keys_a) in enumerate(keyed):
        for mask_b, keys_b in keyed[i + 1 :]:
            if mask_a & mask_b or (not joined and i >= n_base):
                continue
            for ka in keys_a:
                for kb in keys_b:
                    out.append(f"{ka}.{kb}" if ka <= kb else f"{kb}.{ka}")
    return out


def _token_keys(raw: str, notice: bool) -> tuple[str, ...]:
    if notice and names.strip_prefix(raw) != raw:
        return (*skeletons(raw), *skeletons(names.strip_prefix(raw)))
    return skeletons(raw)


def _principal(tokens: list[Tok], n_surname: int, notice: bool) -> list[Tok]:
    base = significant(tokens)
    surname = [t for t in base if t[4] < (1 << n_surname)]
    given = [t for t in base if t[4] >= (1 << n_surname)]
    picks = [surname[0]] if surname else []
    if notice and len(surname) > 1:
        picks.append(surname[-1])
    if given:
        picks.append(given[0])
    if len(picks) < 2 and len(base) >= 2:
        picks = base[:2]
    return picks


def _typo_keys(picks: list[Tok]) -> list[str]:
    """One token's skeleton with the first or last two letters of another token as
    written: a single typo spares at least one of them."""
    out: list[str] = []
    for a in picks:
        for b in picks:
            if a is b:
                continue
            word = names.strip_prefix(b[0])
            for ka in skeletons(a[0]):
                out.append(f"{ka}.^{word[:2]}")
                out.append(f"{ka}.${word[-2:]}")
    return out


def _year(dob: str | None) -> str:
    return dob[:4] if dob and len(dob) >= 4 and dob[:4].isdigit() else "x"


def notice_keys(profile: dict[str, Any]) -> set[str]:
    """Blocking keys of a notice, every form of every alias (see the module doc). Keys
    carry the birth year, or ``x`` for a notice without one; pair and single-token keys
    are also filed under ``*``, for the rare scan without a date of birth."""
    year = _year(profile.get("dob"))
    keys: set[str] = set()
    for _, encoded, n_surname in profile["forms"]:
        tokens: list[Tok] = [tuple(t) for t in encoded]
        base = significant(tokens)
        for k in _pair_keys(tokens, True):
            keys.add(f"p:{k}:{year}")
            if year != "x":
                keys.add(f"p:{k}:*")
        keys.update(f"t:{k}:{year}" for k in _typo_keys(_principal(tokens, n_surname, True)))
        for t in base:
            for k in skeletons(t[0]):
                keys.add(f"s:{k}:{year}")
                if year != "x":
                    keys.add(f"s:{k}:*")
        if len(base) == 1:
            keys.update(f"m:{k}" for k in skeletons(base[0][0]))
    return keys


@dataclass(frozen=True, slots=True)
class _Prepared:
    tokens: list[Tok]
    n_surname: int
    dob: tuple[int, int, int] | None  # year, month (0 unknown), day (0 unknown)
    nationality: str | None
    sex: str | None
    year: str


_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@lru_cache(maxsize=8192)
def _parse_dob(dob: str | None) -> tuple[int, int, int] | None:
    m = _DOB.match(dob or "")
    if not m:
        return None
    y, mo, d = m.groups()
    return int(y), int(mo or 0), int(d or 0)


@lru_cache(maxsize=4096)
def _prepare(query: PersonQuery) -> _Prepared | None:
    surname, given = split(query.surname), split(query.given_names)
    if not surname and not given:
        return None
    tokens = name_tokens([surname, given])
    dob = _parse_dob(query.date_of_birth)
    nationality = (query.nationality or "").strip().upper().rstrip("<") or None
    sex = query.sex if query.sex in ("M", "F") else None
    return _Prepared(tokens, len(surname), dob, nationality, sex, _year(query.date_of_birth))


@lru_cache(maxsize=4096)
def _query_keys(query: PersonQuery) -> tuple[str, ...]:
    p = _prepare(query)
    if p is None:
        return ()
    base = significant(p.tokens)
    # Notices without a birth year (``x``) are looked up only by scans without one: with
    # DOB_UNKNOWN a name alone cannot reach the threshold, so they would cost for nothing.
    years = (p.year,) if p.year != "x" else ("*", "x")
    if len(base) == 1:
        ks = skeletons(base[0][0])
        keys = [f"m:{k}" for k in ks] + [f"s:{k}:{y}" for k in ks for y in years]
    else:
        base_pairs = list(dict.fromkeys(_pair_keys(p.tokens, False, joined=False)))
        pairs = list(dict.fromkeys(base_pairs + _pair_keys(p.tokens, False)))
        n_base = len(base_pairs)
        typos = _typo_keys(_principal(p.tokens, p.n_surname, False)) if p.year != "x" else []
        mono = [f"m:{k}" for t in base[:2] for k in skeletons(t[0])]
        keys = [f"p:{k}:{y}" for k in pairs[:n_base] for y in years]
        keys += [f"t:{k}:{p.year}" for k in typos]
        keys += [f"p:{k}:{y}" for k in pairs[n_base:] for y in years] + mono
    return tuple(dict.fromkeys(keys))[:MAX_QUERY_KEYS]


def query_keys(query: PersonQuery) -> list[str]:
    """Keys to look up for a scan: bounded, deterministic, no duplicates; [] without a name."""
    return list(_query_keys(query))


# ------------------------------------------------------------------ scoring
def _attributes(
    p: _Prepared, profile: dict[str, Any]
) -> tuple[list[str], list[tuple[str, float]], float]:
    matched: list[str] = []
    penalties: list[tuple[str, float]] = []
    bonus = 0.0
    n_dob = _parse_dob(profile.get("dob"))
    if p.dob and n_dob:
        (qy, qm, qd), (ny, nm, nd) = p.dob, n_dob
        gap = abs(qy - ny)
        if gap == 0:
            if qm and nm and qd and nd and (qm, qd) != (nm, nd) and (qm, qd) == (nd, nm):
                penalties.append(("birth_day_month_swapped", DOB_DAY_MONTH_SWAPPED))
            elif (qm and nm and qm != nm) or (qm == nm and qd and nd and qd != nd):
                penalties.append(("birth_date_mismatch", DOB_DATE_MISMATCH))
            else:
                matched.append("date_of_birth")
                if qm and nm and qd and nd:
                    bonus += DOB_FULL_AGREES
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
    if p.nationality and nations:
        if p.nationality in nations:
            matched.append("nationality")
            bonus += COUNTRY_AGREES
        else:
            penalties.append(("country_mismatch", COUNTRY_MISMATCH))
    n_sex = profile.get("sex")
    if p.sex and n_sex in ("M", "F"):
        if p.sex == n_sex:
            matched.append("sex")
        else:
            penalties.append(("sex_mismatch", SEX_MISMATCH))
    return matched, penalties, bonus


def score(query: PersonQuery, profile: dict[str, Any], threshold: float) -> PersonMatch | None:
    """The best alias's name similarity, less penalties, plus corroboration; None below
    the threshold. Pure; a candidate whose attributes alone rule it out costs little."""
    p = _prepare(query)
    if p is None or not profile.get("forms"):
        return None
    matched, penalties, bonus = _attributes(p, profile)
    attr = sum(a for _, a in penalties)
    if 1.0 + bonus - attr < threshold:
        return None
    best, best_form, best_reason, best_pen = -1.0, 0, "", 0.0
    for i, (_, encoded, _) in enumerate(profile["forms"]):
        sim, pen, reason = compare(p.tokens, encoded)
        if sim - pen > best:
            best, best_form, best_reason, best_pen = sim - pen, i, reason, pen
            if best >= 0.97:
                break
    value = min(1.0, best + bonus - attr)
    if value < threshold:
        return None
    if best_reason:
        penalties.insert(0, (best_reason, round(best_pen, 4)))
    label = profile["names"][profile["forms"][best_form][0]]
    return PersonMatch(round(value, 4), ("name", *matched), label, tuple(penalties))


__all__ = [
    "MAX_QUERY_KEYS",
    "PersonMatch",
    "PersonQuery",
    "notice_keys",
    "notice_profile",
    "query_keys",
    "score",
]
