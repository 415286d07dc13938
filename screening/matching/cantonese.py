"""Chinese names in Cantonese romanisation (Hong Kong and Macau documents, the diaspora)
against the pinyin of the same characters: CHAN TAI MAN is CHEN DAMIN, WONG is WANG or
HUANG, KIN HUNG is JIAN HONG.

Without the characters the two spellings cannot be turned into one another: one
Cantonese syllable stands for several pinyin ones and the other way round. What can be
said is whether some common character reads as both, syllable by syllable. The readings
come from libraries, not tables of our own: the Hong Kong government's romanisation, Yale
and Jyutping of each character from ``cantoroman`` (the package cantonese-romanisation,
which carries the government's character list), pinyin from ``pypinyin``. "Common" is
Big5's level-1 block (the 5,401 frequently used characters of Taiwan's standard, read by
Python's own codec), so that a rare character's reading does not join two syllables
that no name would join.

What the libraries say is kept in ``cantonese_table.py``, written by ``python -m
screening.matching.cantonese`` and compared with them by a unit test: reading them costs
a third of a second (pypinyin's import 0.17 s, the 5,401 characters 0.17 s), which every
`screening screen` paid at its first Chinese name (5 % of 30,000 scans' CPU time).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path

from screening.matching.translit import chinese_respellings, pinyin_syllables

_MAX_SYLLABLES = 3  # a Chinese given name has one or two; a joined name three at most


def _big5_level1() -> list[str]:
    """Big5's frequently used characters (0xA440-0xC67E), in the standard's order."""
    out = []
    for hi in range(0xA4, 0xC7):
        for lo in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (hi, lo) > (0xC6, 0x7E):
                break
            out.append(bytes((hi, lo)).decode("big5"))
    return out


def build_table() -> dict[str, frozenset[str]]:
    """Pinyin syllable -> the Cantonese spellings (government, Yale, Jyutping; tones
    dropped) of the common characters it reads, from the libraries."""
    from cantoroman import Cantonese
    from pypinyin import Style, pinyin

    readings = Cantonese()
    table: dict[str, set[str]] = {}
    for ch in _big5_level1():
        spellings = {s.rstrip("0123456789").upper()
                     for source in (readings.charToRoman, readings.charToYale, readings.charToLshk)
                     for s in source.get(ch, ())}  # fmt: skip
        spellings.discard("")
        if not spellings:
            continue
        py = pinyin(ch, style=Style.NORMAL, heteronym=False, errors="ignore")
        for syllable in (p.upper().replace("Ü", "V") for group in py for p in group):
            if syllable.isalpha():
                table.setdefault(syllable, set()).update(spellings)
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """``build_table()`` as written to cantonese_table.py; and every spelling in it."""
    from screening.matching.cantonese_table import SPELLINGS

    table = {syllable: frozenset(spellings.split()) for syllable, spellings in SPELLINGS.items()}
    return table, frozenset(s for spellings in table.values() for s in spellings)


def write_table(path: Path) -> None:
    """Write ``build_table()`` as the module ``_table`` reads (one syllable a line, its
    spellings sorted, wrapped to the line length)."""
    from importlib.metadata import version

    libraries = f"pypinyin {version('pypinyin')}, cantonese-romanisation " \
        f"{version('cantonese-romanisation')}"  # fmt: skip
    lines = ['"""Pinyin syllable -> the Cantonese spellings of the common characters it reads',
             f"({libraries}).",
             "", "Written by `python -m screening.matching.cantonese`: do not edit",
             '(tests/unit/matching/test_world_spellings.py compares it with the libraries)."""',
             "", "# fmt: off", "SPELLINGS: dict[str, str] = {"]  # fmt: skip
    for syllable, spellings in sorted(build_table().items()):
        chunks = textwrap.wrap(" ".join(sorted(spellings)), 80, break_on_hyphens=False)
        if len(chunks) == 1:
            lines.append(f'    "{syllable}": "{chunks[0]}",')
            continue
        last = len(chunks) - 1
        lines += [f'    "{syllable}": (',
                  *(f'        "{c}{" " if i < last else ""}"' for i, c in enumerate(chunks)),
                  "    ),"]  # fmt: skip
    lines += ["}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@lru_cache(maxsize=1)
def _wade_giles() -> frozenset[str]:
    """The common characters' pinyin syllables as Wade-Giles writes them (YONG, YUNG;
    XIONG, HSIUNG)."""
    return frozenset(chinese_respellings([s])[1] for s in _table()[0] if pinyin_syllables(s))


@lru_cache(maxsize=16384)
def is_wade_giles(token: str) -> bool:
    """Whether a token is a run of Wade-Giles syllables (HSIAOMING, YUNG)."""
    syllables = _wade_giles()
    return not token or any(token[:i] in syllables and is_wade_giles(token[i:])
                            for i in range(min(len(token), 6), 0, -1))  # fmt: skip


def _reads_as(syllables: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` is a Cantonese spelling of the pinyin ``syllables`` in order."""
    table = _table()[0]
    if not syllables:
        return not text
    for spelling in table.get(syllables[0], ()):
        if text.startswith(spelling) and _reads_as(syllables[1:], text[len(spelling) :]):
            return True
    return False


@lru_cache(maxsize=65536)
def same_characters(x: str, y: str, cantonese_document: bool = False) -> bool:
    """Whether two different Latin tokens may spell the same Chinese characters, one in
    pinyin and the other in a Cantonese romanisation (KINHUNG, JIANHONG; TAK, DE). A
    Cantonese spelling that is also pinyin or Wade-Giles is read so only on a
    ``cantonese_document`` (Hong Kong, Macau: CHI WAI, ZHI WEI): elsewhere the two are
    two names in the romanisations of the mainland and Taiwan."""
    if x == y:
        return True
    x_syllables, y_syllables = pinyin_syllables(x), pinyin_syllables(y)
    if not cantonese_document and ((x_syllables and (y_syllables or is_wade_giles(y)))
                                   or (y_syllables and is_wade_giles(x))):  # fmt: skip
        return False  # two pinyin names (WEI, YONG), or pinyin and Wade-Giles (YUNG)
    for syllables, other in ((x_syllables, y), (y_syllables, x)):
        if syllables and len(syllables) <= _MAX_SYLLABLES and _reads_as(syllables, other):
            return True
    return False


__all__ = ["build_table", "is_wade_giles", "same_characters", "write_table"]

if __name__ == "__main__":
    write_table(Path(__file__).with_name("cantonese_table.py"))
