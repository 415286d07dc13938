"""Build the labelled person-matching evaluation set, deterministically (seeded).

    python eval/build_set.py --notices 120000 --out eval/out

Writes ``notices.ndjson`` (notice records in the contract's shape, aliases in Latin,
Cyrillic and Arabic script) and ``scans.ndjson`` (one query a line: the holder fields
of a scan, its ``family`` and the notice ``expect`` -ed to hit, or null). Families:

* spelling variants of a notice's person: exact, translit, script, order_swap,
  given_missing, given_added, surname_part_dropped, particles, apostrophe, diacritics,
  typo, partial_dob, chinese_split;
* ``ordinary``: travellers drawn from the same name pools, who must not hit;
* ``namesake``: a notice's exact name, a birth date two or more years away and another
  nationality, which must not hit; ``namesake_close``: same birth year, another day and
  nationality (reported, no target).
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import orjson
from anyascii import anyascii
from pools import (
    ARAB_COUNTRIES,
    ARAB_FAMILY,
    ARAB_FEMALE,
    ARAB_MALE,
    CHN_COUNTRIES,
    CHN_GIVEN_F,
    CHN_GIVEN_M,
    CHN_SURNAMES,
    CULTURE_WEIGHTS,
    CYR_COUNTRIES,
    CYR_FEMALE,
    CYR_MALE,
    CYR_SURNAME,
    CYR_TAIL,
    LATIN,
    PATRONYMIC_OF,
    SURNAME_TAILS,
    TRAVELLER_WEIGHTS,
)  # fmt: skip

FAMILIES = ("exact", "translit", "script", "order_swap", "given_missing", "given_added",
            "surname_part_dropped", "particles", "apostrophe", "diacritics", "typo",
            "partial_dob", "chinese_split")  # fmt: skip

# An independent ICAO 9303 Cyrillic table and the German and French conventions, so the
# evaluation does not test the matcher's transliteration against itself.
_ICAO_LATIN = "A B V G D E E ZH Z I I K L M N O P R S T U F KH TS CH SH SHCH IE Y - E IU IA"
_ICAO = dict(
    zip(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
        _ICAO_LATIN.split(),
        strict=True,
    )
)
_DE = {**_ICAO, "В": "W", "Ж": "SCH", "З": "S", "Х": "CH", "Ц": "Z", "Ч": "TSCH", "Ш": "SCH",
       "Щ": "SCHTSCH", "Й": "J", "Ю": "JU", "Я": "JA", "Ё": "JO", "Ъ": "-"}  # fmt: skip
_FR = {**_ICAO, "Ж": "J", "Ш": "CH", "Ч": "TCH", "Щ": "CHTCH", "У": "OU", "Ю": "IOU",
       "Я": "IA", "Ъ": "-"}  # fmt: skip
_FOLD = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Ø": "OE"})


def cyr_latin(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(c.upper(), c).replace("-", "") for c in text).upper()


def mrz(text: str) -> str:
    """As an MRZ prints it: ICAO folds, apostrophes dropped, other punctuation a space."""
    text = unicodedata.normalize("NFC", text).upper().translate(_FOLD).replace("'", "")
    return re.sub(r"[^A-Z]+", " ", anyascii(text).upper()).strip()


def bare(text: str) -> str:
    """Diacritics dropped without the ICAO two-letter folds (MÜLLER -> MULLER)."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "SS"))
    return "".join(c for c in text if not unicodedata.combining(c))


def zipf(rng: random.Random, items: list[Any], s: float = 0.9) -> Any:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


def _spelled(block: str) -> list[tuple[str, list[str]]]:
    out = []
    for line in block.strip().splitlines():
        script, spellings = line.split(":")
        out.append((script, spellings.split(",")))
    return out


ARAB_M, ARAB_F, ARAB_FAM = _spelled(ARAB_MALE), _spelled(ARAB_FEMALE), _spelled(ARAB_FAMILY)
CHN_SUR = [(k, v.split(",")) for k, v in (x.split(":") for x in CHN_SURNAMES.split())]
_WG_SYL = {"XIAO": "HSIAO", "JIAN": "CHIEN", "ZHI": "CHIH", "QIANG": "CHIANG", "ZHENG": "CHENG",
           "JUN": "CHUN", "XIN": "HSIN", "JIA": "CHIA", "XUAN": "HSUAN", "GUO": "KUO",
           "DONG": "TUNG", "HONG": "HUNG", "QI": "CHI", "ZI": "TZU", "JIE": "CHIEH", "XIU": "HSIU",
           "JING": "CHING", "YONG": "YUNG", "ZHANG": "CHANG"}  # fmt: skip
_SYL = re.compile(r"[^AEIOU]*[AEIOU]+(?:NG|N|R)?(?![AEIOU])")


def pinyin_split(token: str) -> list[str]:
    return _SYL.findall(token) or [token]


class Person:
    def __init__(self, rng: random.Random, culture: str):
        self.culture = culture
        self.sex = rng.choice("MF")
        self.script: tuple[str, str] | None = None  # (surname, given) in Cyrillic or Arabic
        self.spellings: dict[str, list[str]] = {}  # Latin token -> other spellings
        getattr(self, "_" + ("latin" if culture in LATIN else culture))(rng)
        self.dob = f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _latin(self, rng: random.Random) -> None:
        _, countries, male, female, surnames = LATIN[self.culture]
        pool = (male if self.sex == "M" else female).split()
        self.given = [zipf(rng, pool).replace("_", " ")]
        if rng.random() < 0.3:
            self.given.append(zipf(rng, pool).replace("_", " "))
        self.surname = [surname(rng, self.culture, surnames)]
        if self.culture in ("hispanic", "lusophone") and rng.random() < 0.75:
            self.surname.append(surname(rng, self.culture, surnames))
        self.nat = rng.choice(countries.split())

    def _arab(self, rng: random.Random) -> None:
        first = zipf(rng, ARAB_M if self.sex == "M" else ARAB_F)
        father = zipf(rng, ARAB_M)
        family = zipf(rng, ARAB_FAM) if rng.random() < 0.6 else zipf(rng, ARAB_M)
        parts = [first, father] if rng.random() < 0.6 else [first]
        pick = rng.random() < 0.3  # most lists use the first spelling, some another
        self.given = [rng.choice(p[1]) if pick else p[1][0] for p in parts]
        self.surname = [rng.choice(family[1]) if pick else family[1][0]]
        for script_latin in [*parts, family]:
            for s in script_latin[1]:
                self.spellings[s] = [x for x in script_latin[1] if x != s]
        self.script = (family[0], " ".join(p[0] for p in parts))
        self.nat = rng.choice(ARAB_COUNTRIES.split())

    def _cyrillic(self, rng: random.Random) -> None:
        first = zipf(rng, (CYR_MALE if self.sex == "M" else CYR_FEMALE).split())
        father = zipf(rng, CYR_MALE.split())
        patronymic = (
            father[:-2] + PATRONYMIC_OF[father[-2:]]
            if father[-2:] in PATRONYMIC_OF
            else father + "ович"
        )
        if self.sex == "F":
            patronymic = patronymic[:-2] + "на"
        surname = zipf(rng, CYR_SURNAME.split())
        if rng.random() < CYR_TAIL[0]:
            surname = rng.choice(CYR_TAIL[1].split()) + rng.choice(CYR_TAIL[2].split())
        if self.sex == "F" and surname.endswith(("ов", "ев", "ёв", "ин")):
            surname += "а"
        given = [first, patronymic] if rng.random() < 0.6 else [first]
        self.script = (surname, " ".join(given))
        self.given = [anyascii(g).upper() for g in given]  # list spelling: BGN-like
        self.surname = [anyascii(surname).upper()]
        self.nat = rng.choice(CYR_COUNTRIES.split())

    def _chinese(self, rng: random.Random) -> None:
        sur, forms = zipf(rng, CHN_SUR)
        self.surname = [sur]
        self.spellings[sur] = forms
        self.given = [zipf(rng, (CHN_GIVEN_M if self.sex == "M" else CHN_GIVEN_F).split())]
        self.nat = rng.choice(CHN_COUNTRIES.split())

    def record(self, rng: random.Random, rid: str) -> dict[str, Any]:
        names = [{"surname": " ".join(self.surname), "given_names": " ".join(self.given),
                  "script": "Latn"}]  # fmt: skip
        if self.script and rng.random() < 0.8:
            script = "Cyrl" if self.culture == "cyrillic" else "Arab"
            names.append({"surname": self.script[0], "given_names": self.script[1],
                          "script": script})  # fmt: skip
        u = rng.random()
        dob = None if u < 0.08 else self.dob[:4] if u < 0.16 else self.dob[:7] if u < 0.2 \
            else self.dob  # fmt: skip
        nats = [self.nat] + ([rng.choice(["USA", "GBR", "FRA", "TUR", "D"])] if u > 0.9 else [])
        rec = {"list": "notice", "id": rid, "colour": zipf(rng, ["red", "yellow", "blue", "un"]),
               "names": names, "date_of_birth": dob, "nationalities": nats, "sex": self.sex,
               "documents": []}  # fmt: skip
        return {k: v for k, v in rec.items() if v is not None}


def surname(rng: random.Random, culture: str, heads: str) -> str:
    """A frequent surname (Zipf) or, for the tail's share, one of the long tail."""
    share, stems, endings = SURNAME_TAILS.get(culture, (0.0, "", ""))
    if rng.random() < share:
        return (rng.choice(stems.split()) + rng.choice(endings.split())).upper()
    return str(zipf(rng, heads.split())).replace("_", " ")


def dob_kind(dob: str | None) -> str:
    return "none" if not dob else "full" if len(dob) == 10 else "partial"


def make_culture(rng: random.Random, traveller: bool = False) -> str:
    if traveller:
        return rng.choices(list(TRAVELLER_WEIGHTS), list(TRAVELLER_WEIGHTS.values()))[0]
    cultures = list(LATIN) + list(CULTURE_WEIGHTS)
    weights = [LATIN[c][0] for c in LATIN] + list(CULTURE_WEIGHTS.values())
    return rng.choices(cultures, weights)[0]


def typo(rng: random.Random, word: str) -> str:
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


def variant(rng: random.Random, p: Person, family: str) -> tuple[str, str, str] | None:
    """(surname, given names, dob) of a scan of this person showing the family's variation."""
    sur, giv, dob = mrz(" ".join(p.surname)), mrz(" ".join(p.given)), p.dob
    if family == "exact":
        return sur, giv, dob
    if family == "translit":
        if p.culture == "cyrillic" and p.script:
            return cyr_latin(p.script[0], _ICAO), cyr_latin(p.script[1], _ICAO), dob
        toks = [t for t in p.given + p.surname if p.spellings.get(t)]
        if not toks:
            return None
        t = rng.choice(toks)
        others = [x for x in p.spellings[t] if mrz(x) != mrz(t)]
        if not others:
            return None
        alt = mrz(rng.choice(others))
        return (mrz(" ".join(alt if x == t else x for x in p.surname)),
                mrz(" ".join(alt if x == t else x for x in p.given)), dob)  # fmt: skip
    if family == "script":
        if p.culture == "cyrillic" and p.script:
            table = rng.choice([_DE, _FR])
            return cyr_latin(p.script[0], table), cyr_latin(p.script[1], table), dob
        if p.culture == "arab":
            swap = {t: rng.choice(p.spellings[t]) for t in p.given + p.surname
                    if p.spellings.get(t)}  # fmt: skip
            return (mrz(" ".join(swap.get(t, t) for t in p.surname)),
                    mrz(" ".join(swap.get(t, t) for t in p.given)), dob)  # fmt: skip
        return None
    if family == "order_swap":
        return giv, sur, dob
    if family == "given_missing":
        g = giv.split()
        return (sur, " ".join(g[:-1]), dob) if len(g) >= 2 else None
    if family == "given_added":
        extra = mrz(rng.choice(["ALEXANDER", "MARIE", "JOHN", "ALI", "ANNA", "JOSE", "PAUL"]))
        return sur, f"{giv} {extra}", dob
    if family == "surname_part_dropped":
        return (mrz(rng.choice(p.surname)), giv, dob) if len(p.surname) >= 2 else None
    if family == "particles":
        s = " ".join(p.surname)
        m = re.match(r"^(AL|EL|AS|AT|AZ|ASH|DE LA|DE|DEL|DA|DOS|DI|VON DER|LE|BEN|BIN)[- ]", s)
        if not m:
            return None
        head, rest = m.group(1), s[m.end() :]
        choice = rng.choice(["join", "swap", "drop"])
        if choice == "join":
            return mrz(head.replace(" ", "") + rest), giv, dob
        if choice == "swap" and head in ("AL", "EL"):
            return mrz(("EL " if head == "AL" else "AL ") + rest), giv, dob
        return mrz(rest), giv, dob
    if family == "apostrophe":
        s = " ".join(p.surname)
        if "'" not in s:
            return None
        return mrz(s.replace("'", " ")), giv, dob
    if family == "diacritics":
        full = " ".join(p.surname + p.given)
        if full.isascii():
            return None
        return mrz(bare(" ".join(p.surname))), mrz(bare(" ".join(p.given))), dob
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
        return sur, giv, dob[:4] if rng.random() < 0.5 else dob[:7]
    if family == "chinese_split":
        if p.culture != "chinese":
            return None
        syl = pinyin_split(p.given[0])
        if len(syl) < 2:
            return None
        how = rng.choice(["split", "wade", "wade_joined"])
        wg = [_WG_SYL.get(s, s) for s in syl]
        s_alt = rng.choice(p.spellings.get(p.surname[0], p.surname))
        if how == "split":
            return sur, " ".join(syl), dob
        return s_alt, (" ".join(wg) if how == "wade" else "".join(wg)), dob
    raise ValueError(family)


def build(n_notices: int, n_per_family: int, n_ordinary: int, n_namesakes: int,
          seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    rng = random.Random(seed)
    people, notices = [], []
    for i in range(n_notices):
        person = Person(rng, make_culture(rng))
        people.append(person)
        notices.append(person.record(rng, f"N{i:06d}"))
    scans: list[dict[str, Any]] = []
    by_id = {n["id"]: n for n in notices}

    def add(family: str, s: str, g: str, dob: str | None, nat: str | None, sex: str | None,
            expect: str | None) -> None:  # fmt: skip
        scans.append(
            {
                "family": family,
                "surname": s or None,
                "given_names": g or None,
                "date_of_birth": dob,
                "nationality": nat,
                "sex": sex,
                "expect": expect,
                "notice_dob": dob_kind(by_id[expect].get("date_of_birth")) if expect else None,
            }
        )

    for family in FAMILIES:
        done = tries = 0
        while done < n_per_family and tries < n_per_family * 400:
            tries += 1
            i = rng.randrange(n_notices)
            v = variant(rng, people[i], family)
            if v is None:
                continue
            add(family, *v, people[i].nat, people[i].sex, notices[i]["id"])
            done += 1
    for _ in range(n_ordinary):
        p = Person(rng, make_culture(rng, traveller=True))
        add("ordinary", mrz(" ".join(p.surname)), mrz(" ".join(p.given)), p.dob, p.nat, p.sex, None)
    countries = [
        c
        for c in [
            "USA",
            "GBR",
            "FRA",
            "D",
            "BRA",
            "IND",
            "NGA",
            "CHN",
            "RUS",
            "EGY",
            "MEX",
            "TUR",
            "JPN",
        ]
    ]
    for k in range(2 * n_namesakes):
        i = rng.randrange(n_notices)
        p, rec = people[i], notices[i]
        nat = rng.choice([c for c in countries if c not in rec["nationalities"]])
        year = int(p.dob[:4])
        if k % 2 == 0:
            year += rng.choice([-1, 1]) * rng.randint(2, 25)
            family = "namesake"
        else:
            family = "namesake_close"
        dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if family == "namesake_close" and dob == p.dob:
            continue
        add(family, mrz(" ".join(p.surname)), mrz(" ".join(p.given)), dob, nat, p.sex, None)
    return notices, scans


def write_set(out: Path, notices: list[dict[str, Any]], scans: list[dict[str, Any]]) -> None:
    """An evaluation set as run_eval.py reads it: notices.ndjson and scans.ndjson."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "notices.ndjson").write_bytes(b"\n".join(orjson.dumps(n) for n in notices) + b"\n")
    (out / "scans.ndjson").write_bytes(b"\n".join(orjson.dumps(s) for s in scans) + b"\n")
    print(f"{len(notices)} notices, {len(scans)} scans -> {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notices", type=int, default=120_000)
    ap.add_argument("--per-family", type=int, default=600)
    ap.add_argument("--ordinary", type=int, default=20_000)
    ap.add_argument("--namesakes", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = ap.parse_args()
    notices, scans = build(args.notices, args.per_family, args.ordinary, args.namesakes, args.seed)
    write_set(args.out, notices, scans)


if __name__ == "__main__":
    main()
