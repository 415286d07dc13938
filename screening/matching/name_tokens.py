"""A name as tokens: each base token of its fields, and adjacent ones joined, with what
scoring and keys need to know of each (``Tok``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from screening.matching.name_spelling import canon, consonants
from screening.matching.name_tables import COMMON, GROUPS_OF, PARTICLES
from screening.matching.readings import latin_tokens, readings

# Tok.flags
PARTICLE = 1  # an article or connector (AL, VAN, DE)
UNVOCALISED = 2  # an unvocalised spelling from Arabic script: compared on consonants
SURNAME = 4  # part of the surname (field 0)
VERY_COMMON = 8  # a very common name element (COMMON, GROUPS_OF)
FIELD_FULL = 16  # the last token of a full MRZ name field: it may be cut short
# A token of a folded spelling (translit.korean_fold): folding already took in what
# spellings differ by, so it pairs only with the same folded token.
FOLDED = 32
# A token of a scan from a Chinese-speaking state (readings.CONVENTIONS "zh"): it may be a
# Cantonese spelling of what the other side writes in pinyin (cantonese.same_characters).
HAN = 64
# ... of Hong Kong or Macau: its token is read as Cantonese even where it is pinyin too.
YUE = 256
# A token of a foreign name read back from Hangul or katakana (readings._Foreign): one
# letter there stands for R and L, B and V, and more (name_keys.foreign_loose_keys).
FOREIGN = 512
# ... read back from Hangul: its B may be a German W too (볼프강 WOLFGANG, 바그너 WAGNER), its
# short vowels an English R after them anywhere (앤더슨 ANDERSON, 아서 ARTHUR).
HANGUL = 1024
# A token of a Latin scan from a state whose names are mostly Arabic (readings "ar"): it
# also pairs with a token of the same consonants as Arabic letters stand for them
# (names._arabic_latin).
ARABIC = 128


class Tok(NamedTuple):
    """A token as scoring sees it. A notice's profile stores each as a JSON list of these
    six fields, in this order (decode_tokens reads them back)."""

    raw: str
    canon: str  # "" in tokens made for keys only
    consonants: str  # "" in tokens made for keys only
    weight: int  # its share of the name: its length, 1 for a particle
    mask: int  # the base tokens it covers, a bit each (a joined token covers two or three)
    flags: int  # PARTICLE, UNVOCALISED, SURNAME, VERY_COMMON, FIELD_FULL, FOLDED, HAN, ARABIC,
    # YUE, FOREIGN, HANGUL

    @property
    def base(self) -> bool:
        """One token of a field, not adjacent ones joined."""
        return self.mask & (self.mask - 1) == 0


# Tok._make without its Python-level call: every candidate whose names are compared
# decodes its profile's forms.
_new = tuple.__new__


def decode_tokens(encoded: Iterable[Sequence[Any]]) -> list[Tok]:
    """Tokens from a profile's JSON lists (notice_forms.notice_profile)."""
    return [_new(Tok, t) for t in encoded]


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
    weight = 1 if flags & PARTICLE else len(raw)
    if raw in COMMON or raw in GROUPS_OF:
        flags |= VERY_COMMON
    return Tok(raw, canon(raw), consonants(raw), weight, mask, flags)


@lru_cache(maxsize=131072)
def is_common(token: str) -> bool:
    """Whether a token is among the world's most frequent name elements: such a token
    says half as much about who someone is (see information)."""
    return token in COMMON or token in GROUPS_OF


def information(tokens: Sequence[Tok], mask: int = -1) -> float:
    """How much the significant base tokens covered by ``mask`` say about who someone is:
    1 per token, 1/2 for a very common one (MOHAMMED, MARIA, NGUYEN, THI)."""
    total = 0.0
    for t in tokens:  # a loop, not sum(genexpr): this runs for every scan's name
        m, flags = t.mask, t.flags
        if m & mask and not flags & PARTICLE and m & (m - 1) == 0:
            total += 0.5 if flags & VERY_COMMON else 1.0
    return total


@lru_cache(maxsize=131072)
def _tok_light(raw: str, mask: int, flags: int) -> Tok:
    """A token for blocking keys only, which never read its canon or consonants: a new
    name's joined tokens (MARIAJOSE) are new every time, and their regex chains cost."""
    weight = 1 if flags & PARTICLE else len(raw)
    if raw in COMMON or raw in GROUPS_OF:
        flags |= VERY_COMMON
    return Tok(raw, "", "", weight, mask, flags)


def name_tokens(fields: Sequence[Sequence[str]], consonantal: bool = False,
                keys_only: bool = False) -> list[Tok]:  # fmt: skip
    """Tokens of a name whose fields (surname, given names) are lists of raw tokens,
    plus adjacent pairs joined within a field (XIAO MING -> XIAOMING). ``keys_only``:
    without canon and consonants (empty), enough for blocking keys and information."""
    base: list[Tok] = []
    merged: list[Tok] = []
    bit = 0
    for n_field, field in enumerate(fields):
        field_base, field_merged = _field_tokens(tuple(field), bit, n_field == 0, consonantal,
                                                 keys_only)
        base += field_base
        merged += field_merged
        bit += len(field)
    return base + merged


@lru_cache(maxsize=32768)
def _field_tokens(field: tuple[str, ...], start: int, surname: bool, consonantal: bool,
                  keys_only: bool) -> tuple[tuple[Tok, ...], tuple[Tok, ...]]:  # fmt: skip
    """One field's base tokens (bits from ``start``) and its adjacent ones joined: a
    name's fields are tokenised apart, and a surname or given names recur far more often
    than a whole name (so the joined tokens of a new name are seldom new)."""
    make = _tok_light if keys_only else _tok_full
    # A joined pair (MARIAJOSE) recurs with its field: cached here, not in the token
    # caches, where it would push recurring tokens out.
    make_joined = _tok_light.__wrapped__ if keys_only else _tok_full
    base: list[Tok] = []
    merged: list[Tok] = []
    flag_c = UNVOCALISED if consonantal else 0
    flag_s = SURNAME if surname else 0
    # A field of particles only (the Vietnamese surname LE) is a name, not a particle.
    all_particles = PARTICLES.issuperset(field)
    for i, raw in enumerate(field):
        particle = PARTICLE if raw in PARTICLES and not all_particles else 0
        base.append(make(raw, 1 << (start + i), particle | flag_c | flag_s))
    for i in range(len(base) - 1):
        a, b = base[i], base[i + 1]
        merged.append(make_joined(a.raw + b.raw, a.mask | b.mask, flag_c))
    for i in range(len(base) - 2):  # VAN DER BERG, DE LA CRUZ written VANDERBERG;
        a, b, c = base[i], base[i + 1], base[i + 2]  # NUR AL DIN written NOUREDDINE
        if b.flags & PARTICLE and (a.flags & PARTICLE or not c.flags & PARTICLE):
            merged.append(make_joined(a.raw + b.raw + c.raw, a.mask | b.mask | c.mask, flag_c))
            if not a.flags & PARTICLE:  # the article assimilated (NOUREDDINE): NURDIN
                merged.append(make_joined(a.raw + c.raw, a.mask | b.mask | c.mask, flag_c))
    return tuple(base), tuple(merged)


def significant(tokens: list[Tok]) -> list[Tok]:
    """Base tokens that carry the name: particles only when little else is left."""
    base: list[Tok] = []
    core: list[Tok] = []
    for t in tokens:
        m = t.mask
        if m & (m - 1) == 0:
            base.append(t)
            if not t.flags & PARTICLE:
                core.append(t)
    return core if len(core) >= 2 else base


def joined(tokens: Sequence[Tok]) -> tuple[str, str]:
    """The name run together (VLADIMIRPUTIN): given names then surname, surname then
    given names; base tokens only."""
    surname = "".join(t.raw for t in tokens if t.flags & SURNAME and t.base)
    given = "".join(t.raw for t in tokens if not t.flags & SURNAME and t.base)
    return given + surname, surname + given


__all__ = ["ARABIC", "FIELD_FULL", "FOLDED", "FOREIGN", "HAN", "HANGUL", "PARTICLE", "SURNAME",
           "UNVOCALISED", "VERY_COMMON", "YUE", "Tok", "decode_tokens", "information",
           "is_common", "joined", "name_tokens", "significant", "split"]
