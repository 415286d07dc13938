"""Blocking keys built from a name's tokens (names.Tok): skeleton pairs, typo keys,
joined tokens, the whole name run together, loose consonant keys. Keys are coarse on
purpose; scoring (names.compare) decides."""

from __future__ import annotations

import re
from functools import lru_cache

from screening.matching.names import Tok, single_syllable, skeletons, strip_prefix

_LOOSE_KEY_RULES = [(re.compile(p), r) for p, r in (
    (r"G(?=[EI])", "J"), (r"[AEIOUYHW]", ""), (r"[CQKG]", "K"), (r"[PFBV]", "B"), (r"[SZX]", "S"),
    (r"D", "T"), (r"(.)\1+", r"\1"),
)]  # fmt: skip


@lru_cache(maxsize=65536)
def loose_key(raw: str) -> str:
    """The blocking key of a token of an unvocalised script (see _loose): consonants
    only, each class one letter (B, P, F and V one), H and W (often vowels, or silent)
    gone."""
    for rx, repl in _LOOSE_KEY_RULES:
        raw = rx.sub(repl, raw)
    return raw or "_"


_VOWEL_LETTERS = str.maketrans("", "", "AEIOUY")


def given_then_surname(tokens: list[Tok]) -> str:
    """The name run together as a scan looks it up (names.joined's first), in one pass."""
    surname: list[str] = []
    given: list[str] = []
    for t in tokens:
        m = t[4]
        if m & (m - 1) == 0:
            (surname if t[5] & 4 else given).append(t[0])
    return "".join(given) + "".join(surname)


def joined_key(whole: str) -> str:
    """The blocking key of a name run together: its consonants (cheap: no rules)."""
    return whole.translate(_VOWEL_LETTERS) or whole


# --- blocking keys built from tokens ---------------------------------------------------
def _prefixed_skeletons(raw: str) -> tuple[str, ...]:
    stripped = strip_prefix(raw)
    return skeletons(raw) if stripped == raw else (*skeletons(raw), *skeletons(stripped))


def pair_keys(tokens: list[Tok]) -> list[str]:
    """A notice's skeleton pairs: all its tokens (particles too: a scan may count DE as
    a name), its joined tokens (written joined, or two adjacent ones joined), those also
    without a particle (ALMASRI as MASRI), each with every other token they do not
    overlap."""
    items = [(t[4], _prefixed_skeletons(t[0])) for t in tokens]
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
    heads: tuple[list[Tok], list[Tok]] = ([], [])  # given names, surname: first two tokens
    keep_particles = len(tokens) < 4
    for t in tokens:  # one pass: this runs for every scan's name
        m = t[4]
        if m & (m - 1):
            merged[m] = t
        elif keep_particles or not t[5] & 1:
            head = heads[1 if t[5] & 4 else 0]
            if len(head) < 2:
                head.append(t)
    if not heads[0] or not heads[1]:
        return []
    firsts: list[tuple[str, str]] = []  # per field: (first token, first unit)
    for toks in (heads[1], heads[0]):
        unit = toks[0][0]
        if len(toks) > 1 and _joinable(toks[0][0], toks[1][0]):
            unit = merged.get(toks[0][4] | toks[1][4], toks[0])[0]
        firsts.append((toks[0][0], unit))
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
        surname = [t for t in picks if t[5] & 4]
        given = [t for t in picks if not t[5] & 4]
        picks = list({id(t): t for t in (surname[:1] + surname[-1:] + given[:1])}.values())
        if len(picks) < 2:
            picks = picks + [t for t in given[1:2] if t not in picks]
    out: list[str] = []
    for a in picks:
        keys_a = skeletons(a[0]) if notice else skeletons(a[0])[:1]
        for b in picks:
            if a is b:
                continue
            word = strip_prefix(b[0])
            for ka in keys_a:
                out.append(f"{ka}.^{word[:2]}")
                out.append(f"{ka}.${word[-2:]}")
    return out


__all__ = ["given_then_surname", "joined_key", "joined_pair_keys", "loose_key", "pair_keys",
           "typo_keys"]
