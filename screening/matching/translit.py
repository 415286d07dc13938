"""Latin spellings of names written in other scripts, as the schemes people actually meet.

A traveller's MRZ carries one Latin spelling, chosen by the issuing state's rules (ICAO
9303 for most since 2013, older national schemes on older documents, French or German
conventions in some countries). A notice may carry the name in Cyrillic or Arabic
script. Rather than guess one spelling, a notice alias yields the few spellings its
holder's documents are likely to show; the fuzzy scorer bridges what remains.

Everything here returns upper-case ASCII strings with single spaces between tokens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from screening.matching.name_tables import GROUPS_OF
from screening.matching.normalize import normalize_name

# ---------------------------------------------------------------- Cyrillic

# ICAO Doc 9303 part 3 (7th ed.), as Russian passports apply it since 2013.
_ICAO_CYR = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Ґ": "G", "Д": "D", "Ѓ": "G", "Ђ": "D",
    "Е": "E", "Ё": "E", "Є": "IE", "Ж": "ZH", "З": "Z", "Ѕ": "DZ", "И": "I", "І": "I",
    "Ї": "I", "Й": "I", "Ј": "J", "К": "K", "Л": "L", "Љ": "LJ", "М": "M", "Н": "N",
    "Њ": "NJ", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "Ћ": "C", "Ќ": "K",
    "У": "U", "Ў": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Џ": "DZ", "Ш": "SH",
    "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA",
}  # fmt: skip

# Differences from ICAO of the other schemes found on documents and in lists.
_CYR_SCHEMES: dict[str, dict[str, str]] = {
    # Russian passports 1997-2010 (MVD), close to BGN/PCGN without the YE rule.
    "gost": {"Й": "Y", "Ю": "YU", "Я": "YA", "Ъ": "", "Є": "YE", "Ї": "YI"},
    # BGN/PCGN: as above, with YE/YO at the start of a word and after a vowel.
    "bgn": {"Й": "Y", "Ю": "YU", "Я": "YA", "Ъ": "", "Ё": "YO", "Є": "YE", "Ї": "YI"},
    # German (Duden) conventions, common on older German-issued papers and lists.
    "de": {
        "В": "W",
        "Ж": "SCH",
        "З": "S",
        "Х": "CH",
        "Ц": "Z",
        "Ч": "TSCH",
        "Ш": "SCH",
        "Щ": "SCHTSCH",
        "Й": "J",
        "Ю": "JU",
        "Я": "JA",
        "Ё": "JO",
        "Ъ": "",
        "Є": "JE",
    },
    # French conventions (Maghreb, francophone Africa, older Soviet documents).
    "fr": {
        "Ж": "J",
        "Ш": "CH",
        "Ч": "TCH",
        "Щ": "CHTCH",
        "У": "OU",
        "Ю": "IOU",
        "Я": "IA",
        "Ё": "IO",
        "Ъ": "",
        "Х": "KH",
    },
    # Ukrainian national system (2010): Г is H, И is Y.
    "uk": {"Г": "H", "И": "Y", "Й": "Y", "Ю": "YU", "Я": "YA", "Є": "YE", "Ї": "YI"},
    # Scholarly / Serbo-Croatian style with its marks dropped (Ž, Š, Č lose the caron).
    "sci": {
        "Ж": "Z",
        "Ш": "S",
        "Ч": "C",
        "Щ": "SC",
        "Х": "H",
        "Ц": "C",
        "Й": "J",
        "Ю": "JU",
        "Я": "JA",
        "Ъ": "",
        "Є": "JE",
        "Ї": "JI",
    },
}
_CYR_VOWELS = set("АЕЁИОУЫЭЮЯЄІЇЬЪ")
_UKRAINIAN_ONLY = set("ҐЄІЇ")
_SERBIAN_ONLY = set("ЂЈЉЊЋЏЅЌЃ")


def _cyr_word(word: str, table: dict[str, str], scheme: str) -> str:
    out = []
    prev = ""
    for i, ch in enumerate(word):
        up = ch.upper()
        latin = table.get(up)
        if latin is None:
            latin = anyascii(ch).upper()
        elif scheme == "bgn" and up in "ЕЁ" and (i == 0 or prev in _CYR_VOWELS):
            latin = "YE" if up == "Е" else "YO"
        elif scheme == "fr" and up == "С" and 0 < i < len(word) - 1 and prev in _CYR_VOWELS:
            nxt = word[i + 1].upper()
            latin = "SS" if nxt in _CYR_VOWELS else "S"
        out.append(latin)
        prev = up
    return "".join(out)


def cyrillic_variants(text: str) -> list[str]:
    """ICAO 9303 first, then the other schemes, duplicates dropped, order kept."""
    words = re.findall(r"[^\W\d_]+", text)
    letters = set(text.upper())
    schemes = ["icao", "gost", "bgn", "de", "fr", "sci"]
    if letters & _UKRAINIAN_ONLY:
        schemes.insert(1, "uk")
    elif "Г" in letters and not letters & set("ЫЭЁЪ"):
        schemes.insert(1, "uk_h")  # could be Ukrainian: Олег is OLEH on a Ukrainian passport
    if letters & _SERBIAN_ONLY:
        schemes = ["icao", "sci"]
    out: list[str] = []
    for scheme in schemes:
        if scheme == "uk_h":
            table = {**_ICAO_CYR, "Г": "H"}
        else:
            table = _ICAO_CYR if scheme == "icao" else {**_ICAO_CYR, **_CYR_SCHEMES[scheme]}
        variant = " ".join(_cyr_word(w, table, scheme) for w in words)
        if variant and variant not in out:
            out.append(variant)
    return out


# ---------------------------------------------------------------- Arabic

# ICAO Doc 9303 part 3 Arabic table (reversible, hence the X-codes); MRZs rarely use it
# but some lists do, so the spelling it gives is kept as one variant.
_ICAO_ARAB = {
    "ء": "XE", "آ": "XAA", "أ": "XAE", "ؤ": "U", "إ": "I", "ئ": "XI", "ا": "A", "ب": "B",
    "ة": "XTA", "ت": "T", "ث": "XTH", "ج": "J", "ح": "XH", "خ": "XKH", "د": "D",
    "ذ": "XDH", "ر": "R", "ز": "Z", "س": "S", "ش": "XSH", "ص": "XSS", "ض": "XDZ",
    "ط": "XTT", "ظ": "XZZ", "ع": "E", "غ": "G", "ف": "F", "ق": "Q", "ك": "K", "ل": "L",
    "م": "M", "ن": "N", "ه": "H", "و": "W", "ى": "XAY", "ي": "Y", "َ": "A", "ُ": "U",
    "ِ": "I", "ْ": "",
}  # fmt: skip

# Plain consonantal spelling: what is written, short vowels absent. Long vowels (ا و ي)
# come out as A, U/W and I/Y; the scorer compares such tokens on consonants.
_PLAIN_ARAB = {
    "ء": "", "آ": "A", "أ": "A", "ؤ": "U", "إ": "I", "ئ": "I", "ا": "A", "ب": "B",
    "ة": "A", "ت": "T", "ث": "TH", "ج": "J", "ح": "H", "خ": "KH", "د": "D", "ذ": "DH",
    "ر": "R", "ز": "Z", "س": "S", "ش": "SH", "ص": "S", "ض": "D", "ط": "T", "ظ": "Z",
    "ع": "", "غ": "GH", "ف": "F", "ق": "Q", "ك": "K", "ل": "L", "م": "M", "ن": "N",
    "ه": "H", "و": "W", "ى": "A", "ي": "Y", "پ": "P", "چ": "CH", "ژ": "ZH", "گ": "G",
    "ک": "K", "ی": "Y",
}  # fmt: skip

# The commonest name words, with the spellings documents use most (first = usual).
# Unvocalised Arabic cannot be read without them: محمد is MHMD until one knows the name.
_ARABIC_WORDS: dict[str, tuple[str, ...]] = {
    "محمد": ("MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMAD", "MOHAMMAD"),
    "أحمد": ("AHMED", "AHMAD"), "احمد": ("AHMED", "AHMAD"), "محمود": ("MAHMOUD", "MAHMUD"),
    "علي": ("ALI",), "عمر": ("OMAR", "UMAR"), "عثمان": ("OTHMAN", "OSMAN", "UTHMAN"),
    "يوسف": ("YOUSSEF", "YUSUF", "YOUSEF", "YOUSIF"), "يونس": ("YOUNES", "YUNUS", "YOUNIS"),
    "إبراهيم": ("IBRAHIM", "EBRAHIM"), "ابراهيم": ("IBRAHIM", "EBRAHIM"),
    "خالد": ("KHALED", "KHALID"), "حسن": ("HASSAN", "HASAN"),
    "حسين": ("HUSSEIN", "HUSSAIN", "HOSSEIN", "HUSAIN"), "مصطفى": ("MOSTAFA", "MUSTAFA"),
    "سعيد": ("SAID", "SAEED"), "طارق": ("TAREK", "TARIQ"), "كريم": ("KARIM", "KAREEM"),
    "جمال": ("JAMAL", "GAMAL", "DJAMEL"), "ياسر": ("YASSER", "YASIR"), "سامي": ("SAMI",),
    "فيصل": ("FAISAL", "FAYSAL"), "ناصر": ("NASSER", "NASIR"), "وليد": ("WALID", "WALEED"),
    "زياد": ("ZIAD", "ZIYAD"), "هشام": ("HISHAM", "HICHAM"), "عادل": ("ADEL", "ADIL"),
    "رشيد": ("RACHID", "RASHID"), "منصور": ("MANSOUR", "MANSUR"), "صالح": ("SALEH", "SALIH"),
    "سليمان": ("SULEIMAN", "SOLIMAN", "SULAIMAN"), "موسى": ("MOUSSA", "MUSA"),
    "عيسى": ("ISSA", "ISA"), "داود": ("DAOUD", "DAWOOD"), "قاسم": ("KASSEM", "QASIM"),
    "حمزة": ("HAMZA",), "بلال": ("BILAL",), "أنس": ("ANAS",), "عماد": ("IMAD", "EMAD"),
    "فاطمة": ("FATIMA", "FATMA"), "عائشة": ("AISHA", "AICHA"), "مريم": ("MARYAM", "MERIEM"),
    "زينب": ("ZAINAB", "ZEINAB"), "خديجة": ("KHADIJA", "KHADIDJA"), "نور": ("NOUR", "NOOR"),
    "ليلى": ("LEILA", "LAYLA"), "سارة": ("SARA", "SARAH"), "أمينة": ("AMINA",),
    "هدى": ("HUDA", "HOUDA"), "عبد": ("ABD", "ABDUL", "ABDEL"), "بن": ("BEN", "BIN"),
    "ابن": ("IBN", "BEN"), "أبو": ("ABU", "ABOU"), "ابو": ("ABU", "ABOU"),
    "الله": ("ALLAH",), "الرحمن": ("RAHMAN",), "عبدالله": ("ABDULLAH", "ABDALLAH"),
    "حداد": ("HADDAD",), "نصر": ("NASR",), "جابر": ("JABER", "JABIR"),
}  # fmt: skip
_ABD_COMPOUNDS = {"الله": "LAH", "الرحمن": "RAHMAN", "العزيز": "AZIZ", "الكريم": "KARIM"}
_HARAKAT = re.compile("[\u064b-\u0652\u0670]")


def _arabic_word(word: str, table: dict[str, str]) -> str:
    out = []
    for i, ch in enumerate(word):
        latin = table.get(ch)
        if latin is None:
            latin = anyascii(ch).upper()
        elif table is _PLAIN_ARAB and ch in "وي":
            # Consonant at the start or after a long vowel, long vowel after a consonant.
            prev = word[i - 1] if i else ""
            consonant = i == 0 or prev in "اوي"
            latin = ("W" if ch == "و" else "Y") if consonant else ("U" if ch == "و" else "I")
        out.append(latin)
    return "".join(out)


def _with_article(word: str) -> str:
    """The word without its article (ال), or "" when it has none."""
    return word[2:] if word.startswith("ال") and len(word) > 3 else ""


def _second_spelling(word: str) -> str | None:
    """The dictionary's second spelling of a known word (MOHAMMED -> MUHAMMAD), with its
    article when it has one (AL HASAN)."""
    for w, article in ((word, ""), (_with_article(word), "AL ")):
        spellings = _ARABIC_WORDS.get(w, ())
        if len(spellings) > 1:
            return article + spellings[1]
    return None


def _arabic_plain_words(words: list[str]) -> list[str]:
    plain: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w == "عبد" and i + 1 < len(words) and words[i + 1].startswith("ال"):
            rest = words[i + 1]
            plain.append("ABDUL" + _ABD_COMPOUNDS.get(rest, _arabic_word(rest[2:], _PLAIN_ARAB)))
            i += 2
            continue
        if w in _ARABIC_WORDS:
            plain.append(_ARABIC_WORDS[w][0])
        elif _with_article(w) in _ARABIC_WORDS:  # الحسن: AL HASSAN, a known name
            plain.append("AL " + _ARABIC_WORDS[_with_article(w)][0])
        elif w.startswith("ال") and len(w) > 3:
            plain.append("AL " + _arabic_word(w[2:], _PLAIN_ARAB))
        else:
            plain.append(_arabic_word(w, _PLAIN_ARAB))
        i += 1
    return plain


def arabic_variants(text: str, icao: bool = True) -> list[str]:
    """Dictionary spellings of known words, the consonantal spelling, ICAO's X-code form."""
    words = re.findall(r"[^\W\d_]+", _HARAKAT.sub("", unicodedata.normalize("NFC", text)))
    if not words:
        return []
    out = [" ".join(_arabic_plain_words(words))]
    # Second dictionary spelling of each known word (MOHAMMED -> MUHAMMAD ...).
    alt = [_second_spelling(w) for w in words]
    if any(alt) and "عبد" not in words:
        plain = _arabic_plain_words(words)
        out.append(" ".join(a or p for a, p in zip(alt, plain, strict=True)))
    if icao:
        out.append(" ".join(_arabic_word(w, _ICAO_ARAB) for w in words))
    return list(dict.fromkeys(out))


# Spellings the dictionary gives: tokens that are vocalised although they came from Arabic.
ARABIC_SPELLINGS = frozenset(s for spellings in _ARABIC_WORDS.values() for s in spellings) | {
    "ABDUL" + rest for rest in _ABD_COMPOUNDS.values()
}


# ---------------------------------------------------------------- Chinese (pinyin)

_PINYIN_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
                    "j", "q", "x", "r", "z", "c", "s", "y", "w", "")  # fmt: skip
_PINYIN_FINALS = (
    "iang", "iong", "uang", "ueng", "ang", "eng", "ing", "ong", "ian", "iao", "uai", "uan",
    "van", "ai", "ao", "an", "ei", "en", "er", "ia", "ie", "in", "iu", "ou", "ua", "ue",
    "ui", "un", "uo", "ve", "a", "e", "i", "o", "u", "v",
)  # fmt: skip
# Wade-Giles (Taiwan's passports until 2009 and many still) for pinyin initials/finals.
_WG_INITIAL = {"zh": "ch", "ch": "ch", "j": "ch", "q": "ch", "x": "hs", "z": "ts", "c": "ts",
               "b": "p", "d": "t", "g": "k", "r": "j"}  # fmt: skip
_WG_FINAL = {"ong": "ung", "ian": "ien", "ie": "ieh", "iong": "iung", "ui": "uei"}


# Every syllable (an initial and a final; a final alone only if it starts with A, E or O)
# -> its rank in the order the walk of pinyin_syllables tries them: by initial, then by
# final, as _PINYIN_INITIALS and _PINYIN_FINALS list them. A syllable splits one way only
# (finals start with a vowel, initials hold none), so the rank is the pair's.
_SYLLABLE_RANK: dict[str, int] = {}
for _ini in _PINYIN_INITIALS:
    for _fin in _PINYIN_FINALS:
        if _ini or _fin[0] in "aeo":
            _SYLLABLE_RANK.setdefault(_ini + _fin, len(_SYLLABLE_RANK))
_LONGEST_SYLLABLE = max(map(len, _SYLLABLE_RANK))


@lru_cache(maxsize=8192)
def pinyin_syllables(token: str) -> tuple[str, ...] | None:
    """Split a run of pinyin (XIAOMING -> XIAO, MING), or None when it is not pinyin: the
    first split, syllables tried in _SYLLABLE_RANK's order (so JIANG is JIANG, not JI
    ANG). The syllables a place starts are looked up by their letters, and a place that
    led nowhere is not walked again (a name of a Chinese surname asks: str.startswith
    for each initial and final made it four times as dear)."""
    s = token.lower()
    n = len(s)
    if not s or n > 18:
        return None
    rank = _SYLLABLE_RANK
    dead: set[int] = set()

    def walk(i: int) -> list[str] | None:
        found = [s[i:j] for j in range(i + 1, min(n, i + _LONGEST_SYLLABLE) + 1)
                 if s[i:j] in rank]  # fmt: skip
        if len(found) > 1:
            found.sort(key=rank.__getitem__)
        for syllable in found:
            j = i + len(syllable)
            if j == n:
                return [syllable]
            if j in dead:
                continue
            rest = walk(j)
            if rest is not None:
                rest.append(syllable)
                return rest
            dead.add(j)
        return None

    best = walk(0)
    return tuple(x.upper() for x in reversed(best)) if best else None


def _single_syllables() -> frozenset[str]:
    """Every token that pinyin_syllables reads as one syllable: each is an initial and a
    final, so trying all pairs finds them all (a set lookup instead of a search)."""
    out = set()
    for ini in _PINYIN_INITIALS:
        for fin in _PINYIN_FINALS:
            syllables = pinyin_syllables((ini + fin).upper())
            if syllables is not None and len(syllables) == 1:
                out.add((ini + fin).upper())
    return frozenset(out)


PINYIN_SINGLE_SYLLABLES = _single_syllables()


def _wade_giles_syllable(syl: str) -> str:
    s = syl.lower()
    ini = next(i for i in _PINYIN_INITIALS if s.startswith(i))
    fin = s[len(ini) :]
    if ini in ("zh", "ch", "sh", "r") and fin == "i":
        fin = "ih"
    elif ini in ("z", "c", "s") and fin == "i":
        fin = "u"
    fin = _WG_FINAL.get(fin, fin)
    if ini in ("j", "q", "x") and fin.startswith("u"):
        fin = "ü" if fin == "u" else fin
    return (_WG_INITIAL.get(ini, ini) + fin).upper().replace("Ü", "U")


def chinese_respellings(tokens: list[str]) -> list[str]:
    """Split, Wade-Giles, and Wade-Giles joined forms of a pinyin name part: XIAOMING ->
    XIAO MING, HSIAO MING, HSIAOMING (always three, repeated when equal, so the forms of
    a surname and of given names pair up); [] unless every token is pinyin."""
    split = [pinyin_syllables(t) for t in tokens]
    if not tokens or any(s is None or len(s) > 3 for s in split):
        return []
    parts = [s for s in split if s]
    spaced = " ".join(" ".join(s) for s in parts)
    wade = " ".join(" ".join(_wade_giles_syllable(x) for x in s) for s in parts)
    wade_joined = " ".join("".join(_wade_giles_syllable(x) for x in s) for s in parts)
    return [spaced, wade, wade_joined]


# ---------------------------------------------------------------- Korean (Latin)
# Korean names in Latin letters: the Revised Romanisation (2000), McCune-Reischauer and
# the customary passport spellings differ in voicing (K/G, CH/J, P/B, T/D), in the vowels
# ㅓ ㅡ ㅜ (EO, O, U; EU, U; OO, U), in a leading ㄹ (RHEE, LEE, YI, I; ROH, NOH, NO), in a
# silent H or R marking a long vowel (AHN, KOH, PARK) and in SH before I (SHIN, SIN).
# korean_fold writes all of them one way, so that two documents' spellings meet.
# Each rule with what every match of it holds ("": nothing known), applied only where the
# token holds it (a substitution's search costs thousands of instructions, matched or
# not); K G, P B, T D and U O, letter for letter, one translation (_KOREAN_LETTERS).
_KOREAN_RULES = [(re.compile(p), r, needle) for p, r, needle in (
    (r"SH", "S", "SH"), (r"WOO", "U", "WOO"), (r"EO", "O", "EO"), (r"EU", "U", "EU"),
    (r"OO", "U", "OO"), (r"OU", "O", "OU"), (r"EE", "I", "EE"), (r"AI", "AE", "AI"),
    (r"OI", "OE", "OI"), (r"(?<=[AEIOU])H(?=[^AEIOUWY]|$)", "", "H"),
    (r"^(?:RH|R|L)(?=[IY])", "", ""), (r"^YI", "I", "YI"), (r"^(?:RH|R|L)", "N", ""),
    (r"AR(?=[^AEIOUWY]|$)", "A", "AR"), (r"CH", "J", "CH"),
)]  # fmt: skip
_KOREAN_LETTERS = str.maketrans("KPTU", "GBDO")
_DOUBLED = re.compile(r"(.)\1+")


CHINESE_NATIONS = frozenset({"CHN", "TWN", "HKG", "MAC", "SGP", "MYS", "GBN"})


def chinese_name(surname: list[str] | tuple[str, ...], given: list[str] | tuple[str, ...],
                 nations: frozenset[str] | list[str] | tuple[str, ...] = ()) -> bool:
    """Whether a Latin name reads as a Chinese one in pinyin (every token pinyin
    syllables) held by a national of a Chinese-speaking state, or of any state when its
    surname is a Chinese one (GROUPS_OF): a pinyin name on a British passport too."""
    if not surname or not given:
        return False
    if surname[0] not in GROUPS_OF and not (nations and CHINESE_NATIONS.intersection(nations)):
        return False  # first: the cheaper test, and the one most names fail
    return all(pinyin_syllables(t) for t in (*surname, *given))


@lru_cache(maxsize=8192)
def korean_fold(token: str) -> str:
    """One spelling for the romanisations of a Korean name token (PARK, BAK, PAK: BAG;
    HYUN, HYEON, HYON: HYON; CHOI, CHOE: JOE)."""
    for rx, repl, needle in _KOREAN_RULES:
        if needle in token:
            token = rx.sub(repl, token)
    return _DOUBLED.sub(r"\1", token.translate(_KOREAN_LETTERS)) or "A"


# A Latin name reads as a Korean one (whatever the holder's nationality: a Korean
# name on another state's passport) when its surname is a Korean one in any of its
# romanisations (folded) and its given names are two syllables (MIN-JUN, MIN JUN,
# MINJUN), as Korean given names are.
_KOREAN_SYLLABLE = re.compile(
    r"(?:KK|TT|PP|SS|JJ|CH|SH|[GKNDTRLMBPSJHYW])?"
    r"(?:WAE|WOE|WEO|WA|WE|WI|WO|YAE|YEO|YE|YA|YO|YU|AE|EO|EU|OE|UI|OO|EE|OU|A|E|I|O|U)"
    r"(?:NG|N|M|L|K|P|T|B|G)?")
_KOREAN_GIVEN = re.compile(f"(?:{_KOREAN_SYLLABLE.pattern}){{2}}")  # JIHOON, DONGHYEON


def korean_name(surname: list[str] | tuple[str, ...], given: list[str] | tuple[str, ...],
                surnames: frozenset[str]) -> bool:
    """Whether a Latin name reads as Korean: `surnames`, the folded (korean_fold)
    spellings of Korean surnames."""
    if len(surname) != 1:
        return False
    # the fold last: the dearer
    return _korean_given(tuple(given)) and korean_fold(surname[0]) in surnames


@lru_cache(maxsize=65536)
def _korean_given(given: tuple[str, ...]) -> bool:
    """Whether given names are two syllables, as Korean ones are. Cached: given names
    recur far more often than whole names (a Latin scan's name asks, readings.marked_convention)."""
    if len(given) == 2:
        return all(_KOREAN_SYLLABLE.fullmatch(t) for t in given)
    return len(given) == 1 and _KOREAN_GIVEN.fullmatch(given[0]) is not None


# ---------------------------------------------------------------- any script

_SCRIPT_RANGES = (("Cyrl", 0x0400, 0x052F), ("Arab", 0x0600, 0x06FF), ("Arab", 0x0750, 0x077F),
                  ("Hani", 0x4E00, 0x9FFF))  # fmt: skip


def detect_script(text: str) -> str:
    """Cyrl, Arab, Hani or Latn (anything else anyascii handles as Latn)."""
    if text.isascii():  # most names: no character to look up (7 µs a name otherwise)
        return "Latn"
    for ch in text:
        code = ord(ch)
        for name, lo, hi in _SCRIPT_RANGES:
            if lo <= code <= hi:
                return name
    return "Latn"


def latin_variants(text: str, script: str | None = None) -> list[str]:
    """Latin spellings of a name part, most official first; [] for an empty one."""
    if not text or not text.strip():
        return []
    found = detect_script(text)
    if found == "Cyrl":
        return cyrillic_variants(text)
    if found == "Arab":
        return arabic_variants(text)
    if found == "Hani":
        # anyascii gives pinyin syllables capitalised and run together: ZhangXiaoMing.
        syllables = re.findall(r"[A-Z][a-z]*", anyascii(text))
        return [" ".join(s.upper() for s in syllables)] if syllables else []
    return [normalize_name(text)] if normalize_name(text) else []


__all__ = [
    "ARABIC_SPELLINGS",
    "PINYIN_SINGLE_SYLLABLES",
    "arabic_variants",
    "chinese_respellings",
    "cyrillic_variants",
    "detect_script",
    "latin_variants",
    "pinyin_syllables",
]
