"""Name tokens, their spelling-insensitive keys, and the token-wise comparison of two names.

Two forms of a token serve two purposes:

* ``skeleton`` is the blocking key: coarse on purpose (consonant classes, vowels gone
  but for an initial one, which collapses to ``A``), so that Muhammad, Mohamed and MHMD,
  or Zhang, Chang and Cheung, share it. Keys pair two skeletons, which is what keeps
  candidates few.
* ``canon`` is for scoring: it keeps vowels and only folds what transliteration schemes
  really disagree on (IU/YU/JU, KH/H, OU/U, final IY/II/IJ, doubled letters, J/Y ...), so
  that Mahmoud and Muhammad stay apart while Yuriy and Iurii meet.

Names are compared token by token with Jaro-Winkler (as Moov Watchman does), each token
of one side paired with its best partner on the other, adjacent tokens allowed to pair
as one (Xiao Ming / Xiaoming, Al Masri / Almasri).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from screening.matching.name_tables import COMMON, GROUPS_OF, PARTICLES, PREFIXES
from screening.matching.readings import latin_tokens, readings
from screening.matching.translit import PINYIN_SINGLE_SYLLABLES

# --- canon: the scoring form ------------------------------------------------------------
_CANON_RULES = [
    (re.compile(p), r)
    for p, r in (
        # ABD's article, assimilated or not (ABDULRAHMAN, ABDERRAHMANE, ABDELKADER).
        (r"^ABD[AEIOU]?[LR](?=[^AEIOU])", "ABD"),
        (r"SCHTSCH|SHTCH|CHTCH|SHCH", "SHCH"), (r"TSCH|TCH", "CH"), (r"SCH", "SH"),
        (r"DZH|DJ", "J"), (r"KH", "H"), (r"PH", "F"), (r"W", "V"), (r"CK", "K"),
        (r"^HS(?=[IU])", "S"), (r"^X", "S"), (r"TZ", "TS"), (r"Q", "K"), (r"C(?=[AOU])", "K"),
        (r"X", "KS"), (r"OU", "U"),
        (r"OO", "U"), (r"EE", "I"), (r"EI", "EY"), (r"(?<=[AEIOU])Y(?=[AEIOU])", "Y"),
        (r"^I(?=[AEOU])", "Y"), (r"^J", "Y"), (r"(?<=[AEIOU])J", "Y"), (r"J(?=[AEIOU])", "Y"),
        (r"(?<=[AEIOU])I(?=[AEOU])", "Y"),
        (r"(?:IY|II|IJ|YI|YY|IE)$", "I"), (r"(?<=[^AEIOUY])Y$", "I"),
        (r"(?<=[^AEIOU])Y(?=[^AEIOU])", "I"), (r"(.)\1+", r"\1"),
    )
]  # fmt: skip


@lru_cache(maxsize=131072)
def strip_prefix(token: str) -> str:
    for prefix in PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 4:
            return token[len(prefix) :]
    return token


@lru_cache(maxsize=131072)
def canon(token: str) -> str:
    """Scoring form: group representative, else the token with scheme differences folded."""
    t = GROUPS_OF.get(token, (token,))[0]
    for rx, repl in _CANON_RULES:
        t = rx.sub(repl, t)
    return t or token


@lru_cache(maxsize=131072)
def consonants(token: str) -> str:
    """Consonant skeleton of the canon: how an unvocalised (Arabic) spelling is compared."""
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[AEIOUY]", "", canon(token))) or canon(token)


# --- skeleton: the blocking key -----------------------------------------------------------
_SKELETON_RULES = [
    (re.compile(p), r)
    for p, r in (
        # Wade-Giles HS (HSIAO, HSU) only: a consonantal HSN (Arabic HASAN) keeps its H.
        (r"^HS(?=[IU])", "S"), (r"^TS", "S"), (r"SCHTSCH|SHTCH|CHTCH|SHCH", "S"),
        (r"TSCH|TCH|TSH", "S"),
        (r"SCH|SH|ZH|CH|DZH|DJ|DZ", "S"), (r"TS|TZ|CZ|SZ", "S"), (r"KH", "H"),
        (r"QI(?=[AEOUN])", "S"), (r"^X", "S"), (r"X", "KS"), (r"C(?=[EIY])", "S"),
        (r"PH", "F"), (r"GH", "G"), (r"TH", "T"), (r"DH", "D"), (r"NG", "N"), (r"CK", "K"),
        (r"[CQGK]", "K"), (r"[JZ]", "S"), (r"[BP]", "P"), (r"[DT]", "T"), (r"[FVW]", "F"),
        (r"H", ""),
    )
]  # fmt: skip
_VOWELS = frozenset("AEIOUY")


@lru_cache(maxsize=65536)
def skeleton(t: str) -> str:
    """The blocking key of one spelling (see skeletons for a token's)."""
    return _skeleton(t)


def _skeleton(t: str) -> str:
    if not t:
        return "A"
    for rx, repl in _SKELETON_RULES:
        t = rx.sub(repl, t)
    if not t:
        return "A"
    head = "A" if t[0] in _VOWELS else t[0]
    out = [head]
    for ch in t[1:]:
        if ch not in _VOWELS and ch != out[-1]:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=131072)
def skeletons(token: str) -> tuple[str, ...]:
    """Blocking keys of a token: of its own spelling and its groups' representatives, and,
    when a J may be a Y (Slavic JURIJ = YURI) or a W a vowel (ALAWI = ALAOUI), that too."""
    out: list[str] = []
    for t in (token, *GROUPS_OF.get(token, ())):
        out.append(_skeleton(t))
        if "J" in t:
            out.append(_skeleton(t.replace("J", "Y")))
        if "W" in t:
            out.append(_skeleton(t.replace("W", "U")))
            if "J" in t:
                out.append(_skeleton(t.replace("J", "Y").replace("W", "U")))
    return tuple(dict.fromkeys(out))


# --- tokens of a name -------------------------------------------------------------------
# A token as scoring sees it: raw, canon, consonants, weight, bitmask of the base tokens it
# covers (merged tokens cover two), and flags: 1 a particle, 2 consonantal (an unvocalised
# spelling from Arabic script), 4 part of the surname, 8 a very common name (COMMON),
# 16 the last token of a full MRZ name field (may be cut short).
Tok = tuple[str, str, str, int, int, int]


def split(text: str | None) -> list[str]:
    """Latin upper-case tokens of a name part: its first reading (readings.readings:
    MRZ filler and punctuation separate, OCR digits read as letters, other scripts
    spelt as documents spell them)."""
    if not text:
        return []
    if text.isascii():  # the common case, without the readings cache
        return list(latin_tokens(text))
    found = readings(text)
    return list(found[0].tokens) if found else []


@lru_cache(maxsize=131072)
def _tok_full(raw: str, mask: int, flags: int) -> Tok:
    weight = 1 if flags & 1 else len(raw)
    if raw in COMMON or raw in GROUPS_OF:
        flags |= 8
    return (raw, canon(raw), consonants(raw), weight, mask, flags)


@lru_cache(maxsize=131072)
def is_common(token: str) -> bool:
    """Whether a token is among the world's most frequent name elements: such a token
    says half as much about who someone is (see information)."""
    return token in COMMON or token in GROUPS_OF


def information(tokens: Sequence[Sequence[Any]], mask: int = -1) -> float:
    """How much the significant base tokens covered by ``mask`` say about who someone is:
    1 per token, 1/2 for a very common one (MOHAMMED, MARIA, NGUYEN, THI)."""
    total = 0.0
    for t in tokens:  # a loop, not sum(genexpr): this runs for every scan's name
        m, flags = t[4], t[5]
        if m & mask and not flags & 1 and m & (m - 1) == 0:
            total += 0.5 if flags & 8 else 1.0
    return total


@lru_cache(maxsize=131072)
def _tok_light(raw: str, mask: int, flags: int) -> Tok:
    """A token for blocking keys only, which never read its canon or consonants: a new
    name's joined tokens (MARIAJOSE) are new every time, and their regex chains cost."""
    weight = 1 if flags & 1 else len(raw)
    if raw in COMMON or raw in GROUPS_OF:
        flags |= 8
    return (raw, "", "", weight, mask, flags)


def name_tokens(fields: list[list[str]], consonantal: bool = False,
                keys_only: bool = False) -> list[Tok]:  # fmt: skip
    """Tokens of a name whose fields (surname, given names) are lists of raw tokens,
    plus adjacent pairs joined within a field (XIAO MING -> XIAOMING). ``keys_only``:
    without canon and consonants (empty), enough for blocking keys and information."""
    make = _tok_light if keys_only else _tok_full
    # A joined pair (MARIAJOSE) is new with almost every new name: for keys, building
    # it is cheaper than caching it, and it would push recurring tokens out of the cache.
    make_joined = _tok_light.__wrapped__ if keys_only else _tok_full
    base: list[Tok] = []
    merged: list[Tok] = []
    bit = 0
    flag_c = 2 if consonantal else 0
    for n_field, field in enumerate(fields):
        start = bit
        flag_s = 4 if n_field == 0 else 0
        # A field of particles only (the Vietnamese surname LE) is a name, not a particle.
        all_particles = PARTICLES.issuperset(field)
        for raw in field:
            particle = 1 if raw in PARTICLES and not all_particles else 0
            base.append(make(raw, 1 << bit, particle | flag_c | flag_s))
            bit += 1
        for i in range(start, bit - 1):
            joined = base[i][0] + base[i + 1][0]
            merged.append(make_joined(joined, base[i][4] | base[i + 1][4], flag_c))
        for i in range(start, bit - 2):  # VAN DER BERG, DE LA CRUZ written VANDERBERG
            if base[i][5] & base[i + 1][5] & 1:
                joined = base[i][0] + base[i + 1][0] + base[i + 2][0]
                merged.append(make_joined(joined, base[i][4] | base[i + 1][4] | base[i + 2][4],
                                          flag_c))
    return base + merged


def significant(tokens: list[Tok]) -> list[Tok]:
    """Base tokens that carry the name: particles only when little else is left."""
    base: list[Tok] = []
    core: list[Tok] = []
    for t in tokens:
        m = t[4]
        if m & (m - 1) == 0:
            base.append(t)
            if not t[5] & 1:
                core.append(t)
    return core if len(core) >= 2 else base


# --- comparison -------------------------------------------------------------------------
def single_syllable(token: str) -> bool:
    return token.upper() in PINYIN_SINGLE_SYLLABLES


def token_sim(q: Sequence[Any], a: Sequence[Any]) -> float:
    """Similarity of two tokens (names.Tok or its JSON list), 0..1."""
    if q[0] == a[0]:
        return 1.0
    if q[1] == a[1]:
        return 0.97
    return _token_sim(q[0], a[0], bool((a[5] | q[5]) & 2), not (a[5] | q[5]) & 4)


@lru_cache(maxsize=262144)
def _token_sim(q_raw: str, a_raw: str, consonantal: bool, given: bool = False) -> float:
    """The costly part of token_sim, cached: token pairs recur (common names do)."""
    q, a = (q_raw, canon(q_raw), consonants(q_raw)), (a_raw, canon(a_raw), consonants(a_raw))
    if consonantal:  # unvocalised: only consonants can be compared
        qc, ac = q[2].replace("CH", "SH"), a[2].replace("CH", "SH")  # French CH for ش
        if qc == ac:
            return 0.93
        (ql, q_main), (al, a_main) = _loose(q[0]), _loose(a[0])
        if ql & al:
            return 0.91
        return 0.93 * max(JaroWinkler.similarity(qc, ac), JaroWinkler.similarity(q_main, a_main))
    qg, ag = GROUPS_OF.get(q[0]), GROUPS_OF.get(a[0])
    if qg and ag:
        if set(qg) & set(ag):
            return 0.95  # WONG and WANG: one of the readings agrees
        # Two names known to be different (Zhang and Chen, Mahmoud and Muhammad).
        return min(0.8, JaroWinkler.similarity(q[1], a[1]))
    sim = JaroWinkler.similarity(q[1], a[1], score_cutoff=0.5)
    if sim < 0.97:
        sim = max(sim, JaroWinkler.similarity(q[0], a[0]))
    # Same consonants, vowels differ (MARYAM / MERIEM); the same name but for a particle
    # (ALMASRI / MASRI, DELACRUZ / CRUZ).
    vowels_differ = q[2] == a[2] and len(q[2]) >= 3 and q[0][0] == a[0][0] \
        and abs(len(q_raw) - len(a_raw)) <= 1  # fmt: skip
    same_stem = len(q_raw) > 4 and len(a_raw) > 4 and strip_prefix(q_raw) == strip_prefix(a_raw)
    if sim < _PAIR_FLOOR and not vowels_differ and not same_stem:
        return sim  # no pair: the caps below cannot matter (most pairs, and cheap)
    if given and _another_name(q_raw, a_raw):  # given names (a surname's typo is a typo)
        return min(sim, _ANOTHER_NAME)
    sim = min(sim, _explained(q, a))
    if sim < 0.97:
        if vowels_differ:
            sim = max(sim, 0.92)
        if same_stem:
            sim = max(sim, 0.97)
    return sim


_LOOSE_RULES = [(re.compile(p), r) for p, r in (
    (r"G(?=[EI])", "J"), (r"C(?=[EI])", "S"), (r"NG", "N"), (r"[AEIOUY]", ""), (r"[CQ]", "K"),
    (r"SH", "S"), (r"W", "V"), (r"[PFB]", "B"), (r"Z", "S"), (r"D", "T"),
)]  # fmt: skip
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def _loose(raw: str) -> tuple[frozenset[str], str]:
    """Consonants as an unvocalised script may stand for them: Arabic and Hebrew letters
    are B, P or F, K or C, S or SH, H is often silent, ו and و a vowel or a V, a Latin CH
    is K, SH or H (MICHAEL, CHARLES, RACHEL). With the first of them, for Jaro-Winkler."""
    out: list[str] = []
    for ch, kh in (("K", "K"), ("S", ""), ("", "")):
        c = raw.replace("CH", ch).replace("KH", kh).replace("PH", "F").replace("TH", "T")
        c = c.replace("H", "")
        for rx, repl in _LOOSE_RULES:
            c = rx.sub(repl, c)
        out.append(_DOUBLED.sub(r"\1", c.replace("V", "B")))
        out.append(_DOUBLED.sub(r"\1", c.replace("V", "")))
    return frozenset(out), out[0]


# What a token one letter away from another scores when the letter makes it another
# name: below _PAIR_FLOOR, so that the two are left unpaired (a different name).
_ANOTHER_NAME = 0.75
# Vowels that spellings of one name exchange (MOHAMED, MUHAMMAD; RASHID, RASHED; YURI,
# IURI): a vowel changed across them makes another name (JAMAL, JAMIL; ANGELO, ANGELA).
_VOWEL_CLASSES = ("AE", "EIY", "OU")
_VOWELS_SET = frozenset("AEIOUY")


class _Edit(NamedTuple):
    tag: str  # replace, insert, delete
    src_pos: int
    dest_pos: int


@lru_cache(maxsize=65536)
def _another_name(x: str, y: str) -> bool:
    """Whether one edit makes two tokens two names rather than a spelling and its typo:
    a vowel of the ending exchanged across _VOWEL_CLASSES (ANGELO, ANGELA; JAMAL, JAMIL),
    or a short name's last consonant changed (NABIL, NABIH), added or dropped (ALI,
    ALIM). A list of given names would tell better; none is to be had as a library
    (rigour's needs PyICU built from source), so this is the rule of thumb."""
    ops = Levenshtein.editops(x, y).as_list()
    if len(ops) != 1:
        return False
    tag, src_pos, dest_pos = ops[0]
    op = _Edit(str(tag), int(src_pos), int(dest_pos))
    cx = x[op.src_pos] if op.src_pos < len(x) else ""
    cy = y[op.dest_pos] if op.dest_pos < len(y) else ""
    if op.tag == "replace" and cx in "AEIOU" and cy in "AEIOU":
        if op.src_pos < len(x) - 2 or ({cx, cy} == {"A", "O"} and op.src_pos < len(x) - 1):
            return False  # not in the ending; an unstressed O written A (POPOV, PAPOV)
        return not any(cx in c and cy in c for c in _VOWEL_CLASSES)
    last = op.src_pos >= len(x) - 1 and op.dest_pos >= len(y) - 1
    changed = {cx, cy} - {""}
    if not last or min(len(x), len(y)) > (5 if len(changed) == 2 else 4):
        return False
    if len(changed) == 2:  # one consonant for another: S and Z, T and D are spellings
        return not changed & _VOWELS_SET and len({_skeleton(c) for c in changed}) == 2
    if not changed or changed & set("AEIOUYH"):  # SARA, SARAH
        return False
    longer = y if len(y) > len(x) else x
    return longer[-1] != longer[-2]  # IVAN, IVANN: a letter doubled


def _silent_ending(x: str, y: str) -> bool:
    """Whether one token is the other with a silent H or E at the end."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return len(long) == len(short) + 1 and long.startswith(short) and long[-1] in "HE"


def _explained(q: tuple[str, str, str], a: tuple[str, str, str]) -> float:
    """How much of the longer token the other explains, letters edited away: one edit
    (a typo) costs 0.35 of its share, more edits their whole share (RONALDINHO explains
    RONALDO only in part; BARKHANOEV is another family than BARAKHOEV)."""
    edits = min(OSA.distance(q[0], a[0]), OSA.distance(q[1], a[1]))
    if edits == 0:
        return 1.0
    if edits == 1 and _silent_ending(q[0], a[0]):
        return 0.96  # AMINA, AMINAH; HAMDAN, HAMDANE: a spelling
    return 1.0 - edits / max(len(q[0]), len(a[0])) * (0.35 if edits == 1 else 1.0)


_PAIR_FLOOR = 0.78
# A scan's last token where an MRZ's name field is full (flag 16), and a notice token
# it begins: cut short, not another name.
CUT_SHORT = 0.95
_SURE = 0.92


def compare(
    query: list[Tok], alias: Sequence[Sequence[Any]]
) -> tuple[float, float, str, float, float]:
    """(similarity of matched tokens, penalty for unmatched ones, penalty reason, what the
    matched query tokens say (information), similarity of the weakest matched pair).
    ``alias`` may be a profile's JSON-decoded token lists."""
    pairs = []
    for q in query:
        q0, q1, q_merged = q[0], q[1], q[4] & (q[4] - 1)
        for a in alias:
            if a[0] == q0:
                s = 1.0
            elif a[1] == q1:
                s = 0.97
            elif q_merged and a[4] & (a[4] - 1):
                continue  # two joined tokens: their parts meet already
            else:
                s = _token_sim(q0, a[0], bool((a[5] | q[5]) & 2), not (a[5] | q[5]) & 4)
                if q[5] & 16 and s < CUT_SHORT and len(q0) >= 2 and a[0].startswith(q0):
                    s = CUT_SHORT  # the MRZ's name field ended inside it (CARME, CARMEN)
            if s >= _PAIR_FLOOR:
                pairs.append((s, q[3] + a[3], q, a))
    pairs.sort(key=lambda p: (p[0], p[1]), reverse=True)
    used_q = used_a = same_q = same_a = 0
    total = weight = 0.0
    weakest = 1.0
    for s, _, q, a in pairs:
        if q[4] & used_q or a[4] & used_a:
            continue
        used_q |= q[4]
        used_a |= a[4]
        if s >= 0.97:  # the same name, spelt alike
            same_q |= q[4]
            same_a |= a[4]
        w = max(q[3], a[3])
        weakest = min(weakest, s)
        if s < _SURE:  # a weak pairing (HERNANDEZ / HERRERA) counts against the name
            s -= (_SURE - s) * 1.5
        total += s * w
        weight += w
    if not weight:
        return 0.0, 1.0, "name_mismatch", 0.0, 0.0
    q_core = [t for t in query if not t[5] & 1 and _is_base(t)]
    n_matched = information(q_core, used_q)
    q_left = [t for t in q_core if not t[4] & used_q]
    a_left = [t for t in alias if not t[5] & 1 and _is_base(t) and not t[4] & used_a]
    sim = total / weight
    if not q_left and not a_left:
        return sim, 0.0, "", n_matched, weakest
    if q_left and a_left:  # tokens on both sides found no partner: different names
        n = min(len(q_left), len(a_left))
        pen = 0.2 * n + 0.03 * (len(q_left) + len(a_left) - 2 * n)
        return sim, pen, "name_token_mismatch", n_matched, weakest
    if bin(used_q).count("1") == 1:
        pen = 0.12 + 0.03 * (len(q_left) + len(a_left) - 1)
        return sim, pen, "single_name_token", n_matched, weakest
    left, side = (q_left, query) if q_left else (a_left, alias)
    other, used_other = (alias, same_a) if q_left else (query, same_q)
    # A surname left over is a different family, unless the other side's surname was
    # found among this side's names: a part added or dropped (CHOUDARY, ANJEM on a
    # passport of MAHMOOD, ANJEM IFTIKHAR CHOUDARY).
    if _whole_surname(left, side) and not _surname_found(other, used_other):
        return sim, 0.2, "surname_unmatched", n_matched, weakest
    reason = "name_tokens_added" if q_left else "name_tokens_missing"
    return sim, min(0.03 * len(left), 0.09), reason, n_matched, weakest


def _is_base(t: Sequence[Any]) -> bool:
    mask: int = t[4]
    return mask & (mask - 1) == 0


def _whole_surname(left: Sequence[Sequence[Any]], side: Sequence[Sequence[Any]]) -> bool:
    """Whether every surname token of a side went unmatched (flag 4: field 0)."""
    surname = [t for t in side if t[5] & 4 and not t[5] & 1 and _is_base(t)]
    return bool(surname) and all(any(t is u for u in left) for t in surname)


def _surname_found(side: Sequence[Sequence[Any]], used: int) -> bool:
    """Whether a surname token of a side was matched (by the same name, spelt alike)."""
    return any(t[5] & 4 and not t[5] & 1 and t[4] & used and _is_base(t) for t in side)


def joined(tokens: Sequence[Sequence[Any]]) -> tuple[str, str]:
    """The name run together (VLADIMIRPUTIN): given names then surname, surname then
    given names; base tokens only."""
    surname = "".join(t[0] for t in tokens if t[5] & 4 and _is_base(t))
    given = "".join(t[0] for t in tokens if not t[5] & 4 and _is_base(t))
    return given + surname, surname + given


__all__ = [
    "GROUPS_OF",
    "PARTICLES",
    "Tok",
    "canon",
    "compare",
    "consonants",
    "information",
    "is_common",
    "joined",
    "name_tokens",
    "significant",
    "skeleton",
    "skeletons",
    "split",
    "strip_prefix",
    "token_sim",
]
