"""Build the conventions set: names under national romanisations and naming customs the
matcher was never tuned on (round 5; seeded).

    python eval/conventions_set.py --out /tmp/convset [--per-class 120] [--seed 5]
    python eval/run_eval.py --data /tmp/convset

Built as ``world_set.py`` builds its pairs (one notice, one traveller scan with the same
full date of birth and nationality, so only the name decides), from the tables of
``conventions_pools.py``. Same-person classes (``expect`` the pair's notice):

* ``arabic_latin``: an Arabic, Persian or Urdu name in two national romanisations
  (MOHAMMED/MOUHAMED, ABDEL KADER/ABD AL QADIR, AL-/EL-/AZ-, BEN/BIN/IBN);
* ``cyrillic_schemes``: a Russian, Ukrainian or Central Asian name from Cyrillic by two of
  ICAO 9303, BGN/PCGN, the old Russian passport scheme, German (Duden), French, and for
  Uzbek and Ukrainian nationals their own Latin (XUDOYBERDIYEV; HRYHORII);
* ``chinese_joined`` (XIAOMING / XIAO-MING / XIAO MING), ``chinese_wade_giles`` (Pinyin
  and Wade-Giles), ``chinese_cantonese`` (Pinyin and Hong Kong Cantonese);
* ``korean``: customary, Revised and McCune-Reischauer (PARK/BAK, CHOI/CHOE, MIN-JUN);
* ``vietnamese``: marks printed or not, the order swapped, the middle name dropped;
* ``iberian_double``: a second surname or given name dropped or hyphenated;
  ``iberian_particles`` (DE LA CRUZ / CRUZ / DELACRUZ; DOS SANTOS);
* ``particles``: VAN DER, VON, DE, MAC, O' written apart, joined, dropped or moved
  behind the given names as Dutch registers sort them;
* ``turkish`` (Ş Ğ İ ı, also in mixed case, against their ICAO and German-customs
  folds), ``umlauts`` (MÜLLER / MUELLER / MULLER; Ø Å Æ ß);
* ``order_swapped``: Hungarian, Chinese and Japanese names with the fields swapped;
* ``initials``: a given name as its initial; ``hyphenated``: JEAN-PIERRE / JEAN PIERRE /
  JEANPIERRE and double-barrelled surnames (one part dropped).

Different-person classes (``expect`` null): ``gender_pair`` (the same surname, the given
name's form for the other sex: MARIO/MARIA), ``stem_surname`` (a surname of the same
stem, another family: ROBERTS/ROBERTSON), ``shared_common`` (a common surname and given
name shared, the third name different: KHAN, MOHAMMED IMRAN / KHAN, MOHAMMED ASIF),
``other_given`` (the same surname, another given name of the same culture),
``same_given`` (the same given name, another surname of the same culture),
``korean_other`` (a Korean surname in two romanisations, another Korean given name).
"""

from __future__ import annotations

import argparse
import random
import unicodedata
from pathlib import Path
from typing import Any

from build_set import write_set
from conventions_pools import (
    ARABIC_GIVEN,
    ARABIC_NATIONALITY,
    ARABIC_SURNAME,
    CHINESE_SURNAME,
    CHINESE_SYLLABLE,
    COMMON_SHARED,
    CYRILLIC_GIVEN,
    CYRILLIC_NATIONALITY,
    CYRILLIC_SURNAME,
    DOUBLE_BARREL,
    GENDER_PAIRS,
    HYPHEN_GIVEN,
    IBERIAN_GIVEN,
    IBERIAN_PARTICLE_SURNAME,
    IBERIAN_SURNAME,
    INITIAL_GIVEN,
    INITIAL_SURNAME,
    KOREAN_GIVEN,
    KOREAN_SURNAME,
    ORDER_NAMES,
    PARTICLE_SURNAME,
    PORTUGUESE_SURNAME,
    STEM_SURNAMES,
    TURKISH_GIVEN,
    TURKISH_SURNAME,
    UMLAUT_GIVEN,
    UMLAUT_SURNAME,
    VIETNAMESE_GIVEN,
    VIETNAMESE_MIDDLE,
    VIETNAMESE_SURNAME,
    WESTERN_GIVEN,
)
from world_set import add_pair

POSITIVE = ("arabic_latin", "cyrillic_schemes", "chinese_joined", "chinese_wade_giles",
            "chinese_cantonese", "korean", "vietnamese", "iberian_double",
            "iberian_particles", "particles", "turkish", "umlauts", "order_swapped",
            "initials", "hyphenated")  # fmt: skip
NEGATIVE = ("gender_pair", "stem_surname", "shared_common", "other_given", "same_given",
            "korean_other")  # fmt: skip
Name = tuple[str, str]

# ---- Cyrillic by scheme ---------------------------------------------------------------
_CYR = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_VOWELS = set("АЕЁИОУЫЭЮЯ")
_BASE = {
    "icao": "A B V G D E E ZH Z I I K L M N O P R S T U F KH TS CH SH SHCH IE Y - E IU IA",
    "bgn": "A B V G D E E ZH Z I Y K L M N O P R S T U F KH TS CH SH SHCH - Y - E YU YA",
    "old": "A B V G D E E ZH Z I Y K L M N O P R S T U F KH TS CH SH SHCH - Y - E YU YA",
    "de": "A B W G D E JO SCH S I I K L M N O P R S T U F CH Z TSCH SCH SCHTSCH - Y - E JU JA",
    "fr": "A B V G D E IO J Z I I K L M N O P R S T OU F KH TS TCH CH CHTCH - Y - E IOU IA",
    "uz": "A B V G D E YO J Z I Y K L M N O P R S T U F X TS CH SH SHCH - I - E YU YA",
    "ua": "A B V H D E IO ZH Z Y I K L M N O P R S T U F KH TS CH SH SHCH - Y - E IU IA",
}
_TABLES = {k: dict(zip(_CYR, v.split(), strict=True)) for k, v in _BASE.items()}
# Е after a vowel, a sign or at the start: BGN YE, German JE, French IE (ICAO: E).
_IOTA_E = {"bgn": "YE", "old": "YE", "de": "JE", "fr": "IE", "uz": "YE", "ua": "YE"}
_INITIAL = {"ua": {"Ю": "YU", "Я": "YA", "Ё": "YO"}}  # at the start only
SCHEMES = {"RUS": ("icao", "bgn", "old", "de", "fr"), "BLR": ("icao", "bgn", "de", "fr"),
           "KAZ": ("icao", "bgn", "old", "de", "fr"), "KGZ": ("icao", "bgn", "old", "de"),
           "TJK": ("icao", "bgn", "old", "fr"), "UZB": ("icao", "bgn", "uz", "de"),
           "UKR": ("icao", "bgn", "ua", "de")}  # fmt: skip


def romanise(word: str, scheme: str) -> str:
    """A Cyrillic word as the scheme writes it, with the context rules each states
    (iotated E at the start, -ИЙ/-ЫЙ endings, S doubled between vowels in German and
    French, GU before E and I in French)."""
    w, table, out = word.upper(), _TABLES[scheme], []
    for i, ch in enumerate(w):
        prev, nxt = (w[i - 1] if i else ""), (w[i + 1] if i + 1 < len(w) else "")
        start_or_vowel = not prev or prev in _VOWELS or prev in "ЬЪ"
        if ch == "Е" and start_or_vowel and scheme in _IOTA_E:
            out.append(_IOTA_E[scheme])
        elif not prev and ch in _INITIAL.get(scheme, {}):
            out.append(_INITIAL[scheme][ch])
        elif ch == "Й" and not nxt and prev in "ИЫ" and scheme in ("de", "fr", "ua"):
            out.append("")  # ЮРИЙ: JURI, IOURI; ДМИТРИЙ: DMYTRI
        elif ch == "С" and scheme in ("de", "fr") and prev in _VOWELS and nxt in _VOWELS:
            out.append("SS")
        elif ch == "Г" and scheme == "fr" and nxt in "ЕИЫЭЁ":
            out.append("GU")
        elif ch == "Ь" and nxt in "ОЁ" and scheme in ("de", "fr"):
            out.append("")  # СОЛОВЬЁВ: SOLOWJOW, SOLOVIOV
        elif ch == "Ё" and prev in "ЖШЧЩ" and scheme in ("de", "fr"):
            out.append("O")
        else:
            out.append(table[ch])
    return "".join(out).replace("-", "")


# ---- helpers ---------------------------------------------------------------------------
_BARE = str.maketrans({"Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae",
                       "ß": "SS", "ı": "i"})  # fmt: skip


def bare(text: str) -> str:
    """Marks dropped (Đ is D): as a notice keyed by hand from a Vietnamese name."""
    text = text.translate(_BARE)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_ICAO_FOLD = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Ø": "OE",
                            "Æ": "AE"})  # fmt: skip


def icao_fold(text: str) -> str:
    """ICAO 9303's two-letter folds, then any other mark dropped."""
    return bare(unicodedata.normalize("NFC", text).translate(_ICAO_FOLD))


def title(text: str) -> str:
    """Mixed case as a visual zone may print it, by Turkish rules (I is ı, İ is i)."""
    lower = lambda w: "".join({"I": "ı", "İ": "i"}.get(c, c.lower()) for c in w)  # noqa: E731
    return " ".join(w[:1] + lower(w[1:]) for w in text.split())


def words(block: str) -> list[str]:
    return block.split()


def pairs(block: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in (p.split(":") for p in block.split())]


class Conventions:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def two(self, forms: list[str]) -> tuple[str, str]:
        """Two different forms of one name, the first the notice's."""
        distinct = list(dict.fromkeys(forms))
        a, b = self.rng.sample(distinct, 2) if len(distinct) > 1 else (distinct[0],) * 2
        return a, b

    def positive(self, cls: str) -> tuple[Name, Name, str]:
        return getattr(self, f"p_{cls}")()

    def negative(self, cls: str) -> tuple[Name, Name, str]:
        return getattr(self, f"n_{cls}")()

    # -- same person --
    def p_arabic_latin(self) -> tuple[Name, Name, str]:
        rng = self.rng
        s = rng.choice(ARABIC_SURNAME)
        given = rng.sample(ARABIC_GIVEN, rng.choice((1, 1, 2)))
        pick = [self.two(g) for g in given]
        ns, ss = self.two(s)
        return ((ns, " ".join(p[0] for p in pick)), (ss, " ".join(p[1] for p in pick)),
                rng.choice(ARABIC_NATIONALITY))  # fmt: skip

    def p_cyrillic_schemes(self) -> tuple[Name, Name, str]:
        rng = self.rng
        nat = rng.choice(CYRILLIC_NATIONALITY)
        s, g = rng.choice(words(CYRILLIC_SURNAME)), rng.choice(words(CYRILLIC_GIVEN))
        for _ in range(10):
            a, b = rng.sample(SCHEMES[nat], 2)
            notice = (romanise(s, a), romanise(g, a))
            scan = (romanise(s, b), romanise(g, b))
            if notice != scan:
                break
        return notice, scan, nat

    def _chinese(self, a: int, b: int, same_join: bool) -> tuple[Name, Name, str]:
        rng = self.rng
        s = rng.choice(CHINESE_SURNAME)
        sylls = rng.sample(CHINESE_SYLLABLE, 2)
        joins = ["", "-", " "]
        ja = rng.choice(joins)
        jb = rng.choice([j for j in joins if j != ja]) if same_join else rng.choice(joins)
        notice = (s[a], ja.join(x[a] for x in sylls))
        scan = (s[b], jb.join(x[b] for x in sylls))
        return notice, scan, "HKG" if 2 in (a, b) else rng.choice(("CHN", "TWN", "CHN"))

    def p_chinese_joined(self) -> tuple[Name, Name, str]:
        system = self.rng.choice((0, 0, 1))
        return self._chinese(system, system, True)

    def p_chinese_wade_giles(self) -> tuple[Name, Name, str]:
        a, b = self.rng.sample((0, 1), 2)
        return self._chinese(a, b, False)

    def p_chinese_cantonese(self) -> tuple[Name, Name, str]:
        a, b = self.rng.sample((0, 2), 2)
        return self._chinese(a, b, False)

    def p_korean(self) -> tuple[Name, Name, str]:
        rng = self.rng
        s, g = rng.choice(KOREAN_SURNAME), rng.choice(KOREAN_GIVEN)
        i, j = rng.sample(range(3), 2)
        si, sj = (s[i], s[j]) if len(s) == 3 else self.two(s)
        join = lambda x: x.replace(" ", rng.choice(("-", " ", "")))  # noqa: E731
        return (si, join(g[i])), (sj, join(g[j])), "KOR"

    def p_vietnamese(self) -> tuple[Name, Name, str]:
        rng = self.rng
        s = rng.choice(words(VIETNAMESE_SURNAME))
        m, g = rng.choice(words(VIETNAMESE_MIDDLE)), rng.choice(words(VIETNAMESE_GIVEN))
        notice = (bare(s), f"{bare(m)} {bare(g)}")
        u, marked = rng.random(), rng.random() < 0.5
        f = (lambda x: x) if marked else bare
        if u < 0.3:
            scan = (f(s), f(f"{m} {g}"))
        elif u < 0.65:
            scan = (f(g), f(f"{s} {m}"))  # given name first, as Western documents file it
        else:
            scan = (f(s), f(g))  # the middle name dropped
        if scan == notice:
            scan = (s, f"{m} {g}")
        return notice, scan, "VNM"

    def p_iberian_double(self) -> tuple[Name, Name, str]:
        rng = self.rng
        if rng.random() < 0.6:
            s1, s2 = rng.sample(words(IBERIAN_SURNAME), 2)
            nat = rng.choice(("ESP", "MEX", "COL", "ARG", "PER"))
        else:
            s1, s2 = rng.sample(words(PORTUGUESE_SURNAME), 2)
            nat = rng.choice(("PRT", "BRA"))
        g = rng.sample(words(IBERIAN_GIVEN), rng.choice((1, 2)))
        notice = (f"{s1} {s2}", " ".join(g))
        u = rng.random()
        if u < 0.35:  # Spain keeps the first surname, Portugal and Brazil the last
            scan = (s1 if nat not in ("PRT", "BRA") else s2, " ".join(g))
        elif u < 0.55:
            scan = (f"{s1}-{s2}", " ".join(g))
        elif u < 0.7 and len(g) == 2:
            scan = (f"{s1} {s2}", g[0])
        elif u < 0.85:
            scan = (s1 if nat not in ("PRT", "BRA") else s2, g[0])
        else:
            scan = (f"{s1} Y {s2}" if nat not in ("PRT", "BRA") else f"{s1} E {s2}",
                    " ".join(g))  # fmt: skip
        return notice, scan, nat

    def p_iberian_particles(self) -> tuple[Name, Name, str]:
        rng = self.rng
        ns, ss = self.two(rng.choice(IBERIAN_PARTICLE_SURNAME))
        g = " ".join(rng.sample(words(IBERIAN_GIVEN), rng.choice((1, 2))))
        if rng.random() < 0.3:  # a first surname in front as well
            first = rng.choice(words(IBERIAN_SURNAME))
            ns, ss = f"{first} {ns}", f"{first} {ss}"
        return (ns, g), (ss, g), rng.choice(("ESP", "MEX", "PHL", "BRA", "PRT"))

    def p_particles(self) -> tuple[Name, Name, str]:
        rng = self.rng
        forms = rng.choice(PARTICLE_SURNAME)
        g = rng.choice(words(WESTERN_GIVEN))
        ns, ss = self.two(forms)
        notice, scan = (ns, g), (ss, g)
        head = forms[0].split()
        if len(head) > 1 and head[0] in ("VAN", "DE", "VON", "ZU") and rng.random() < 0.3:
            scan = (head[-1], f"{g} {' '.join(head[:-1])}")  # BERG, JAN VAN DER
        nat = {"VAN": "NLD", "DE": "NLD", "VON": "DEU", "ZU": "DEU"}.get(head[0], "XXX")
        return notice, scan, nat if nat != "XXX" else rng.choice(("FRA", "GBR", "IRL", "ITA"))

    def _marked(self, surnames: str, given: str, nat: str) -> tuple[Name, Name, str]:
        rng = self.rng
        s = rng.choice(words(surnames))
        g = " ".join(rng.sample(words(given), rng.choice((1, 1, 2))))
        forms = [lambda x: x, icao_fold, bare]
        if nat == "TUR":
            forms.append(title)
        for _ in range(10):
            fa, fb = rng.sample(forms, 2)
            notice, scan = (fa(s), fa(g)), (fb(s), fb(g))
            if notice != scan:
                break
        return notice, scan, nat

    def p_turkish(self) -> tuple[Name, Name, str]:
        return self._marked(TURKISH_SURNAME, TURKISH_GIVEN, "TUR")

    def p_umlauts(self) -> tuple[Name, Name, str]:
        return self._marked(UMLAUT_SURNAME, UMLAUT_GIVEN,
                            self.rng.choice(("DEU", "AUT", "CHE", "SWE", "NOR", "DNK", "FIN")))

    def p_order_swapped(self) -> tuple[Name, Name, str]:
        rng = self.rng
        i = rng.randrange(len(ORDER_NAMES))
        s, g = ORDER_NAMES[i]
        nat = "HUN" if i < 6 else ("CHN" if i < 11 else "JPN")
        return (s, g), (g, s), nat

    def p_initials(self) -> tuple[Name, Name, str]:
        rng = self.rng
        s = rng.choice(words(INITIAL_SURNAME))
        g1, g2 = rng.sample(words(INITIAL_GIVEN), 2)
        u = rng.random()
        short = f"{g1} {g2[0]}" if u < 0.5 else f"{g1} {g2[0]}." if u < 0.7 else f"{g1[0]} {g2}"
        full, initial = (s, f"{g1} {g2}"), (s, short)
        nat = rng.choice(("GBR", "USA", "CAN", "AUS", "DEU", "FRA"))
        return (full, initial, nat) if rng.random() < 0.7 else (initial, full, nat)

    def p_hyphenated(self) -> tuple[Name, Name, str]:
        rng = self.rng
        if rng.random() < 0.5:
            s = rng.choice(words(INITIAL_SURNAME))
            ng, sg = self.two(rng.choice(HYPHEN_GIVEN))
            return (s, ng), (s, sg), rng.choice(("FRA", "DEU", "CHE", "BEL", "CAN"))
        s = rng.choice(words(DOUBLE_BARREL))
        g = rng.choice(words(INITIAL_GIVEN))
        a, b = s.split("-")
        scan_s = rng.choice((f"{a} {b}", a, f"{a}{b}"))
        return (s, g), (scan_s, g), rng.choice(("GBR", "DEU", "FRA"))

    # -- different people --
    def _culture(self) -> tuple[list[str], list[str], str]:
        rng = self.rng
        c = rng.randrange(5)
        if c == 0:
            return words(IBERIAN_SURNAME), words(IBERIAN_GIVEN), "ESP"
        if c == 1:
            return words(INITIAL_SURNAME), words(INITIAL_GIVEN), "GBR"
        if c == 2:
            return ([romanise(x, "icao") for x in words(CYRILLIC_SURNAME)],
                    [romanise(x, "icao") for x in words(CYRILLIC_GIVEN)], "RUS")  # fmt: skip
        if c == 3:
            return ([g[0] for g in ARABIC_SURNAME], [g[0] for g in ARABIC_GIVEN],
                    rng.choice(ARABIC_NATIONALITY))  # fmt: skip
        return ([icao_fold(x) for x in words(TURKISH_SURNAME)],
                [icao_fold(x) for x in words(TURKISH_GIVEN)], "TUR")  # fmt: skip

    def n_gender_pair(self) -> tuple[Name, Name, str]:
        rng = self.rng
        a, b = rng.choice(pairs(GENDER_PAIRS))
        a, b = (a, b) if rng.random() < 0.5 else (b, a)
        ss, _, nat = self._culture()
        s = rng.choice(ss)
        return (s, a), (s, b), nat

    def n_stem_surname(self) -> tuple[Name, Name, str]:
        rng = self.rng
        a, b = rng.choice(pairs(STEM_SURNAMES))
        a, b = (a, b) if rng.random() < 0.5 else (b, a)
        _, gs, nat = self._culture()
        g = rng.choice(gs)
        return (a, g), (b, g), nat

    def n_shared_common(self) -> tuple[Name, Name, str]:
        rng = self.rng
        s, g, thirds = rng.choice(COMMON_SHARED)
        t1, t2 = rng.sample(thirds.split(), 2)
        return (s, f"{g} {t1}"), (s, f"{g} {t2}"), rng.choice(("PAK", "EGY", "ESP", "VNM",
                                                              "KOR", "CHN", "RUS", "GBR",
                                                              "IND", "NGA"))  # fmt: skip

    def n_other_given(self) -> tuple[Name, Name, str]:
        ss, gs, nat = self._culture()
        s, (a, b) = self.rng.choice(ss), self.rng.sample(gs, 2)
        return (s, a), (s, b), nat

    def n_same_given(self) -> tuple[Name, Name, str]:
        ss, gs, nat = self._culture()
        (a, b), g = self.rng.sample(ss, 2), self.rng.choice(gs)
        return (a, g), (b, g), nat

    def n_korean_other(self) -> tuple[Name, Name, str]:
        rng = self.rng
        s = rng.choice(KOREAN_SURNAME)
        (g1, g2), (i, j) = rng.sample(KOREAN_GIVEN, 2), rng.sample(range(3), 2)
        return (s[i], g1[i]), (s[j], g2[j]), "KOR"


def build(per_class: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    conv = Conventions(rng)
    notices: list[dict[str, Any]] = []
    scans: list[dict[str, Any]] = []
    for cls in POSITIVE + NEGATIVE:
        for _ in range(per_class):
            make = conv.positive if cls in POSITIVE else conv.negative
            (ns, ng), (ss, sg), nat = make(cls)
            add_pair(rng, notices, scans, f"C{len(notices):06d}", cls, (ns, ng), (ss, sg),
                     nat, same=cls in POSITIVE)
    return notices, scans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-class", type=int, default=120)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out-conventions")
    ap.add_argument("--show", type=int, default=0, help="print this many pairs a class")
    args = ap.parse_args()
    notices, scans = build(args.per_class, args.seed)
    if args.show:
        seen: dict[str, int] = {}
        for n, s in zip(notices, scans, strict=True):
            if seen.setdefault(s["family"], 0) < args.show:
                seen[s["family"]] += 1
                nm = n["names"][0]
                print(f"{s['family']:18} {nm['surname']}, {nm['given_names']}  |  "
                      f"{s['surname']}, {s['given_names']}  {s['nationality']}")
    write_set(args.out, notices, scans)


if __name__ == "__main__":
    main()
