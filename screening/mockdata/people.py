"""Mock people: a culture, a sex, a nationality and a name with its other spellings.

Notices and ordinary travellers are drawn from the same cultures and pools, only in
different proportions (an event in Europe sees mostly European travellers; notices
over-represent other regions), so namesakes between them occur as they do in reality.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from random import Random
from typing import TypeVar

from screening.mockdata import scripts
from screening.mockdata.names import LATIN_POOLS, latin_pool, other_spellings, tail

Alias = tuple[str, str, str]  # (surname, given_names, script)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PersonName:
    surname: str  # Latin letters as the person's documents print them (diacritics kept)
    given_names: str
    aliases: tuple[Alias, ...] = ()  # the name in its own script, then other Latin spellings


@dataclass(frozen=True, slots=True)
class Person:
    culture: str
    sex: str
    nationality: str
    name: PersonName


@dataclass(frozen=True, slots=True)
class Culture:
    traveller_weight: float
    notice_weight: float
    nationalities: tuple[tuple[str, float], ...]


def _n(spec: str) -> tuple[tuple[str, float], ...]:
    pairs = (item.split(":") for item in spec.split())
    return tuple((code, float(w)) for code, w in pairs)


CULTURES: dict[str, Culture] = {
    "anglo": Culture(14, 6, _n("GBR:40 USA:35 CAN:8 AUS:8 IRL:6 NZL:3")),
    "german": Culture(18, 4, _n("D:75 AUT:15 CHE:10")),
    "french": Culture(10, 5, _n("FRA:80 BEL:12 CHE:5 LUX:1 CAN:2")),
    "italian": Culture(7, 3, _n("ITA:95 CHE:5")),
    "hispanic": Culture(
        7, 14, _n("ESP:35 MEX:18 COL:10 ARG:10 PER:5 VEN:5 CHL:5 SLV:4 GTM:4 HND:4")
    ),
    "lusophone": Culture(3, 4, _n("BRA:70 PRT:30")),
    "nordic": Culture(5, 1, _n("SWE:35 NOR:25 DNK:25 FIN:10 ISL:5")),
    "polish": Culture(5, 3, _n("POL:100")),
    "turkish": Culture(5, 5, _n("TUR:85 D:10 NLD:5")),
    "arabic": Culture(
        6, 17, _n("EGY:15 MAR:12 DZA:10 IRQ:10 SYR:10 SAU:8 TUN:6 JOR:6 LBN:6 YEM:4 LBY:4 ARE:3")
    ),
    "russian": Culture(3, 9, _n("RUS:84 BLR:8 KAZ:8")),
    "ukrainian": Culture(3, 4, _n("UKR:100")),
    "chinese": Culture(4, 4, _n("CHN:80 TWN:8 HKG:6 SGP:4 MYS:2")),
    "south_asian": Culture(4, 8, _n("IND:70 PAK:18 BGD:8 LKA:4")),
    "yoruba": Culture(0.8, 2, _n("NGA:90 BEN:10")),
    "igbo": Culture(0.6, 2, _n("NGA:100")),
    "hausa": Culture(0.4, 1, _n("NGA:80 NER:20")),
    "akan": Culture(0.6, 1, _n("GHA:85 CIV:15")),
}


class Weighted:
    """A weighted choice with cumulative weights computed once."""

    __slots__ = ("_cum", "_total", "items")

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.items = tuple(k for k, _ in pairs)
        self._cum = list(accumulate(w for _, w in pairs))
        self._total = self._cum[-1]

    @classmethod
    def parse(cls, spec: str) -> Weighted:
        """From "A:3 B:1.5"."""
        return cls(_n(spec))

    def pick(self, rng: Random) -> str:
        return self.items[bisect(self._cum, rng.random() * self._total)]


# ----------------------------------------------------------------- spellings

_STRIP = str.maketrans({"Ł": "L", "Ø": "O", "ß": "SS", "ẞ": "SS", "Ð": "D", "Þ": "TH", "Æ": "AE",
                        "Œ": "OE", "İ": "I", "ı": "I", "’": "'"})  # fmt: skip
_ICAO = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Ø": "OE", "Æ": "AE", "ß": "SS"})
# States whose MRZs write Ä, Ö, Ü, Å with two letters; the others drop the marks.
_TWO_LETTER_STATES = frozenset({"D", "AUT", "CHE", "LIE", "SWE", "NOR", "DNK", "FIN", "ISL"})


def strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_STRIP))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def icao_fold(text: str) -> str:
    return strip_marks(text.translate(_ICAO))


def document_spelling(text: str, nationality: str) -> str:
    """The name as the MRZ of a document of that state spells it (ASCII, A-Z and spaces)."""
    if text.isascii():
        return text
    return icao_fold(text) if nationality in _TWO_LETTER_STATES else strip_marks(text)


_PARTICLES = ("DE LA ", "DE ", "DU ", "LE ", "DA ", "DOS ", "DEL ", "VON DER ", "VON ", "LO ")
# Lists file DE VILLIERS under VILLIERS too; Italian and Iberian particles stay.
_DROPPED = {"german": ("VON DER ", "VON "), "french": ("DE LA ", "DE ", "DU ")}


def _latin_variants(culture: str, surname: str, given: str) -> list[tuple[str, str]]:
    out = [(strip_marks(surname), strip_marks(given)), (icao_fold(surname), icao_fold(given))]
    for particle in _PARTICLES:
        if surname.startswith(particle):
            out.append((surname.replace(" ", ""), given))
            if particle in _DROPPED.get(culture, ()):
                out.append((surname[len(particle) :], given))
            break
    if "'" in surname:
        out += [(surname.replace("'", ""), given), (surname.replace("'", " "), given)]
    if "-" in given or "-" in surname:
        out.append((surname.replace("-", " "), given.replace("-", " ")))
    for i, tok in enumerate(toks := given.split()):
        out += [(surname, " ".join([*toks[:i], o, *toks[i + 1 :]])) for o in other_spellings(tok)]
    out += [(o, given) for o in other_spellings(surname)]
    return out


def _distinct(rng: Random, primary: Alias, candidates: list[Alias], k: int) -> tuple[Alias, ...]:
    seen = {primary}
    pool = [c for c in dict.fromkeys(candidates) if c not in seen and (c[0] or c[1])]
    rng.shuffle(pool)
    return tuple(pool[:k])


# -------------------------------------------------------------------- cultures


def _pick_distinct(rng: Random, pool: Sequence[T], k: int) -> list[T]:
    out: list[T] = []
    while len(out) < k:
        name = pool[rng.randrange(len(pool))]
        if name not in out:
            out.append(name)
    return out


# Share of people with a second given name (or a compound one).
_SECOND_GIVEN = dict(_n(
    "anglo:.35 german:.25 french:.2 italian:.15 hispanic:.25 lusophone:.35 nordic:.3 polish:.15"
    " turkish:.1 south_asian:.4 yoruba:.35 igbo:.35 hausa:.5 akan:.5"
))  # fmt: skip
_POLISH_FEMININE = (("SKI", "SKA"), ("CKI", "CKA"), ("DZKI", "DZKA"))


def _latin(
    culture: str, rng: Random, sex: str, nationality: str, aliases: int | None
) -> PersonName:
    male, female, surnames = latin_pool(culture)
    given = _pick_distinct(
        rng, male if sex == "M" else female, 2 if rng.random() < _SECOND_GIVEN[culture] else 1
    )
    given_tail, given_share = tail(culture, given=True)
    if given_tail and rng.random() < given_share:
        given[0] = rng.choice(given_tail)
    if culture in ("yoruba", "igbo", "akan") and rng.random() < 0.3:
        anglo_m, anglo_f, _ = latin_pool("anglo")
        given.insert(0, rng.choice(anglo_m if sex == "M" else anglo_f))  # EMMANUEL CHINEDU
    surname_tail, surname_share = tail(culture)
    if surname_tail and rng.random() < surname_share:
        surname = rng.choice(surname_tail)
    elif culture == "hausa" and rng.random() < 0.6:
        surname = rng.choice(male)  # the father's name
    else:
        surname = rng.choice(surnames)
    if culture in ("hispanic", "lusophone") and rng.random() < 0.8:
        surname += " " + _pick_distinct(rng, [s for s in surnames if s != surname], 1)[0]
    if culture == "polish" and sex == "F":
        for male_end, female_end in _POLISH_FEMININE:
            if surname.endswith(male_end):
                surname = surname[: -len(male_end)] + female_end
                break
    given_names = " ".join(given)
    if aliases is None:
        return PersonName(surname, given_names)
    candidates = [(s, g, "Latn") for s, g in _latin_variants(culture, surname, given_names)]
    if culture == "hispanic" and " " in surname:
        plain, plain_given = strip_marks(surname), strip_marks(given_names)
        candidates.append((plain.split()[0], plain_given, "Latn"))  # paternal surname only
        candidates.append((plain.replace(" ", "-"), plain_given, "Latn"))
    if culture in ("yoruba", "igbo", "hausa", "akan"):
        candidates.append((given_names, surname, "Latn"))  # order confused by the recorder
    return PersonName(
        surname, given_names, _distinct(rng, (surname, given_names, "Latn"), candidates, aliases)
    )


def _arabic(
    culture: str, rng: Random, sex: str, nationality: str, aliases: int | None
) -> PersonName:
    male, female, surnames = scripts.ARABIC
    first = rng.choice(male if sex == "M" else female)
    parts = [first]
    if rng.random() < 0.7:  # the father's name, and sometimes the grandfather's
        parts += _pick_distinct(rng, male, 2 if rng.random() < 0.3 else 1)
    family = rng.choice(surnames)
    maghreb = nationality in ("MAR", "DZA", "TUN")

    def spell(entry: tuple[str, str, tuple[str, ...]], article: bool = False) -> str:
        options = (
            entry[0],
            *entry[2],
            *(scripts.arabic_article_variants(entry[0]) if article else ()),
        )
        return rng.choice(options)

    surname = spell(family) if maghreb else family[0]
    given = " ".join(spell(p) if maghreb else p[0] for p in parts)
    if aliases is None:
        return PersonName(surname, given)
    out: list[Alias] = [(family[1], " ".join(p[1] for p in parts), "Arab")]
    candidates = [
        (spell(family, True), " ".join(spell(p) for p in parts), "Latn") for _ in range(6)
    ]
    out += _distinct(rng, (surname, given, "Latn"), candidates, min(aliases, rng.randint(1, 3)))
    return PersonName(surname, given, tuple(out))


def _cyrillic(
    culture: str, rng: Random, sex: str, nationality: str, aliases: int | None
) -> PersonName:
    uk = culture == "ukrainian"
    schemes: tuple[str, ...]
    if uk:
        male, female, surnames = (
            scripts.UKRAINIAN_MALE,
            scripts.UKRAINIAN_FEMALE,
            scripts.UKRAINIAN_SURNAMES,
        )
        schemes = ("uk_national", "uk_russian", "uk_de")
    else:
        male, female, surnames = (
            scripts.RUSSIAN_MALE,
            scripts.RUSSIAN_FEMALE,
            scripts.RUSSIAN_SURNAMES,
        )
        schemes = ("ru_icao", "ru_bgn", "ru_de", "ru_fr")
    given = rng.choice(male if sex == "M" else female)
    stems, endings = (
        (scripts.UK_STEMS, scripts.UK_ENDINGS) if uk else (scripts.RU_STEMS, scripts.RU_ENDINGS)
    )
    if rng.random() < 0.7:  # the long tail (see names.SURNAME_TAILS)
        surname = rng.choice(stems).rstrip("ь") + rng.choice(endings)
    else:
        surname = rng.choice(surnames)
    if sex == "F" and not uk:
        surname = scripts.feminine_russian(surname)
    # Passports issued before 2013 spelt Russian names the older way.
    primary = schemes[0] if uk or rng.random() < 0.8 else schemes[1]
    latin = (scripts.transliterate(surname, primary), scripts.transliterate(given, primary))
    if aliases is None:
        return PersonName(*latin)
    father = scripts.patronymic(rng.choice(male), sex == "F", uk) if rng.random() < 0.5 else None
    cyr = (surname.upper(), (given + (" " + father if father else "")).upper(), "Cyrl")
    candidates = [
        (scripts.transliterate(surname, s), scripts.transliterate(given, s), "Latn")
        for s in schemes
    ]
    return PersonName(
        *latin,
        (cyr, *_distinct(rng, (*latin, "Latn"), candidates, min(aliases, rng.randint(1, 2)))),
    )


def _chinese(
    culture: str, rng: Random, sex: str, nationality: str, aliases: int | None
) -> PersonName:
    surnames, syllables = scripts.CHINESE
    family = rng.choice(surnames)
    wanted = ("m", "u") if sex == "M" else ("f", "u")
    n = 1 if rng.random() < 0.15 else 2
    given: list[tuple[str, ...]] = []
    while len(given) < n:
        syl = rng.choice(syllables)
        if syl[4] in wanted and syl not in given:
            given.append(syl)
    forms = {
        "pinyin": (family[1], "".join(s[1] for s in given)),
        "pinyin_split": (family[1], " ".join(s[1] for s in given)),
        "wade_giles": (family[2], "-".join(s[2] for s in given)),
        "cantonese": (family[3], " ".join(s[3] for s in given)),
    }
    style = {"TWN": "wade_giles", "HKG": "cantonese", "SGP": "cantonese", "MYS": "cantonese"}
    surname, given_names = forms[style.get(nationality, "pinyin")]
    if aliases is None:
        return PersonName(surname, given_names)
    han = (family[0], "".join(s[0] for s in given), "Hans")
    candidates = [(s, g, "Latn") for s, g in forms.values()]
    return PersonName(
        surname,
        given_names,
        (
            han,
            *_distinct(
                rng, (surname, given_names, "Latn"), candidates, min(aliases, rng.randint(1, 2))
            ),
        ),
    )


_DRAW: dict[str, Callable[[str, Random, str, str, int | None], PersonName]] = {
    **{c: _latin for c in LATIN_POOLS},
    "arabic": _arabic,
    "russian": _cyrillic,
    "ukrainian": _cyrillic,
    "chinese": _chinese,
}


class PersonFactory:
    """Draws people for one population (travellers or notices)."""

    def __init__(self, population: str) -> None:
        weight = (
            (lambda c: c.traveller_weight)
            if population == "travellers"
            else (lambda c: c.notice_weight)
        )
        self._cultures = Weighted([(name, weight(c)) for name, c in CULTURES.items()])
        self._nationalities = {name: Weighted(c.nationalities) for name, c in CULTURES.items()}

    def person(self, rng: Random, *, aliases: int | None = None, sex: str | None = None) -> Person:
        """`aliases` asks for other spellings too: the name in its own script, if it has
        one, and at most that many other Latin spellings."""
        culture = self._cultures.pick(rng)
        sex = sex or ("M" if rng.random() < 0.5 else "F")
        nationality = self._nationalities[culture].pick(rng)
        return Person(
            culture, sex, nationality, _DRAW[culture](culture, rng, sex, nationality, aliases)
        )
