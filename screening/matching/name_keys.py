"""Blocking keys built from a name's tokens (name_tokens.Tok): skeleton pairs, typo keys,
joined tokens, the whole name run together, loose consonant keys. Keys are coarse on
purpose; scoring (names.compare) decides."""

from __future__ import annotations

import re
from functools import lru_cache

from screening.matching.name_spelling import single_syllable, skeletons, strip_prefix
from screening.matching.name_tokens import PARTICLE, SURNAME, Tok

# An English L silent before K or M and a P between M and S or T (WALKER, PALMER,
# THOMPSON: ووكر, پامر, تومسون) are not written. (V stays a B: Hebrew ב is either; the
# Persian و read as V in MOUSAVI, موسوی, is a miss that costs Hebrew more to take.)
_LOOSE_KEY_RULES = [(re.compile(p), r, needle) for p, r, needle in (
    (r"(?<=[AO])L(?=[KM])", "", "L"), (r"(?<=M)P(?=[ST])", "", "MP"), (r"G(?=[EI])", "J", "G"),
)]  # fmt: skip
# Then [AEIOUYHW] dropped, [CQKG] K, [PFBV] B, [SZX] S, D T: letter for letter, in one
# translation (no letter one writes is one a later one reads); doubled letters one.
_LOOSE_KEY_LETTERS = str.maketrans("CQGPFVZX" "D", "KKKBBBSS" "T", "AEIOUYHW")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def loose_key(raw: str) -> str:
    """The blocking key of a token of an unvocalised script (see _loose): consonants
    only, each class one letter (B, P, F and V one), H and W (often vowels, or silent)
    gone."""
    for rx, repl, needle in _LOOSE_KEY_RULES:
        if needle in raw:  # (a substitution's search costs, matched or not)
            raw = rx.sub(repl, raw)
    return _DOUBLED.sub(r"\1", raw.translate(_LOOSE_KEY_LETTERS)) or "_"


# What one letter of a foreign name read back from katakana or Hangul may have been
# (readings._Foreign), and what the reading costs: R is R or L (ミラー MILLER, メルケル
# MERKEL) and a first U before R or L a V (ウラジーミル) as likely as not; J a D or a Z
# (ウラジーミル VLADIMIR, 조지프 JOSEPH), W a V (イワン IVAN), a last S a TH (スミス SMITH), KS an
# X, CH a TS, a last or long A or O may have had an R after it (ブレア BLAIR, マーティン
# MARTIN): one each; an R after a short vowel (Hangul marks no long one): two.
_FOREIGN_CHOICES = {"R": (("R", 0), ("L", 0)), "J": (("J", 0), ("D", 1), ("S", 1)),
                    "W": (("W", 0), ("V", 1))}
_FOREIGN_MAX = 64
_FOREIGN_LONGEST = 40
_LONG_VOWEL = re.compile(r"([AO])\1(?=[^AEIOUY])")  # English AR, ER, OR: アー, オー
_SHORT_VOWEL = re.compile(r"[AEO](?=[^AEIOUYR])")  # (클라크 CLARK, 찰스 CHARLES)
_S_BEFORE_VOWEL = re.compile(r"S(?=[AEIOU])")


# Latin spellings of a sound katakana and Hangul write one way, each one letter read
# otherwise, one occurrence at a time: SH a German SCH (シュミット SCHMIDT, 슈나이더
# SCHNEIDER); TCH (ッチ, a doubled CH) an Italian CC before I or E (リッチ RICCI); a hard G
# before E or I a Spanish or French GU (ミゲル MIGUEL, ロドリゲス RODRIGUEZ); an H before a
# vowel a Russian or Arabic KH (ミハイル MIKHAIL); an S before the last letter an English
# TH (キャサリン CATHERINE; a last one is likelier, above); an S before a vowel a C (C
# before E or I is S in English and Romance spelling, a Ç is folded to C: フランソワ
# FRANCOIS), and SH before I (katakana has no SI: ガルシア GARCIA); TS a German Z (シュルツ
# SCHULZ); a long vowel or diphthong before T, S or the end an English silent GH after it
# (ライト WRIGHT, ヒューズ HUGHES); a last vowel or R a French silent S, T or D after it
# (デュボア DUBOIS, ニコラ NICOLAS, ベルナール BERNARD).
_FOREIGN_RESPELL = [(re.compile(p), r) for p, r in (
    (r"SH", "SCH"), (r"TCH", "CC"), (r"G(?=[EI])", "GU"), (r"(?<![CKSGTZ])H(?=[AEIOU])", "KH"),
    (r"S(?!$)", "TH"), (r"S(?=[AEIOUY])", "C"), (r"SH(?=I)", "C"), (r"TS", "Z"),
    (r"(?<=AI|EI|OU|UU|OO|II|YU)(?=[TSZ]|$)", "GH"), (r"(?<=[AEIOUR])$", "S"),
    (r"(?<=[AEIOUR])$", "T"),
)]  # fmt: skip
_FOREIGN_HEADS = 48  # readings respelt, cheapest first: with _FOREIGN_MAX spellings each
# A respelling is rarer than the letters above (one spelling of a sound among several):
# after an R after a short vowel (2), so that it does not crowd their keys out of a
# scan's budget (person_keys.MAX_FOREIGN_QUERY_KEYS).
_RESPELL_COST = 3


def _respelt(heads: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The heads with one or two of _FOREIGN_RESPELL's respellings, one occurrence at a
    time (each costs _RESPELL_COST on top of the head's), the cheapest _FOREIGN_HEADS."""
    found = dict(heads)
    layer = heads
    for _ in range(2):
        layer = [(head[: m.start()] + repl + head[m.end() :], n + _RESPELL_COST)
                 for head, n in layer for rx, repl in _FOREIGN_RESPELL
                 for m in rx.finditer(head)]  # fmt: skip
        for head, n in layer:
            if found.get(head, n + 1) > n:
                found[head] = n
    return sorted(found.items(), key=lambda hn: hn[1])[:_FOREIGN_HEADS]  # stable


@lru_cache(maxsize=16384)
def foreign_loose_choices(raw: str, hangul: bool = False) -> tuple[tuple[str, int], ...]:
    """The loose keys (loose_key) a foreign name read back as ``raw`` may have, each with
    the letters read otherwise to get it, the likelier first (its own key first);
    ``hangul``: read back from Hangul (name_tokens.HANGUL)."""
    if len(raw) > _FOREIGN_LONGEST:  # no name's token: read as written
        return ((loose_key(raw), 0),)
    heads = [(raw, 0)]
    if len(raw) > 2 and raw[0] == "U" and raw[1] in "RL":
        heads.append(("V" + raw[1:], 0))
    if len(raw) > 3 and raw.endswith("NG"):  # a French nasal (마크롱 MACRON)
        heads.append((raw[:-1], 0))
    if hangul and len(raw) > 2 and raw[0] == "B" and raw[1] in "AEIOU":  # a German W
        heads += [("W" + h[1:], n + 1) for h, n in heads]
    if hangul:  # ㅅ is TH as well as S (캐서린 CATHERINE, 아서 ARTHUR)
        heads += [(h[: m.start()] + "TH" + h[m.end() :], n + 1) for h, n in heads
                  for m in _S_BEFORE_VOWEL.finditer(h)]  # fmt: skip
    if raw[-1] in "AEIOU" and len(raw) > 2:
        heads.append((raw + "R", 1))
    if _LONG_VOWEL.search(raw):
        heads += [(_LONG_VOWEL.sub(r"\1R", h), n + 1) for h, n in heads]
    elif hangul:  # Hangul marks no long vowel: an R after any short one (아서 ARTHUR)
        heads += [(h[: m.end()] + "R" + h[m.end() :], n + 2) for m in _SHORT_VOWEL.finditer(raw)
                  for h, n in heads if h[: m.end()] == raw[: m.end()]]  # fmt: skip
    elif (m := _SHORT_VOWEL.search(raw, 1)) is not None:
        heads += [(h[: m.end()] + "R" + h[m.end() :], n + 2) for h, n in heads
                  if h[: m.end()] == raw[: m.end()]]  # fmt: skip
    if "CH" in raw:  # ㅊ and チ for TS (쿠즈네초프 KUZNETSOV)
        heads += [(h.replace("CH", "TS"), n + 1) for h, n in heads]
    if raw.endswith("S") and len(raw) > 3:
        heads += [(h[:-1] + "TH", n + 1) for h, n in heads]
    if "KS" in raw:
        heads += [(h.replace("KS", "X"), n + 1) for h, n in heads]
    elif "KX" in raw:  # 克谢 for the X of ALEXEI (阿列克谢)
        heads += [(h.replace("KX", "X"), n + 1) for h, n in heads]
    heads = _respelt(heads)
    found: dict[str, int] = {}
    for head, changes in heads:
        spellings = [("", changes)]
        for ch in head:
            choices = _FOREIGN_CHOICES.get(ch, ((ch, 0),))
            spellings = [(s + c, n + cost) for s, n in spellings for c, cost in choices]
            if len(spellings) > _FOREIGN_MAX:  # the cheapest (stable: as generated)
                spellings.sort(key=lambda sn: sn[1])
                del spellings[_FOREIGN_MAX:]
        for s, n in spellings:
            key = loose_key(s)
            if found.get(key, n + 1) > n:
                found[key] = n
    # stable: within a cost, as found (the reading's own key first)
    return tuple(sorted(found.items(), key=lambda kv: kv[1]))


@lru_cache(maxsize=16384)
def foreign_loose_keys(raw: str, hangul: bool = False) -> frozenset[str]:
    """The loose keys of foreign_loose_choices, for looking one up."""
    return frozenset(k for k, _ in foreign_loose_choices(raw, hangul))


_VOWEL_LETTERS = str.maketrans("", "", "AEIOUY")


def given_then_surname(tokens: list[Tok]) -> str:
    """The name run together as a scan looks it up (name_tokens.joined's first), in one
    pass."""
    surname: list[str] = []
    given: list[str] = []
    for t in tokens:
        m = t.mask
        if m & (m - 1) == 0:
            (surname if t.flags & SURNAME else given).append(t.raw)
    return "".join(given) + "".join(surname)


def joined_key(whole: str) -> str:
    """The blocking key of a name run together: its consonants (cheap: no rules)."""
    return whole.translate(_VOWEL_LETTERS) or whole


# --- blocking keys built from tokens ---------------------------------------------------
@lru_cache(maxsize=65536)  # every token of every form of a notice's names
def _prefixed_skeletons(raw: str) -> tuple[str, ...]:
    stripped = strip_prefix(raw)
    return skeletons(raw) if stripped == raw else (*skeletons(raw), *skeletons(stripped))


def pair_keys(tokens: list[Tok]) -> list[str]:
    """A notice's skeleton pairs: all its tokens (particles too: a scan may count DE as
    a name), its joined tokens (written joined, or two adjacent ones joined), those also
    without a particle (ALMASRI as MASRI), each with every other token they do not
    overlap."""
    items = [(t.mask, _prefixed_skeletons(t.raw)) for t in tokens]
    out: list[str] = []
    for i, (mask_a, keys_a) in enumerate(items):
        for mask_b, keys_b in items[i + 1 :]:
            if mask_a & mask_b:
                continue
            out += [f"{a}.{b}" if a <= b else f"{b}.{a}" for a in keys_a for b in keys_b]
    return list(dict.fromkeys(out))


_ELIDED = frozenset({"DELL", "DALL", "NELL", "SULL", "SANT", "QUELL"})  # DELL'ACQUA
# Heads of Arabic compound names (ABDEL RAHMAN is ABDULRAHMAN, ABOU BAKR ABUBAKR).
_COMPOUND_HEADS = frozenset({"ABDUL", "ABDEL", "ABDOUL", "ABDUR", "ABDAL", "ABDOL", "ABOU"})


@lru_cache(maxsize=65536)
def _joinable(a: str, b: str) -> bool:
    """Adjacent tokens a document may well print as one: a letter or syllable cut off by
    an apostrophe (O BRIEN, D ANGELO, GUS ENKO, DELL ACQUA), an Arabic compound (ABDEL
    RAHMAN), two Chinese syllables."""
    if min(len(a), len(b)) <= 3 or a in _ELIDED or a in _COMPOUND_HEADS:
        return True
    return single_syllable(a) and single_syllable(b)


def joined_pair_keys(tokens: list[Tok]) -> list[str]:
    """The scan's name with its joinable adjacent tokens joined (O BRIEN, XIAO MING as the
    notice may write them: OBRIEN, XIAOMING): each field's first unit, joined, paired
    with the other field's first token, joined or not."""
    merged: dict[int, Tok] = {}
    surname: list[Tok] = []  # each field's first two tokens
    given: list[Tok] = []
    keep_particles = len(tokens) < 4
    for t in tokens:  # one pass: this runs for every scan's name
        m, flags = t.mask, t.flags
        if m & (m - 1):
            merged[m] = t
        elif keep_particles or not flags & PARTICLE:
            head = surname if flags & SURNAME else given
            if len(head) < 2:
                head.append(t)
    if not given or not surname:
        return []
    firsts: list[tuple[str, str]] = []  # per field: (first token, first unit)
    for field in (surname, given):
        first = field[0]
        unit = first.raw
        if len(field) > 1 and _joinable(first.raw, field[1].raw):
            unit = merged.get(first.mask | field[1].mask, first).raw
        firsts.append((first.raw, unit))
    (a0, a1), (b0, b1) = firsts
    out: list[str] = []
    for x, y in ((a1, b0), (a0, b1), (a1, b1)):
        if (x, y) != (a0, b0):
            kx, ky = skeletons(x)[0], skeletons(y)[0]
            out.append(f"{kx}.{ky}" if kx <= ky else f"{ky}.{kx}")
    return list(dict.fromkeys(out))


def typo_keys(picks: list[Tok], notice: bool) -> list[str]:
    """One token's skeleton with the first or last two letters of another as written: a
    single typo spares one of them. A notice files its principal tokens (first and last
    surname token, first given name) with all their skeletons; a scan of two tokens
    looks up its own skeletons."""
    if notice:
        surname = [t for t in picks if t.flags & SURNAME]
        given = [t for t in picks if not t.flags & SURNAME]
        picks = list({id(t): t for t in (surname[:1] + surname[-1:] + given[:1])}.values())
        if len(picks) < 2:
            picks = picks + [t for t in given[1:2] if t not in picks]
    out: list[str] = []
    for a in picks:
        keys_a = skeletons(a.raw) if notice else skeletons(a.raw)[:1]
        for b in picks:
            if a is b:
                continue
            word = strip_prefix(b.raw)
            for ka in keys_a:
                out.append(f"{ka}.^{word[:2]}")
                out.append(f"{ka}.${word[-2:]}")
    return out


def initial_key(tokens: list[Tok]) -> str | None:
    """The first surname token's skeleton with the first given name's initial, which a
    scan of a surname and initials only (KHAMENEI, A.) looks up as a typo key."""
    surname = next((t for t in tokens if t.flags & SURNAME and not t.flags & PARTICLE), None)
    given = next((t for t in tokens if not t.flags & SURNAME and not t.flags & PARTICLE), None)
    if surname is None or given is None:
        return None
    return f"{skeletons(surname.raw)[0]}.^{given.raw[0]}"


__all__ = ["foreign_loose_choices", "foreign_loose_keys", "given_then_surname", "initial_key",
           "joined_key", "joined_pair_keys", "loose_key", "pair_keys", "typo_keys"]
