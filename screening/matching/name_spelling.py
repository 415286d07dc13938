"""The two spelling-insensitive forms of one name token.

* ``skeleton`` is the blocking key: coarse on purpose (consonant classes, vowels gone
  but for an initial one, which collapses to ``A``), so that Muhammad, Mohamed and MHMD,
  or Zhang, Chang and Cheung, share it. Keys pair two skeletons, which is what keeps
  candidates few.
* ``canon`` is for scoring: it keeps vowels and only folds what transliteration schemes
  really disagree on (IU/YU/JU, KH/H, OU/U, final IY/II/IJ, doubled letters, J/Y ...), so
  that Mahmoud and Muhammad stay apart while Yuriy and Iurii meet.
"""

from __future__ import annotations

import re
from functools import lru_cache

from screening.matching.name_tables import GROUPS_OF, PREFIXES
from screening.matching.translit import PINYIN_SINGLE_SYLLABLES

# --- canon: the scoring form ------------------------------------------------------------
# Each rule with what every match of it holds: a rule is applied only where the token
# holds it. A substitution's search costs about 4,000 instructions even where nothing
# matches, and a new token went through 33 of them for its canon and 23 for a skeleton
# (substitutions were 5 % of `screening screen`'s instructions); the test costs ~100.
_CANON_RULES = [
    (re.compile(p), r, needle)
    for p, r, needle in (
        # ABD's article, assimilated or not (ABDULRAHMAN, ABDERRAHMANE, ABDELKADER).
        (r"^ABD[AEIOU]?[LR](?=[^AEIOU])", "ABD", "ABD"),
        (r"SCHTSCH|SHTCH|CHTCH|SHCH", "SHCH", "CH"), (r"TSCH|TCH", "CH", "CH"),
        (r"SCH", "SH", "SCH"), (r"DZH|DJ", "J", "D"), (r"KH", "H", "KH"), (r"PH", "F", "PH"),
        (r"W", "V", "W"), (r"CK", "K", "CK"), (r"^HS(?=[IU])", "S", "HS"), (r"^X", "S", "X"),
        (r"TZ", "TS", "TZ"), (r"Q", "K", "Q"), (r"C(?=[AOU])", "K", "C"), (r"X", "KS", "X"),
        (r"OU", "U", "OU"), (r"OO", "U", "OO"), (r"EE", "I", "EE"), (r"EI", "EY", "EI"),
        (r"(?<=[AEIOU])Y(?=[AEIOU])", "Y", "Y"), (r"^I(?=[AEOU])", "Y", "I"),
        (r"^J", "Y", "J"), (r"(?<=[AEIOU])J", "Y", "J"), (r"J(?=[AEIOU])", "Y", "J"),
        (r"(?<=[AEIOU])I(?=[AEOU])", "Y", "I"),
    )
]  # fmt: skip
# Then a final IY, II, IJ, YI, YY or IE is I (searched where the token ends so, or holds
# a line break, before which $ matches too), the last rules, and doubled letters one
# (where a letter recurs).
_I_ENDINGS = ("IY", "II", "IJ", "YI", "YY", "IE")
_I_ENDING = re.compile(r"(?:IY|II|IJ|YI|YY|IE)$")
_CANON_LAST = [
    (re.compile(p), r, needle)
    for p, r, needle in ((r"(?<=[^AEIOUY])Y$", "I", "Y"), (r"(?<=[^AEIOU])Y(?=[^AEIOU])", "I", "Y"))
]  # fmt: skip


# PREFIXES by their first letter, in their order: a token is tried against its own letter's
_PREFIXES_BY_LETTER: dict[str, tuple[str, ...]] = {}
for _p in PREFIXES:
    _PREFIXES_BY_LETTER[_p[0]] = (*_PREFIXES_BY_LETTER.get(_p[0], ()), _p)


@lru_cache(maxsize=131072)
def strip_prefix(token: str) -> str:
    for prefix in _PREFIXES_BY_LETTER.get(token[:1], ()):
        if token.startswith(prefix) and len(token) - len(prefix) >= 4:
            return token[len(prefix) :]
    return token


@lru_cache(maxsize=131072)
def canon(token: str) -> str:
    """Scoring form: group representative, else the token with scheme differences folded."""
    t = GROUPS_OF.get(token, (token,))[0]
    for rx, repl, needle in _CANON_RULES:
        if needle in t:
            t = rx.sub(repl, t)
    if t.endswith(_I_ENDINGS) or "\n" in t:
        t = _I_ENDING.sub("I", t)
    for rx, repl, needle in _CANON_LAST:
        if needle in t:
            t = rx.sub(repl, t)
    if len(set(t)) < len(t):
        t = _DOUBLED.sub(r"\1", t)
    return t or token


_NO_VOWELS = str.maketrans("", "", "AEIOUY")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=131072)
def consonants(token: str) -> str:
    """Consonant skeleton of the canon: how an unvocalised (Arabic) spelling is compared."""
    c = canon(token).translate(_NO_VOWELS)
    if len(set(c)) < len(c):  # (a letter doubled needs one that recurs)
        c = _DOUBLED.sub(r"\1", c)
    return c or canon(token)


# --- skeleton: the blocking key -----------------------------------------------------------
# As _CANON_RULES, each with what its matches hold; the last rules, a letter for a letter,
# are one translation (_SKELETON_LETTERS: no letter they write is one a later rule reads).
_SKELETON_RULES = [
    (re.compile(p), r, needle)
    for p, r, needle in (
        # Wade-Giles HS (HSIAO, HSU) only: a consonantal HSN (Arabic HASAN) keeps its H.
        (r"^HS(?=[IU])", "S", "HS"), (r"^TS", "S", "TS"),
        (r"SCHTSCH|SHTCH|CHTCH|SHCH", "S", "CH"), (r"TSCH|TCH|TSH", "S", "T"),
        (r"SCH|SH|ZH|CH|DZH|DJ|DZ", "S", ""), (r"TS|TZ|CZ|SZ", "S", ""), (r"KH", "H", "KH"),
        (r"QI(?=[AEOUN])", "S", "QI"), (r"^X", "S", "X"), (r"X", "KS", "X"),
        (r"C(?=[EIY])", "S", "C"), (r"PH", "F", "PH"), (r"GH", "G", "GH"), (r"TH", "T", "TH"),
        (r"DH", "D", "DH"), (r"NG", "N", "NG"), (r"CK", "K", "CK"),
    )
]  # fmt: skip
# [CQGK] K, [JZ] S, [BP] P, [DT] T, [FVW] F, H dropped: in this order, as rules each.
_SKELETON_LETTERS = str.maketrans({"C": "K", "Q": "K", "G": "K", "J": "S", "Z": "S", "B": "P",
                                   "D": "T", "V": "F", "W": "F", "H": None})
_VOWELS = frozenset("AEIOUY")


@lru_cache(maxsize=65536)
def skeleton(t: str) -> str:
    """The blocking key of one spelling (see skeletons for a token's)."""
    return skeleton_of(t)


def skeleton_of(t: str) -> str:
    """skeleton, uncached: for callers that cache their own results."""
    if not t:
        return "A"
    for rx, repl, needle in _SKELETON_RULES:
        if needle in t:
            t = rx.sub(repl, t)
    t = t.translate(_SKELETON_LETTERS)
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
        out.append(skeleton_of(t))
        if "J" in t:
            out.append(skeleton_of(t.replace("J", "Y")))
        if "W" in t:
            out.append(skeleton_of(t.replace("W", "U")))
            if "J" in t:
                out.append(skeleton_of(t.replace("J", "Y").replace("W", "U")))
    return tuple(dict.fromkeys(out))


def single_syllable(token: str) -> bool:
    """Whether a token is one pinyin syllable (XIAO, MING): two of them may be one name."""
    return token.upper() in PINYIN_SINGLE_SYLLABLES


__all__ = ["canon", "consonants", "single_syllable", "skeleton", "skeleton_of", "skeletons",
           "strip_prefix"]
