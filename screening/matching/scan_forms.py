"""A scan's name as scoring and keys see it: the readings of its surname and given names
(readings.readings) paired into forms, each a list of tokens (name_tokens.Tok). Cached per
name: a name recurs far more often than a whole query."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from screening.matching.arabic_compounds import compounds
from screening.matching.cyrillic_schemes import scheme_of
from screening.matching.name_tokens import (
    ARABIC,
    FIELD_FULL,
    FOLDED,
    FOREIGN,
    HAN,
    HANGUL,
    SURNAME,
    UNVOCALISED,
    YUE,
    Tok,
    information,
    name_tokens,
    significant,
)
from screening.matching.readings import (
    COMPOUND_SURNAMES,
    CONVENTIONS,
    FOREIGN_NAME,
    PERSIAN_LETTERS,
    Reading,
    korean_surname,
    latin_tokens,
    marked_convention,
    readings,
    script_of,
    vocalised,
)


def principal(tokens: list[Tok]) -> list[Tok]:
    """Significant base tokens, first surname token and first given name first: the
    order in which a scan's tokens are worth pairing."""
    sig = significant(tokens)
    first_given = next((t for t in sig if not t.flags & SURNAME), None)
    if first_given is None or first_given is sig[0] or len(sig) < 3:
        return sig
    rest = [t for t in sig[1:] if t is not first_given]
    return [sig[0], first_given, *rest]


# Given names written as a run of initials without a vowel (JC for JEAN-CLAUDE, MD for
# MUHAMMAD as Bangladeshi documents abbreviate it): read as one initial a letter.
_RUN_OF_INITIALS = re.compile(r"[B-DF-HJ-NP-TV-XZ]{2,3}")


@lru_cache(maxsize=65536)  # given names recur far more often than whole names
def _initials(tokens: tuple[str, ...]) -> tuple[str, ...]:
    # (a run is two or three letters: no longer token is searched)
    if not any(len(t) <= 3 and _RUN_OF_INITIALS.fullmatch(t) for t in tokens):
        return tokens
    return tuple(c for t in tokens for c in (t if _RUN_OF_INITIALS.fullmatch(t) else (t,)))


class Form(NamedTuple):
    """One Latin reading of a scan's name, as tokens."""

    tokens: list[Tok]
    plain: bool  # the name as written, not a reading of another script or convention




def _one_field(surname: str | None, given_names: str | None) -> tuple[str | None, str | None]:
    """A Chinese or Korean name written whole in one field (习近平, 김정은, 김 정은), split
    as those names are written: the surname first, one character (two for a compound
    surname) or up to the first space; a foreign name with its middle dot at the dot;
    any other name as it came."""
    if bool(surname) == bool(given_names):
        return surname, given_names
    text = (surname or given_names or "").strip()
    if text.isascii() or script_of(text) not in ("Hani", "Hang", "Kana"):
        return surname, given_names
    dot = next((d for d in "·・•" if d in text), None)
    if dot is not None:  # a foreign name, given names first (贝拉克·奥巴马, バラク・オバマ)
        given, _, last = text.rpartition(dot)
        return (last.strip(), given.replace(dot, " ").strip()) if given.strip() \
            else (surname, given_names)  # fmt: skip
    if script_of(text) == "Kana":
        return surname, given_names
    head, _, rest = text.partition(" ")
    words = text.split()
    if len(words) == 2 and korean_surname(words[1]) and not korean_surname(words[0]):
        head, rest = words[1], words[0]  # given name first, as abroad (정은 김)
    if not rest:
        cut = 2 if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else 1
        head, rest = text[:cut], text[cut:]
    return (head, rest.strip()) if rest.strip() else (surname, given_names)


def _forms(surname: str | None, given_names: str | None, convention: str,
           keys_only: bool) -> tuple[Form, ...]:  # fmt: skip
    """Readings of surname and given names paired in order (readings.readings), as
    tokens: a Latin name has one (two with a state's romanisation)."""
    ascii_only = (surname or "").isascii() and (given_names or "").isascii()
    if convention == "ar":  # read as written (name_forms flags its tokens)
        convention = ""
    if convention == "cy":  # a Cyrillic name in Latin: German or French, by its marks
        convention = scheme_of(surname, given_names) if ascii_only else ""
    elif convention == "be":  # Belarus's: German by its marks, else Belarusian (whose U
        # after a vowel, Ў, makes the OU taken for a French mark: PIATROU)
        convention = ("de" if scheme_of(surname, given_names) == "de" else "be") \
            if ascii_only else ""  # fmt: skip
    elif convention == "uk":  # Ukraine's: German or French by its marks, else Ukrainian
        convention = (scheme_of(surname, given_names) or "uk") if ascii_only else ""
    if not ascii_only:
        surname, given_names = _one_field(surname, given_names)
    if ascii_only and not convention:  # a state's rendering its marks show, if any
        convention = marked_convention(surname, given_names)
        if keys_only and convention in _SCORING_ONLY:
            convention = ""  # (as name_forms_for_keys does with a nationality's)
    if ascii_only and not convention:  # the common case: Latin letters read one way
        s_tokens = latin_tokens(surname) if surname else ()
        g_tokens = latin_tokens(given_names) if given_names else ()
        if not compounds(s_tokens, True) and not compounds(g_tokens):  # (an Arabic
            # name's compounds are read in one spelling too: readings.readings)
            return _plain_form(s_tokens, _initials(g_tokens) if g_tokens else (), keys_only)
    if not convention and PERSIAN_LETTERS.intersection((surname or "") + (given_names or "")):
        convention = "fa"  # both parts read as Persian
    s_r = readings(surname, convention, True)
    if any(r.foreign for r in s_r):  # a foreign surname's given names are foreign too
        convention = FOREIGN_NAME
    g_r = tuple(r if r.consonantal else r._replace(tokens=_initials(r.tokens))
                for r in readings(given_names, convention))  # fmt: skip
    if len(s_r) <= 1 and len(g_r) <= 1 and not (s_r and s_r[0].consonantal) \
            and not (g_r and g_r[0].consonantal):  # fmt: skip
        return _one_form(s_r[0] if s_r else None, g_r[0] if g_r else None, keys_only)
    out: list[Form] = []
    # Readings paired in order, and each with the first of the other part (the
    # surname's commonest spelling with every reading of the given names: KIM with
    # JEONG EUN and with JONG UN).
    n = max(len(s_r), len(g_r))
    combos = [(min(i, len(s_r) - 1), min(i, len(g_r) - 1)) for i in range(n)]
    combos += [(0, j) for j in range(1, len(g_r))] + [(i, 0) for i in range(1, len(s_r))]
    # a foreign name read back: each part's R-and-L readings with the other's (TRAMP with
    # DONALD as with DONARD)
    combos += [(i, j) for i, s_read in enumerate(s_r) if s_read.foreign
               for j, g_read in enumerate(g_r) if g_read.foreign]  # fmt: skip
    combos = list(dict.fromkeys(combos))
    for i, j in combos:
        s = s_r[i] if s_r else None
        g = g_r[j] if g_r else None
        consonantal = bool((s and s.consonantal) or (g and g.consonantal))
        tokens = name_tokens((s.tokens if s else (), g.tokens if g else ()),
                             consonantal, keys_only)  # fmt: skip
        if consonantal:  # dictionary spellings are vocalised after all
            tokens = [t._replace(flags=t.flags & ~UNVOCALISED) if vocalised(t.raw) else t
                      for t in tokens]  # fmt: skip
        if (s and s.folded) or (g and g.folded):
            tokens = [t._replace(flags=t.flags | FOLDED) for t in tokens]
        if (s and s.foreign) or (g and g.foreign):  # each part as it was read
            tokens = [t._replace(flags=t.flags | FOREIGN | (HANGUL if part.hangul else 0))
                      if (part := s if t.flags & SURNAME else g) and part.foreign else t
                      for t in tokens]  # fmt: skip
        if tokens:
            if _cut_short(s.tokens if s else (), g.tokens if g else ()):
                _mark_cut_short(tokens)
            out.append(Form(tokens, (s is None or s.plain) and (g is None or g.plain)))
    return tuple(out)


def _one_form(s: Reading | None, g: Reading | None, keys_only: bool) -> tuple[Form, ...]:
    """One reading of each part: no pairing."""
    forms = _plain_form(s.tokens if s else (), g.tokens if g else (), keys_only)
    if forms and not ((s is None or s.plain) and (g is None or g.plain)):
        return (Form(forms[0].tokens, False),)
    return forms


def _plain_form(s_tokens: tuple[str, ...], g_tokens: tuple[str, ...],
                keys_only: bool) -> tuple[Form, ...]:  # fmt: skip
    """The common case, a Latin name read one way: no consonantal flags."""
    tokens = name_tokens((s_tokens, g_tokens), False, keys_only)
    if not tokens:
        return ()
    if _cut_short(s_tokens, g_tokens):
        _mark_cut_short(tokens)
    return (Form(tokens, True),)


_MRZ_NAME_FIELDS = (30, 31, 39)  # TD1, TD2, TD3
_SCORING_ONLY = frozenset({"zh", "yue", "ar"})  # conventions whose readings make no keys


def _cut_short(surname: tuple[str, ...], given: tuple[str, ...]) -> bool:
    """Whether the name fills an MRZ name field exactly: its last token may be cut."""
    length = sum(map(len, surname)) + len(surname) - 1 if surname else 0
    if given:
        length += 2 + sum(map(len, given)) + len(given) - 1
    return length in _MRZ_NAME_FIELDS


def _mark_cut_short(tokens: list[Tok]) -> None:
    """Flag the last base token: the MRZ's name field may have ended inside it."""
    last = max(i for i, t in enumerate(tokens) if t.base)
    tokens[last] = tokens[last]._replace(flags=tokens[last].flags | FIELD_FULL)


@lru_cache(maxsize=16384)
def name_forms(surname: str | None, given_names: str | None,
               convention: str = "") -> tuple[Form, ...]:  # fmt: skip
    """Forms of a name with canon and consonants, for comparing: a name recurs far more
    often than a whole query (dates of birth differ), so it is cached apart. A Chinese-
    speaking state's document may spell it in Cantonese: its tokens are flagged HAN; an
    Arabic name in Latin is compared on consonants too (ARABIC)."""
    forms = _forms(surname, given_names, convention, keys_only=False)
    flag = _FLAGS.get(convention)
    if flag:
        forms = tuple(f._replace(tokens=[t._replace(flags=t.flags | flag) for t in f.tokens])
                      for f in forms)  # fmt: skip
    return forms


# Conventions whose scans' tokens are flagged for scoring (names.compare).
_FLAGS = {"zh": HAN, "yue": HAN | YUE, "ar": ARABIC}


@lru_cache(maxsize=16384)
def name_forms_for_keys(surname: str | None, given_names: str | None, convention: str = ""
                   ) -> tuple[tuple[Form, ...], list[Tok], float]:  # fmt: skip
    """Forms without canon and consonants (what keys and information need), and the
    principal tokens and information of the first. Pinyin read as Wade-Giles ("zh") is
    for scoring only: the keys' skeletons fold the two already (ZH, CH, J and HS are S),
    and the readings' keys would fetch a Chinese national twice the candidates."""
    convention = "" if convention in _SCORING_ONLY else convention
    forms = _forms(surname, given_names, convention, keys_only=True)
    if not forms:
        return (), [], 0.0
    return forms, principal(forms[0].tokens), information(forms[0].tokens)


def convention_of(nationality: str | None, surname: str | None = None) -> str:
    """A state's convention (readings.CONVENTIONS) for its national's name. A name in
    Hangul or Chinese characters (its ``surname``) of a state that writes no names so
    (Korea's are "ko", China's "zh"; Japan writes its own in characters) is, most likely, a
    foreign name written as it sounds (a venue's terminal in Korea, a Korean or Chinese
    visa: 영 / 아서, YOUNG ARTHUR; 普京 / 弗拉基米尔): FOREIGN_NAME, read back as one too."""
    convention = CONVENTIONS.get(nationality or "", "")
    if convention in _WRITES_CHARACTERS or nationality in (None, "", "JPN") or not surname \
            or surname.isascii() or script_of(surname) not in ("Hang", "Hani"):  # fmt: skip
        return convention
    # (another state's convention is for its nationals' names in Latin or Cyrillic
    # letters: an Iranian's name in Hangul is no Arabic name)
    return FOREIGN_NAME


_WRITES_CHARACTERS = frozenset({"zh", "yue", "ko"})


__all__ = ["Form", "convention_of", "name_forms", "name_forms_for_keys", "principal"]
