"""Spelling variations of a listed person's name, as a traveller's document may show them.

Shared by both evaluation sets (``build_set.py`` on this folder's own pools and
``mock_set.py`` on the project's mock generator). Names go in as a notice prints them
(diacritics, apostrophes, hyphens kept) and come out as an MRZ would print them.
Independent of ``screening.matching`` on purpose: the evaluation must not agree with the
matcher by construction.
"""

from __future__ import annotations

import random
import re
import unicodedata

from anyascii import anyascii

# Families every Latin name can show; culture-specific ones (translit, script,
# chinese_split) are built by each set from its own spelling tables.
GENERIC = ("exact", "order_swap", "given_missing", "given_added", "surname_part_dropped",
           "particles", "apostrophe", "diacritics", "typo", "partial_dob")  # fmt: skip

_FOLD = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Ø": "OE"})
_PARTICLE = re.compile(
    r"^(AL|EL|AS|AT|AZ|ASH|DE LA|DE|DEL|DA|DOS|DI|DU|VON DER|VON|LE|LO|BEN|BIN)[- ]"
)
_PARTICLE_WORDS = frozenset(
    ("AL", "EL", "DE", "LA", "DEL", "DA", "DAS", "DO", "DOS", "DI", "DU", "VON", "DER", "VAN",
     "LE", "LO", "BEN", "BIN", "Y", "E")
)  # fmt: skip
_EXTRA_GIVEN = ("ALEXANDER", "MARIE", "JOHN", "ALI", "ANNA", "JOSE", "PAUL", "MOHAMMED", "ELENA")


def mrz(text: str) -> str:
    """As an MRZ prints it: ICAO folds, apostrophes dropped, other punctuation a space."""
    text = unicodedata.normalize("NFC", text).upper().translate(_FOLD).replace("'", "")
    return re.sub(r"[^A-Z]+", " ", anyascii(text).upper()).strip()


def bare(text: str) -> str:
    """Diacritics dropped without the ICAO two-letter folds (MÜLLER -> MULLER)."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "SS"))
    return "".join(c for c in text if not unicodedata.combining(c))


def typo(rng: random.Random, word: str) -> str:
    """One substitution, insertion, deletion or transposition."""
    i = rng.randrange(len(word))
    op = rng.choice("sidt")
    letter = rng.choice("ABCDEFGHIJKLMNOPRSTUVWYZ")
    if op == "s":
        return word[:i] + letter + word[i + 1 :]
    if op == "i":
        return word[:i] + letter + word[i:]
    if op == "d" and len(word) > 3:
        return word[:i] + word[i + 1 :]
    j = min(i, len(word) - 2)
    return word[:j] + word[j + 1] + word[j] + word[j + 2 :]


def partial(rng: random.Random, dob: str) -> str:
    return dob[:4] if rng.random() < 0.5 else dob[:7]


def generic_variant(
    rng: random.Random, surname: str, given: str, dob: str, family: str
) -> tuple[str, str, str] | None:
    """(surname, given names, date of birth) showing the family's variation, or None
    when this name cannot show it (no particle, no second given name ...)."""
    sur, giv = mrz(surname), mrz(given)
    if family == "exact":
        return sur, giv, dob
    if family == "order_swap":
        return (giv, sur, dob) if giv else None
    if family == "given_missing":
        g = giv.split()
        return (sur, " ".join(g[:-1]), dob) if len(g) >= 2 else None
    if family == "given_added":
        extra = rng.choice([e for e in _EXTRA_GIVEN if e not in giv.split()])
        return sur, f"{giv} {extra}".strip(), dob
    if family == "surname_part_dropped":
        parts = surname.split()
        if len(parts) < 2 or any(p.upper() in _PARTICLE_WORDS for p in parts):
            return None
        return mrz(rng.choice(parts)), giv, dob
    if family == "particles":
        m = _PARTICLE.match(surname.upper())
        if not m:
            return None
        head, rest = m.group(1), surname[m.end() :]
        choice = rng.choice(["join", "swap", "drop"])
        if choice == "join":
            return mrz(head.replace(" ", "") + rest), giv, dob
        if choice == "swap" and head in ("AL", "EL"):
            return mrz(("EL " if head == "AL" else "AL ") + rest), giv, dob
        return mrz(rest), giv, dob
    if family == "apostrophe":
        if "'" not in surname:
            return None
        return mrz(surname.replace("'", " ")), giv, dob
    if family == "diacritics":
        if (surname + given).isascii():
            return None
        return mrz(bare(surname)), mrz(bare(given)), dob
    if family == "typo":
        toks = (sur + " | " + giv).split()
        idx = [i for i, t in enumerate(toks) if len(t) >= 4]
        if not idx:
            return None
        i = rng.choice(idx)
        toks[i] = typo(rng, toks[i])
        s_out, _, g_out = " ".join(toks).partition(" | ")
        return s_out, g_out, dob
    if family == "partial_dob":
        return sur, giv, partial(rng, dob)
    raise ValueError(family)


__all__ = ["GENERIC", "bare", "generic_variant", "mrz", "partial", "typo"]
