"""Shapes of codes (document numbers, plates) and where mock values may fall in them.

A shape is a compact pattern ("99AA99999" for a French passport) compiled into slots
of a mixed-radix number, so index `i` of the shape renders to one code. Watchlist
generators walk the indexes through a keyed bijection: codes come out looking random
yet never repeat, whatever the count, in bounded memory.

Every code also belongs to one *region*, a hash of its confusable-folded form. The
watchlists take their codes from some regions and ordinary travellers and vehicles from
others, so an ordinary scan can never share a document number or a plate with a listed
one, not even through the reader confusions (0/O, 8/B...) the matcher forgives.

Pattern syntax: `A` a letter, `9` a digit, `X` a letter or digit, `[C-HJ]` a class,
`{B|M|HH}` alternatives, `<1-9999>` a number (zero padded when written `<01-81>`),
`\\c` the literal c; anything else is literal.
"""

from __future__ import annotations

import string
import zlib
from functools import cache
from itertools import product
from random import Random

# Regions of document numbers and plates (hash of the folded code, modulo 8).
LISTED = frozenset(range(6))  # SLTD numbers, stolen vehicles' plates
NOTICE = frozenset({6})  # documents associated with notices
ORDINARY = frozenset({7})  # ordinary travellers' documents
ORDINARY_PLATES = frozenset({6, 7})  # ordinary vehicles (no notice region for plates)

# Coarser than any confusion the matcher forgives, so forgiven reads stay in a region.
_FOLD = str.maketrans("OQDIJLZSBGT", "00011125867", " -./")
_CLASSES = {
    "A": string.ascii_uppercase,
    "9": string.digits,
    "X": string.digits + string.ascii_uppercase,
}
_MERGE_LIMIT = 1 << 15  # largest precomputed table of a merged run of letter slots
_MULT = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def region(code: str) -> int:
    """The region of a code: separators and case ignored, confusables folded."""
    return zlib.crc32(code.upper().translate(_FOLD).encode()) & 7


class _Number:
    """Slot of integers lo..hi, rendered in decimal (zero padded to `width`)."""

    __slots__ = ("lo", "n", "spec")

    def __init__(self, lo: int, hi: int, width: int = 0) -> None:
        self.lo, self.n, self.spec = lo, hi - lo + 1, f"0{width}d" if width else "d"

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> str:
        return format(self.lo + i, self.spec)


Slot = str | tuple[str, ...] | _Number


def _class(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            out += [chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1)]
            i += 3
        else:
            out.append(body[i])
            i += 1
    return "".join(dict.fromkeys(out))


def _parse(pattern: str) -> list[Slot]:
    slots: list[Slot] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch in _CLASSES:
            slots.append(_CLASSES[ch])
        elif ch in "[{<":
            end = pattern.index({"[": "]", "{": "}", "<": ">"}[ch], i)
            body = pattern[i + 1 : end]
            if ch == "[":
                slots.append(_class(body))
            elif ch == "{":
                slots.append(tuple(body.split("|")))
            else:
                lo, hi = body.split("-")
                slots.append(_Number(int(lo), int(hi), len(lo) if lo.startswith("0") else 0))
            i = end
        elif ch == "\\":
            i += 1
            slots.append((pattern[i],))
        else:
            slots.append((ch,))
        i += 1
    return slots


def _merge(slots: list[Slot]) -> list[Slot]:
    """Digit runs become one number slot, letter runs one table, literals one string."""
    out: list[Slot] = []
    kinds: list[str] = []
    for slot in slots:
        last = kinds[-1] if kinds else ""
        if isinstance(slot, tuple) and len(slot) == 1:
            kind = "literal"
        elif slot == string.digits:
            kind = "digits"
        else:
            kind = "letters" if isinstance(slot, str) else "other"
        if kind == last == "literal":
            out[-1] = (out[-1][0] + slot[0],)
        elif kind == last == "digits":
            width = int(out[-1].spec[1:-1]) + 1  # type: ignore[union-attr]
            out[-1] = _Number(0, 10**width - 1, width)
        elif kind == last == "letters" and len(out[-1]) * len(slot) <= _MERGE_LIMIT:
            prev = out[-1]
            assert isinstance(prev, str | tuple) and isinstance(slot, str)
            out[-1] = tuple("".join(p) for p in product(prev, slot))
        else:
            out.append(_Number(0, 9, 1) if kind == "digits" else slot)
            kinds.append(kind)
    return out


def _factor(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return [*out, n] if n > 1 else out


class Shape:
    """One code pattern, its size, and a keyed bijection over its indexes."""

    __slots__ = ("_keys", "_rev", "a", "b", "pattern", "size")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        slots = _merge(_parse(pattern))
        self._rev = [(len(s), s) for s in reversed(slots)]
        self.size = 1
        factors: list[int] = []
        for s in slots:
            self.size *= len(s)
            factors += _factor(len(s)) if len(s) > 1 else []
        # Split size = a * b as evenly as the factors allow, for a balanced Feistel.
        self.a = self.b = 1
        for f in sorted(factors, reverse=True):
            if self.a <= self.b:
                self.a *= f
            else:
                self.b *= f
        seed = zlib.crc32(pattern.encode())
        self._keys = [(seed * (k + 1) * _MULT) & _MASK for k in range(6)]

    def render(self, i: int) -> str:
        parts = []
        for n, table in self._rev:
            if n == 1:
                parts.append(table[0])
            else:
                i, r = divmod(i, n)
                parts.append(table[r])
        return "".join(reversed(parts))

    def permute(self, i: int) -> int:
        """A bijection of range(size) that scatters neighbours (three Feistel rounds)."""
        a, b, k = self.a, self.b, self._keys
        left, right = divmod(i, b)
        for j in (0, 2, 4):
            left = (left + (((right ^ k[j]) * _MULT & _MASK) >> 20)) % a
            right = (right + (((left ^ k[j + 1]) * _MULT & _MASK) >> 20)) % b
        return left * b + right


@cache
def shape(pattern: str) -> Shape:
    return Shape(pattern)


class CodeSource:
    """Codes of given shapes and regions: unique per (shape, region set) when taken in
    sequence, or drawn at random."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._next: dict[tuple[str, frozenset[int]], int] = {}

    def take(self, sh: Shape, regions: frozenset[int]) -> str:
        key = (sh.pattern, regions)
        i = self._next.get(key)
        if i is None:
            i = self._rng.randrange(sh.size)
        size = sh.size
        while True:
            code = sh.render(sh.permute(i % size))
            i += 1
            if region(code) in regions:
                self._next[key] = i
                return code

    def draw(self, sh: Shape, regions: frozenset[int], rng: Random | None = None) -> str:
        rng = rng or self._rng
        while True:
            code = sh.render(rng.randrange(sh.size))
            if region(code) in regions:
                return code
