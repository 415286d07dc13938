"""Byte packings the compact layouts share (smv/body.py, notices/layout.py).

Packed bytes never hold NUL (the batch scripts split their arguments on it), RS (the
entries of one field are joined by it) or US (an entry's id ends at the first): numbers
are written as base-224 digits, bytes 0x20-0xFF; a value that needs a length says it
in a byte 0x20 + length (text); a value from a code table is one byte 0x80-0xFF (a lone
byte 0x80-0xFF never starts UTF-8 text, so a code is never read as a value).

Code tables are part of the layouts that use them: they may only grow at their end (a
code read back must name what it named when it was written); anything else is a new
layout, with new table names.
"""

from __future__ import annotations

BASE = 224  # digits as bytes 0x20-0xFF
CODE = 0x80


_PAIR = BASE * BASE
_PAIRS = [bytes((0x20 + i // BASE, 0x20 + i % BASE)) for i in range(_PAIR)]


def digits(n: int, width: int) -> bytes:
    """n (0 <= n < 224**width) as `width` base-224 digits, most significant first (two
    at a time: bulk loads pack every id, VIN and date so)."""
    out = []
    for _ in range(width >> 1):
        n, r = divmod(n, _PAIR)
        out.append(_PAIRS[r])
    if width & 1:
        out.append(bytes((0x20 + n % BASE,)))
    return b"".join(reversed(out))


def number(raw: bytes) -> int:
    n = 0
    for b in raw:
        n = n * BASE + b - 0x20
    return n


def code_table(names: tuple[str, ...]) -> tuple[dict[str, bytes], dict[int, str]]:
    """(value -> its code byte, code byte -> its value) of a code table."""
    if len(names) > 0x80 or len(set(names)) != len(names):
        raise ValueError("a code table holds at most 128 distinct values")
    enc = {n: bytes((CODE + i,)) for i, n in enumerate(names)}
    return enc, {CODE + i: n for i, n in enumerate(names)}


# Texts: a byte 0x20 + their length (under LONG), else LONG and the length in two digits.
LONG = 0x7E
_SHORT_MOST = LONG - 0x20 - 1


def text(value: bytes) -> bytes:
    """A length-prefixed text (read back by read_text)."""
    n = len(value)
    if n <= _SHORT_MOST:
        return bytes((0x20 + n,)) + value
    return bytes((LONG,)) + digits(n, 2) + value


def read_text(raw: bytes, pos: int) -> tuple[bytes, int]:
    """The text at `pos` (its length byte) and the position after it."""
    head = raw[pos]
    if head == LONG:
        n = number(raw[pos + 1:pos + 3])
        pos += 3
    else:
        n = head - 0x20
        pos += 1
    return raw[pos:pos + n], pos + n


def coded(value: str, table: dict[str, bytes]) -> bytes:
    """A value as its code byte, else as a length-prefixed text (read_coded)."""
    return table.get(value) or text(value.encode())


def read_coded(raw: bytes, pos: int, table: dict[int, str]) -> tuple[str, int]:
    if raw[pos] >= CODE:
        return table[raw[pos]], pos + 1
    value, pos = read_text(raw, pos)
    return value.decode(), pos


# Ids and plates of digits, capital letters, spaces and hyphens (most of them) in base
# 224 behind a byte 0x80 + their length (under 64): packed_width says how many digits.
_TEXT_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -"
_TEXT_INDEX = {c: i for i, c in enumerate(_TEXT_CHARS)}
_TEXT_SET = frozenset(_TEXT_CHARS)
_TEXT_PAIRS = {a + b: 38 * i + j
               for i, a in enumerate(_TEXT_CHARS) for j, b in enumerate(_TEXT_CHARS)}
_TEXT_WIDTH = [0]
while len(_TEXT_WIDTH) < 64:  # base-224 digits that hold any text of that length
    _n, _w = len(_TEXT_CHARS) ** len(_TEXT_WIDTH), 0
    while BASE ** _w < _n:
        _w += 1
    _TEXT_WIDTH.append(_w)


def packable(value: str) -> bool:
    return 0 < len(value) < 64 and _TEXT_SET.issuperset(value)


def pack_text(value: str) -> bytes:
    """An id or a plate packed when its characters allow (packable), else its UTF-8."""
    if not packable(value):
        return value.encode()
    n, size = 0, len(value)
    for i in range(size & 1, size, 2):  # two characters at a time
        n = n * 1444 + _TEXT_PAIRS[value[i:i + 2]]
    if size & 1:
        n += _TEXT_INDEX[value[0]] * 1444 ** (size >> 1)
    return bytes((0x80 + size,)) + digits(n, _TEXT_WIDTH[size])


def packed_size(head: int) -> int:
    """The bytes of a packed text, from its first byte (0x80 + its length)."""
    return 1 + _TEXT_WIDTH[head - 0x80]


# The pairs of _TEXT_PAIRS by their number: a text is unpacked two characters at a time,
# as pack_text packs it (every candidate's id is unpacked: a fifth of its reading).
_PAIR_TEXT = [a + b for a in _TEXT_CHARS for b in _TEXT_CHARS]


def unpack_text(raw: bytes) -> str:
    if not raw or not 0x80 <= raw[0] < 0xC0:
        return raw.decode()
    n, out = number(raw[1:]), []
    size = raw[0] - 0x80
    for _ in range(size >> 1):
        n, r = divmod(n, 1444)
        out.append(_PAIR_TEXT[r])
    if size & 1:
        out.append(_TEXT_CHARS[n % 38])
    return "".join(reversed(out))


# Countries (of plates, of nationalities) as one byte: the codes the lists use most,
# ISO 3166 alpha-3 as the contract writes them ("D" is Germany: matching/normalize.py).
COUNTRIES = (
    "D", "FRA", "ITA", "GBR", "ESP", "POL", "NLD", "BEL", "UKR", "RUS", "CZE", "TUR", "AUT",
    "CHE", "USA", "PRT", "SWE", "NOR", "DNK", "FIN", "IRL", "LUX", "GRC", "ROU", "BGR",
    "HUN", "SVK", "SVN", "HRV", "SRB", "BIH", "MNE", "MKD", "ALB", "RKS", "MDA", "BLR",
    "LTU", "LVA", "EST", "ISL", "MLT", "CYP", "GEO", "ARM", "AZE", "KAZ", "UZB", "KGZ",
    "ARG", "CHL", "IND", "PAK", "BGD", "LKA", "NPL", "AFG", "IRN", "IRQ", "SYR", "LBN",
    "JOR", "ISR", "PSE", "SAU", "ARE", "QAT", "KWT", "BHR", "OMN", "YEM", "EGY", "LBY",
    "TUN", "DZA", "MAR", "SDN", "ETH", "PRY", "SOM", "KEN", "UGA", "TZA", "NGA", "GHA",
    "CIV", "SEN", "MLI", "NER", "BEN", "TGO", "CMR", "COD", "COG", "AGO", "ZAF", "ZWE",
    "CHN", "HKG", "TWN", "JPN", "KOR", "URY", "VNM", "THA", "MYS", "SGP", "IDN", "PHL",
    "MNG", "AUS", "NZL", "CAN", "MEX", "GTM", "HND", "SLV", "NIC", "CRI", "PAN", "CUB",
    "DOM", "BOL", "COL", "VEN", "ECU", "PER", "BRA",
)
COUNTRY, COUNTRY_OF = code_table(COUNTRIES)
