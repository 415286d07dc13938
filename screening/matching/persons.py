"""Persons-of-interest matching: blocking keys for the notice index and a scored comparison.

A notice is profiled once (``notice_profile``, notice_forms.py): every alias, in every
Latin spelling its script suggests, becomes a list of tokens ready for comparison.
``notice_keys`` and ``query_keys`` (person_keys.py) put a scan and the notices it could
be in the same buckets; ``score`` compares the name token by token (names.compare:
Jaro-Winkler, as Moov Watchman does), subtracts penalties for a date of birth, country or
sex that disagree (as OpenSanctions' logic-v2 does) and then asks for **corroboration**
in proportion to how little the name says on its own (person_evidence.py); asked for,
a name match they do not corroborate but nothing contradicts is returned as a
**possible match** (``tier``: for analysts, never a referral at the gate). Every hit
names the alias that matched and lists its penalties. ``candidate_filter`` drops most
candidates on their attributes alone, before their profiles are fetched
(person_prefilter.py).

This module is where the rest of the code imports all of it from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from rapidfuzz.distance import OSA

from screening.matching import name_keys
from screening.matching.name_tokens import Tok, decode_tokens, information, joined
from screening.matching.names import Comparison, compare
from screening.matching.notice_forms import notice_profile
from screening.matching.person_evidence import (
    NO_CORROBORATION,
    ceiling,
    corroborated,
    possible,
    prepare,
    weigh,
)
from screening.matching.person_keys import (
    MAX_FOREIGN_QUERY_KEYS,
    MAX_QUERY_KEYS,
    notice_keys,
    query_keys,
)
from screening.matching.person_prefilter import candidate_filter, could_hit, notice_attributes
from screening.matching.person_query import PersonQuery, same_query
from screening.matching.scan_forms import Form, convention_of, name_forms

# The best score of a name that is not the notice's as written (a spelling, a reading
# of another script, a sound-alike): 1.00 says "the same name".
NOT_THE_SAME = 0.99
# The similarity of a name run together or split elsewhere, letter for letter the same;
# and of one with a letter more, less or changed (FRIDRICHLINDENBERG), at least
# _RUN_TOGETHER_MIN_TYPO letters long: one edit in as many letters is a typo.
RUN_TOGETHER = 0.97
RUN_TOGETHER_TYPO = 0.94
_RUN_TOGETHER_MIN_TYPO = 12


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
    # "possible": the attributes do not corroborate the name but nothing contradicts it
    # (person_evidence.possible); the score is then the name's, without no_corroboration.
    tier: Literal["referral", "possible"] = "referral"


class _Compared(NamedTuple):
    """A query form compared with a notice form: the comparison, and which forms."""

    name: Comparison
    form: int  # the notice form's index in the profile
    plain: bool  # the query form is the name as written (scan_forms.Form.plain)


def _fewer_parts(query: list[Tok], alias: list[Tok]) -> bool:
    """Whether the query writes the name in fewer parts than the alias (run together):
    a typo is forgiven there only; name for name, compare() weighs each part (JAN, JANA)."""
    def parts(tokens: list[Tok]) -> int:
        return sum(1 for t in tokens if t.mask & (t.mask - 1) == 0)
    return parts(query) < parts(alias)


def _run_together(forms: tuple[Form, ...], aliases: list[list[Tok]]) -> _Compared | None:
    """A name written as one token or split elsewhere (VLADIMIRPUTIN, TNKUNDA LAUREN):
    the same letters in the same order as a notice form's, given names then surname or
    the other way round."""
    near: _Compared | None = None
    for q_form in forms:
        q_whole = name_keys.given_then_surname(q_form.tokens)
        if len(q_whole) < 6:
            continue
        for i, alias in enumerate(aliases):
            letters = sum(len(t.raw) for t in alias if t.mask & (t.mask - 1) == 0)
            if letters == len(q_whole) and q_whole in joined(alias):
                name = Comparison(RUN_TOGETHER, 0.0, "", information(alias), RUN_TOGETHER)
                return _Compared(name, i, False)
            if near is None and len(q_whole) >= _RUN_TOGETHER_MIN_TYPO \
                    and abs(letters - len(q_whole)) <= 1 and _fewer_parts(q_form.tokens, alias) \
                    and any(OSA.distance(q_whole, j, score_cutoff=1) <= 1 for j in joined(alias)):
                name = Comparison(RUN_TOGETHER_TYPO, 0.0, "", information(alias),
                                  RUN_TOGETHER_TYPO)  # fmt: skip
                near = _Compared(name, i, False)
    return near


def score(query: PersonQuery, profile: dict[str, Any], threshold: float, *,
          with_possible: bool = False) -> PersonMatch | None:
    """The best alias's name similarity, less penalties, plus corroboration; None below
    the threshold. ``with_possible``: a match short only of corroboration is returned as
    a possible match instead of being penalised. Pure; a candidate whose attributes alone
    rule it out costs little."""
    p = prepare(query)
    if p is None or not profile.get("forms"):
        return None
    evidence = weigh(p, profile)
    if ceiling(p, evidence, with_possible) < threshold:
        return None
    forms = name_forms(query.surname, query.given_names,
                       convention_of(query.nationality, query.surname))
    aliases: list[list[Tok]] = []  # the profile's forms, decoded as they are first compared
    best: _Compared | None = None
    best_net = 0.0  # best.name.sim - best.name.penalty
    for q_form in forms:
        for i, (_, encoded, _) in enumerate(profile["forms"]):
            if i == len(aliases):
                aliases.append(decode_tokens(encoded))
            name = compare(q_form.tokens, aliases[i])
            net = name.sim - name.penalty
            if best is None or net > best_net:
                best, best_net = _Compared(name, i, q_form.plain), net
                if net >= 0.97:
                    break
        if best is not None and best_net >= 0.97:
            break
    assert best is not None
    if best_net < 0.97:  # then every form was compared, and decoded
        joined_up = _run_together(forms, aliases)
        if joined_up is not None and joined_up.name.sim > best_net:
            best = joined_up
    name = best.name
    penalties, bonuses = evidence.penalties, evidence.bonuses
    tier: Literal["referral", "possible"] = "referral"
    if not corroborated(evidence, name):
        if with_possible and possible(evidence, name):
            tier = "possible"
        else:
            penalties.append(("no_corroboration", NO_CORROBORATION))
    value = name.sim - name.penalty + sum(a for _, a in bonuses) - sum(a for _, a in penalties)
    if value > NOT_THE_SAME and not (name.sim >= 1.0 and not name.penalty and best.plain):
        # 1.00 only for the same name as written; listed, so the score explains itself.
        penalties.append(("name_not_identical", round(value - NOT_THE_SAME, 4)))
        value = NOT_THE_SAME
    value = min(1.0, value)
    if value < threshold:
        return None
    if name.reason:
        penalties.insert(0, (name.reason, round(name.penalty, 4)))
    alias, _, _ = profile["forms"][best.form]  # the alias's index, tokens, surname's
    return PersonMatch(score=round(value, 4), matched_on=("name", *evidence.matched),
                       matched_alias=profile["names"][alias], penalties=tuple(penalties),
                       name_similarity=round(name.sim, 4), bonuses=tuple(bonuses), tier=tier)


__all__ = [
    "MAX_FOREIGN_QUERY_KEYS",
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
