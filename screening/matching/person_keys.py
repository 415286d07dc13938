"""Blocking keys of persons: a notice files its keys in the name index (``notice_keys``),
a scan looks up a handful (``query_keys``), so that a scan and the notices it could be
meet in the same buckets. Keys are coarse on purpose; scoring (persons.score) decides.

Keys (short ASCII; ``Y`` is the birth year):

``p:A.B:Y``  two name tokens' skeletons, sorted, with the birth year: spelling variants,
             order, and an extra, missing or misspelt token leave one pair intact.
``t:A.^xy:Y`` one token's skeleton and the first (``^``) or last (``$``) two letters of
             the other token of a two-token name: survives a typo in either token.
             A notice also files its primary name's surname with its first given
             name's initial (``t:A.^x:Y``), which a scan of a surname and initials
             looks up.
``x:A.B``    a notice without a date of birth, by token pairs; only names that say
             enough can hit such a notice (UNDATED_MIN_INFO) or be a possible match
             for it (POSSIBLE_MIN_INFO), so only they look it up.
``n:A.B``    a dated notice by its two first tokens, for the rare scan without a date.
``m:A:Y``    a single-token name (``Y`` is ``x`` without a birth year).
``l:A.B:Y``  two tokens' consonants as an unvocalised script writes them (name_keys.loose_key):
             a notice files its first two tokens', a scan in Arabic, Hebrew, Thai...
             script looks them up.
``j:C:Y``    the whole name run together (VLADIMIRPUTIN), its consonants: a notice files
             both orders, a scan looks up its given names then surname (a letter moved
             across the space, TNKUNDA LAUREN for NKUNDA LAURENT, keeps it).
``h:A:Y``    a Chinese surname's skeleton alone (name_tables.CHINESE_SURNAMES, any
             spelling): a notice of a Chinese-speaking state files it (``hc:A:Y`` when
             its given names are not pinyin), a scan of Hong Kong or Macau (their
             documents write Cantonese) looks up ``h:`` when its given names are
             neither pinyin nor Wade-Giles, else ``hc:``. Given
             names may be spelt in Cantonese on one side and in pinyin on the other
             (KIN HUNG, JIAN HONG), whose skeletons no rule brings together (scoring
             does: cantonese.py); two pinyin names meet by their pairs already.
"""

from __future__ import annotations

import heapq
from functools import lru_cache
from itertools import product
from typing import Any, NamedTuple

from screening.matching import name_keys
from screening.matching.cantonese import is_wade_giles
from screening.matching.name_keys import _prefixed_skeletons
from screening.matching.name_spelling import skeletons, strip_prefix
from screening.matching.name_tables import CHINESE_SURNAMES
from screening.matching.name_tokens import (
    FOREIGN,
    HANGUL,
    SURNAME,
    UNVOCALISED,
    Tok,
    decode_tokens,
    significant,
    split,
)
from screening.matching.notice_forms import CHINESE_NATIONS
from screening.matching.person_evidence import POSSIBLE_MIN_INFO, UNDATED_MIN_INFO, parse_dob
from screening.matching.person_query import PersonQuery
from screening.matching.scan_forms import convention_of, name_forms_for_keys, principal
from screening.matching.translit import pinyin_syllables

MAX_QUERY_KEYS = 24
# A foreign name read back from katakana or Hangul: its letters stand for several (R for
# R and L...), so its loose keys are many (name_keys.foreign_loose_keys); such a scan
# looks up at most this many keys in all, the loose ones at most _FOREIGN_LOOSE.
MAX_FOREIGN_QUERY_KEYS = 80
_FOREIGN_LOOSE = 48
_HALF_READ = 2


def _year(dob: str | None) -> str:
    return dob[:4] if dob and len(dob) >= 4 and dob[:4].isdigit() else "x"


def _pair(a: str, b: str) -> str:
    return f"{a}.{b}" if a <= b else f"{b}.{a}"


def _loose_pair(principal: list[Tok]) -> str:
    return _pair(name_keys.loose_key(principal[0].raw), name_keys.loose_key(principal[1].raw))


def _foreign_loose_pairs(a: Tok, b: Tok) -> tuple[tuple[str, int], ...]:
    """Loose pairs of two tokens, either a foreign name read back: its possible keys
    paired with the other's, each with its cost (letters read otherwise), cheapest
    first."""
    ka, kb = (name_keys.foreign_loose_choices(t.raw, bool(t.flags & HANGUL)) if t.flags & FOREIGN
              else ((name_keys.loose_key(t.raw), 0),) for t in (a, b))  # fmt: skip
    # a form with one part read back and the other as written (PUUCHIN with URAJIMIR) is
    # the less likely: a few of its keys, the forms read back whole have the rest
    both = bool(a.flags & b.flags & FOREIGN)
    bound = _FOREIGN_LOOSE if both else 4
    order = heapq.nsmallest(bound, product(range(len(ka)), range(len(kb))),
                            key=lambda ij: (ka[ij[0]][1] + kb[ij[1]][1], sum(ij)))  # fmt: skip
    # (and ranked behind the forms read back whole, as two letters read otherwise are)
    extra = 0 if both else _HALF_READ
    return tuple((_pair(ka[i][0], kb[j][0]), ka[i][1] + kb[j][1] + extra) for i, j in order)


@lru_cache(maxsize=65536)
def _typo_ends(raw: str) -> tuple[str, str]:
    """A token's ends as a typo key's second half (name_keys.typo_keys): ``.^`` its
    first two letters, ``.$`` its last two, without a prefix."""
    word = strip_prefix(raw)
    return f".^{word[:2]}", f".${word[-2:]}"


@lru_cache(maxsize=32768)  # a surname or given names recur far more than whole names
def _field_pairs(items: tuple[tuple[int, str], ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """One field's tokens, (mask, raw) each: name_keys.pair_keys's pairs within the field,
    and the skeletons of all its tokens (each pairs with each of the other field's)."""
    skels = [(mask, _prefixed_skeletons(raw)) for mask, raw in items]
    pairs: list[str] = []
    for i, (mask_a, keys_a) in enumerate(skels):
        for mask_b, keys_b in skels[i + 1 :]:
            if not mask_a & mask_b:
                pairs += [f"{a}.{b}" if a <= b else f"{b}.{a}" for a in keys_a for b in keys_b]
    return tuple(dict.fromkeys(pairs)), frozenset(k for _, keys in skels for k in keys)


def notice_keys(profile: dict[str, Any]) -> set[str]:
    """Blocking keys of a notice, every form of every alias (see the module doc).

    A notice's names are new combinations of surnames and given names met before: what
    one field's tokens give (their skeletons, the pairs within the field) is cached per
    field, a form's keys are put together from its two fields' (the pairs across them
    are every skeleton of one with every skeleton of the other), and an alias's forms,
    which share most of their fields and tokens, put each combination together once.
    Each kind's key bodies are gathered first, the year added to each once.
    tests/unit/matching/test_notice_keys.py holds this to the token-by-token definition
    (name_keys)."""
    year = _year(profile.get("dob"))
    dated = year != "x"
    chinese = bool(CHINESE_NATIONS.intersection(profile.get("nat") or ()))
    pairs: set[str] = set()  # p: (x: undated)
    typos: set[str] = set()  # t:
    other: set[str] = set()  # j:, l:, m: with their kind
    names: set[str] = set()  # n: (no year)
    done: set[Any] = set()  # field combinations and typo token pairs put together
    han: dict[int, tuple[set[str], list[bool]]] = {}  # alias -> surname skeletons, pinyin?
    for n_form, (alias, encoded, _) in enumerate(profile["forms"]):
        tokens = decode_tokens(encoded)
        base = [t for t in tokens if t.base]
        sig = significant(tokens)
        s_bits = 0  # the surname's base tokens
        for t in base:
            if t.flags & SURNAME:
                s_bits |= t.mask
        if len(sig) == 1:
            other.update(f"m:{k}" for k in skeletons(sig[0].raw))
            continue
        # name_keys.pair_keys(tokens): a field's tokens never overlap the other's
        s_pairs, s_skels = _field_pairs(tuple((t.mask, t.raw) for t in tokens if t.mask & s_bits))
        g_pairs, g_skels = _field_pairs(tuple((t.mask, t.raw) for t in tokens
                                              if not t.mask & s_bits))  # fmt: skip
        pairs.update(s_pairs)
        pairs.update(g_pairs)
        if (s_skels, g_skels) not in done:
            done.add((s_skels, g_skels))
            pairs.update(f"{a}.{b}" if a <= b else f"{b}.{a}" for a in s_skels for b in g_skels)
        if not dated:
            continue
        surname = "".join(t.raw for t in base if t.flags & SURNAME)  # name_tokens.joined
        given = "".join(t.raw for t in base if not t.flags & SURNAME)
        other.add(f"j:{name_keys.joined_key(given + surname)}")
        other.add(f"j:{name_keys.joined_key(surname + given)}")
        # principal(tokens)'s first two
        first = sig[0]
        second = sig[1]
        sur = [t for t in sig if t.flags & SURNAME]
        giv = [t for t in sig if not t.flags & SURNAME]
        if len(sig) >= 3 and giv and giv[0] is not first:
            second = giv[0]
        other.add(f"l:{_pair(name_keys.loose_key(first.raw), name_keys.loose_key(second.raw))}")
        # name_keys.typo_keys(sig, notice=True): the first and last surname tokens and the
        # first given name (the second when no more), each skeleton of one with the ends
        # of another
        picks = [sur[0], sur[-1]] if len(sur) > 1 else sur[:1]
        picks += giv[:1]
        if len(picks) < 2:
            picks += giv[1:2]
        for i, a in enumerate(picks):
            for j, b in enumerate(picks):
                if i != j and (a.raw, b.raw) not in done:
                    done.add((a.raw, b.raw))
                    head, tail = _typo_ends(b.raw)
                    for ka in skeletons(a.raw):
                        typos.add(ka + head)
                        typos.add(ka + tail)
        initial = name_keys.initial_key(sig) if n_form == 0 else None  # the primary name's
        if initial:
            typos.add(initial)
        names.add(_pair(skeletons(first.raw)[0], skeletons(second.raw)[0]))
        if chinese and sur and sur[0].raw in CHINESE_SURNAMES:
            skels, pinyin = han.setdefault(alias, (set(), []))
            skels.update(skeletons(sur[0].raw))
            pinyin.append(all(pinyin_syllables(t.raw) for t in giv))
    if not dated:
        return {f"x:{k}" for k in pairs} | {f"{k}:x" for k in other}
    suffix = f":{year}"
    keys = {f"p:{k}{suffix}" for k in pairs}
    keys.update(f"t:{k}{suffix}" for k in typos)
    keys.update(k + suffix for k in other)
    keys.update(f"n:{k}" for k in names)
    for skels, pinyin in han.values():  # an alias with a pinyin form (its Wade-Giles too)
        keys.update(f"{'h' if any(pinyin) else 'hc'}:{k}{suffix}" for k in skels)
    return keys


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
    # each loose key's cost where a foreign name is read back (MAX_FOREIGN_QUERY_KEYS),
    # else none
    loose_costs: tuple[int, ...]


_NO_KEYS = _Keys((), (), (), (), (), (), ())


# A surname with initials only (KHAMENEI, A.; NAZARBAYEV, N.): the notice files its
# surname with its first given name's initial among its typo keys (name_keys.typo_keys).
def _initials_keys(u: list[Tok]) -> tuple[str, ...] | None:
    """Typo keys of a name of one surname token and initials, or None for another name."""
    if len(u) < 2 or (len(u[0].raw) > 1 and len(u[1].raw) > 1):
        return None  # two names at least (most): no list made for every new name
    names = [t for t in u if len(t.raw) > 1]
    if len(names) != 1 or len(u) < 2:
        return None  # (either field: A. KHAMENEI may come whole in one)
    initial = next((t.raw for t in u if len(t.raw) == 1), None)
    if initial is None:
        return None
    return tuple(f"{k}.^{initial}" for k in skeletons(names[0].raw)[:2])


def _form_keys(tokens: list[Tok], info: float, u: list[Tok] | None = None) -> _Keys:
    u = principal(tokens) if u is None else u
    if not u:
        return _NO_KEYS
    initials = _initials_keys(u)
    if initials is not None:
        whole = name_keys.given_then_surname(tokens)
        run_together = (name_keys.joined_key(whole),) if len(whole) >= 6 else ()
        return _Keys((), initials, (), (), run_together, (), ())
    sk = [skeletons(t.raw)[:2] for t in u[:4]]
    whole = name_keys.given_then_surname(tokens)
    run_together = (name_keys.joined_key(whole),) if len(whole) >= 6 else ()
    if len(u) == 1:
        return _Keys((), (), (), sk[0], run_together, (), ())
    costs: tuple[int, ...] = ()
    if (u[0].flags | u[1].flags) & FOREIGN:
        found = _foreign_loose_pairs(u[0], u[1])
        loose, costs = tuple(k for k, _ in found), tuple(c for _, c in found)
    else:
        loose = (_loose_pair(u),) if (u[0].flags | u[1].flags) & UNVOCALISED else ()
    idx = _PAIRS.get(len(u), _PAIRS_4)
    pairs = [f"{a}.{b}" if a <= b else f"{b}.{a}" for i, j in idx for a in sk[i] for b in sk[j]]
    if len(u) >= 4:
        pairs += [_pair(sk[i][0], sk[j][0]) for i, j in _PAIRS_4_MORE]
    joined_pairs = name_keys.joined_pair_keys(tokens)
    pairs += joined_pairs
    typos = name_keys.typo_keys(u, notice=False) if len(u) == 2 else []
    undated = []
    # Only such names can hit a notice without a date, or be a possible match for it.
    if info >= min(UNDATED_MIN_INFO, POSSIBLE_MIN_INFO):
        undated = [_pair(sk[i][0], sk[j][0]) for i, j in idx[: 1 + (len(u) > 3)]]
        undated += joined_pairs  # D AMICO, CARLO for D'AMICO
    return _Keys(tuple(pairs), tuple(typos), tuple(undated), (), run_together, loose, costs)


@lru_cache(maxsize=16384)
def _name_keys(surname: str | None, given_names: str | None, convention: str = "") -> _Keys:
    """The year-free bodies of a name's keys, of every reading of it."""
    forms, first, info = name_forms_for_keys(surname, given_names, convention)
    if not forms:
        return _NO_KEYS
    if len(forms) == 1:
        return _form_keys(forms[0].tokens, info, first)
    each = [_form_keys(f.tokens, info) for f in forms]
    # Each kind of key (a field of _Keys), of every form in turn, without repeats; loose
    # keys cheapest first across the forms (a foreign name's forms have many, and a scan
    # looks up the first _FOREIGN_LOOSE), then by rank.
    merged = [tuple(dict.fromkeys(k for keys in kind for k in keys))
              for kind in zip(*each, strict=True)]  # fmt: skip
    if any(keys.loose_costs for keys in each):
        found = sorted((keys.loose_costs[r] if keys.loose_costs else 0, r, k)
                       for keys in each for r, k in enumerate(keys.loose))  # fmt: skip
        cost_of = {k: c for c, _, k in reversed(found)}  # a key's cheapest
        merged[5] = tuple(dict.fromkeys(k for _, _, k in found))
        merged[6] = tuple(cost_of[k] for k in merged[5])
    return _Keys._make(merged)


@lru_cache(maxsize=4096)
def _surname_keys(surname: str | None, given_names: str | None) -> tuple[str, ...]:
    """A Chinese name's surname-only keys without the year (see the module doc): ``h:``
    and its first token's skeletons when the given names are neither pinyin nor
    Wade-Giles (those meet pinyin notices by their pairs), else ``hc:``."""
    tokens = split(surname)
    if not tokens or tokens[0] not in CHINESE_SURNAMES:
        return ()
    cantonese = not all(pinyin_syllables(g) or is_wade_giles(g) for g in split(given_names))
    kind = "h" if cantonese else "hc"
    return tuple(f"{kind}:{k}" for k in skeletons(tokens[0]))


def query_keys(query: PersonQuery) -> list[str]:
    """Keys to look up for a scan: bounded, deterministic, no duplicates; [] without a name.
    Not cached: a whole query (name and date of birth) rarely recurs, its name does."""
    convention = convention_of(query.nationality, query.surname)
    pairs, typos, undated, single, run_together, loose, loose_costs = _name_keys(
        query.surname, query.given_names, convention)
    foreign = bool(loose_costs)
    dob = parse_dob(query.date_of_birth)
    year = str(dob.year) if dob else "x"
    if single:
        keys = [f"m:{k}:{year}" for k in single] + [f"m:{k}:x" for k in single]
    elif year == "x":  # rare: a scan without a date of birth meets dated notices by name
        keys = [f"n:{k}" for k in pairs[:2]]
    else:  # an unvocalised reading's loose keys first: its other keys are the weaker,
        # and a name read several ways (Hangul syllables) may have more than the bound
        keys = [f"p:{k}:{year}" for k in pairs] + [f"t:{k}:{year}" for k in typos]
        if loose:  # (few names: no empty list made for the others)
            keys[:0] = [f"l:{k}:{year}" for k in loose[:_FOREIGN_LOOSE]]
        if convention == "yue":
            at = len(loose) + 1
            keys[at:at] = [f"{k}:{year}" for k in _surname_keys(query.surname, query.given_names)]
    if year != "x":
        keys += [f"j:{k}:{year}" for k in run_together]
    keys += [f"x:{k}" for k in undated]
    return list(dict.fromkeys(keys))[:MAX_FOREIGN_QUERY_KEYS if foreign else MAX_QUERY_KEYS]


__all__ = ["MAX_FOREIGN_QUERY_KEYS", "MAX_QUERY_KEYS", "notice_keys", "query_keys"]
