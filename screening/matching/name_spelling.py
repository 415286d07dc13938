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
    return skeleton_of(t)


def skeleton_of(t: str) -> str:
    """skeleton, uncached: for callers that cache their own results."""
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
