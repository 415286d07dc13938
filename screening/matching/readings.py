"""Latin readings of a name as a scan carries it: in whatever script the document's
visual zone uses, by its state's romanisation, or with OCR digits inside.

A notice writes its names in Latin letters (and sometimes in Cyrillic or Arabic); a
terminal reads what the document prints. One Latin spelling cannot stand for a name
in another script, so a name part gets a few readings, most likely first; the scorer
takes the best. Libraries where they are kept well (pypinyin for Han, pykakasi for
Japanese, korean-romanizer for Hangul, anyascii for the rest); tables only for what no
library knows: customary spellings of Korean surnames (KIM, LEE, PARK are not Revised
Romanisation), how Belarusian spells a Russian name, Hebrew letters for comparison.

Scripts without written short vowels (Arabic, Hebrew; Thai, Khmer, Devanagari and
Bengali as anyascii spells them, without the inherent vowel) give *consonantal*
readings: the scorer compares their consonants only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from anyascii import anyascii

from screening.matching.arabic_compounds import compounds
from screening.matching.cyrillic_schemes import CYRILLIC_NATIONS, SCHEME_RULES
from screening.matching.name_tables import GROUPS_OF
from screening.matching.normalize import name_variants, normalize_name
from screening.matching.translit import (
    ARABIC_SPELLINGS,
    arabic_variants,
    chinese_name,
    chinese_respellings,
    cyrillic_variants,
    korean_fold,
    korean_name,
)

MAX_READINGS = 5


# The convention (readings) of given names in Hangul whose surname reads as a foreign
# name's (푸틴 / 이반: IVAN, not the Korean I BAN): read back as a foreign name's too.
FOREIGN_NAME = "foreign"


class Reading(NamedTuple):
    """One Latin reading of a name part."""

    tokens: tuple[str, ...]
    consonantal: bool  # short vowels unwritten: compare consonants only
    plain: bool  # the name as written (Latin letters), not a reading of another script
    folded: bool = False  # a folded spelling (translit.korean_fold): pairs only if equal
    foreign: bool = False  # a foreign name read back from Hangul or katakana (_Foreign)
    hangul: bool = False  # ... from Hangul (_ForeignHangul)


# First code point ranges of the scripts read here; anything else is read by anyascii.
_RANGES = (
    ("Cyrl", 0x0400, 0x052F), ("Arab", 0x0600, 0x06FF), ("Arab", 0x0750, 0x077F),
    ("Arab", 0xFB50, 0xFDFF), ("Arab", 0xFE70, 0xFEFF), ("Hebr", 0x0590, 0x05FF),
    ("Kana", 0x3040, 0x30FF), ("Kana", 0x31F0, 0x31FF), ("Kana", 0xFF66, 0xFF9F),
    ("Hang", 0xAC00, 0xD7AF), ("Hang", 0x1100, 0x11FF), ("Hang", 0x3130, 0x318F),
    ("Hani", 0x4E00, 0x9FFF), ("Hani", 0x3400, 0x4DBF), ("Hani", 0xF900, 0xFAFF),
    ("Thai", 0x0E00, 0x0E7F), ("Khmr", 0x1780, 0x17FF), ("Deva", 0x0900, 0x097F),
    ("Beng", 0x0980, 0x09FF), ("Grek", 0x0370, 0x03FF), ("Grek", 0x1F00, 0x1FFF),
    ("Geor", 0x10A0, 0x10FF), ("Armn", 0x0530, 0x058F),
)  # fmt: skip
# Read by anyascii without written short vowels: compared on consonants.
_CONSONANTAL = frozenset({"Thai", "Khmr", "Deva", "Beng", "Arab", "Hebr"})


def script_of(text: str) -> str:
    """The script of a name part (ISO 15924 code); Kana wins over Han (Japanese)."""
    found = "Latn"
    for ch in text:
        code = ord(ch)
        if code < 0x0370:
            continue
        for name, lo, hi in _RANGES:
            if lo <= code <= hi:
                if name == "Kana":
                    return name
                if found == "Latn":
                    found = name
                break
    return found


# ---------------------------------------------------------------- Latin letters
# Digits a scanner reads for the letters they look like (SECH1N, I9OR).
_OCR_DIGITS = str.maketrans("0123456789", "OIZEASGTBG")
_DIGIT = re.compile(r"[0-9]")


@lru_cache(maxsize=65536)
def latin_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a name part in Latin letters (MRZ filler a space, OCR digits letters).
    Cached: a surname or given names recur far more often than a whole name."""
    normal = normalize_name(text.replace("<", " "))
    # (normalize_name writes A-Z, 0-9 and spaces: letters alone hold no digit, and a
    # test of that costs a tenth of a search)
    if normal.replace(" ", "").isalpha() or not _DIGIT.search(normal):
        return tuple(normal.split())
    out = []
    for token in normal.split():
        if _DIGIT.search(token):
            if token.isdigit():
                continue  # a number is no part of a name
            token = token.translate(_OCR_DIGITS)
        out.append(token)
    return tuple(out)


# National romanisations of (mostly Russian) names on Latin documents, as the ICAO
# spelling a notice uses writes them. Hungarian: SZ is S, S is SH, CS CH, ZS ZH, C TS, GY
# TY NY soft D T N, J is Y (PUTYIN VLAGYIMIR, ZAJCEV ZAITSEV). Latvian: masculine names
# end in -S (LAVROVS SERGEJS), J is Y (DJAGILEVS, DYAGILEV), C is TS; a C may also be a Č
# whose mark the MRZ dropped (VJAČESLAVS written VJACESLAVS, VYACHESLAV): read so too.
_HU_RULES = [(re.compile(p), r) for p, r in (
    (r"CS", "\x01"), (r"SZ", "\x02"), (r"ZS", "\x03"), (r"S", "SH"), (r"C", "TS"),
    ("\x01", "CH"),
    ("\x02", "S"), ("\x03", "ZH"), (r"GY", "D"), (r"TY", "T"), (r"NY", "N"), (r"LY", "L"),
    (r"J", "Y"),
)]  # fmt: skip
_LV_RULES = [(re.compile(p), r) for p, r in (
    (r"(?<=[^AEIOUS])S$", ""), (r"J", "Y"), (r"C", "TS"),
)]  # fmt: skip
# Belarus's passports romanise the Belarusian form of a name, which spells a Russian one
# as it is said (ALIAKSANDR LUKASHENKA, SIARHEI, ULADZIMIR, PIATROU, TSIKHANOUSKAYA): a
# reading with its regular correspondences undone (as _BELARUSIAN does for Cyrillic) meets
# the Russian name a notice spells: DZ D, TS before I T, Ў (U after a vowel, or first
# before a consonant) V, IA after a consonant E (not last: MARYIA), H (Г) G, the -ENKA of
# -ENKO (an unstressed O is written A; other such A are left to the scorer).
_BE_RULES = [(re.compile(p), r) for p, r in (
    (r"DZ", "D"), (r"TS(?=I)", "T"), (r"^U(?=[^AEIOUY])", "V"), (r"(?<=[AEIO])U(?![AEIOUY])", "V"),
    (r"(?<=[^AEIOUY])IA(?!$)", "E"), (r"(?<![SZCK])H", "G"), (r"ENKA$", "ENKO"),
)]  # fmt: skip
# Ukraine's passports romanise the Ukrainian form (HRYHORII, MYKOLA, DMYTRO): Г is H, И
# Y (a Russian И is I).
_UK_RULES = [(re.compile(p), r) for p, r in (
    (r"(?<![SZCK])H", "G"), (r"(?<=[^AEIOUY])Y(?=[^AEIOUY])", "I"),
)]  # fmt: skip
# German and French spellings of a Cyrillic name ("de", "fr": cyrillic_schemes, chosen by
# the name's marks for a national of a state that writes Cyrillic, "cy"; Belarus's "be",
# Ukraine's "uk").
_CONVENTION_RULES = {"hu": _HU_RULES, "lv": _LV_RULES, "be": _BE_RULES, "uk": _UK_RULES,
                     **SCHEME_RULES}  # fmt: skip
ARABIC_NATIONS = frozenset({
    "DZA", "BHR", "COM", "DJI", "EGY", "IRQ", "JOR", "KWT", "LBN", "LBY", "MRT", "MAR", "OMN",
    "PSE", "QAT", "SAU", "SOM", "SDN", "SYR", "TUN", "ARE", "YEM", "IRN", "AFG", "PAK",
})  # fmt: skip
# Documents of these states spell foreign (Russian) names by these conventions; those of
# the Chinese-speaking ones may write a name in pinyin that a notice has in Wade-Giles
# (ZHU ZHEN HONG, CHU CHEN HUNG): read it both ways ("zh"). Hong Kong's and Macau's
# write names in Cantonese romanisation ("yue"; cantonese.py), and so do the British
# National (Overseas) passports Hong Kong's residents hold (GBN).
# Korean documents and notices spell a name by one of three romanisations: a Korean
# national's name is also read folded (translit.korean_fold; notices of Korean nationals
# carry the folded form too).
CONVENTIONS = {"HUN": "hu", "LVA": "lv", "LTU": "lv", "CHN": "zh", "TWN": "zh", "HKG": "yue",
               "MAC": "yue", "GBN": "yue", "SGP": "zh", "KOR": "ko", "PRK": "ko",
               **dict.fromkeys(CYRILLIC_NATIONS, "cy"), **dict.fromkeys(ARABIC_NATIONS, "ar"),
               "BLR": "be", "UKR": "uk"}  # fmt: skip
# "ar": states whose nationals' names are mostly Arabic (the Arab League's, Iran,
# Afghanistan, Pakistan). Their Latin spellings differ by the schemes of English and
# French (KHOURY, KHOURI, KHURI; CHOUAIB, SHOAIB; QURAISHI, KURESHI): a name of theirs
# is read as written, and its tokens are compared on consonants too (name_tokens.ARABIC).


CHINESE = frozenset({"zh", "yue"})

# The same renderings on a document whose holder's nationality does not say so (a
# Russian's name as a Hungarian or Latvian official wrote it: PUTYIN VLAGYIMIR, LAVROVS
# SERGEJS), known by their marks. Hungarian: the digraphs GY, CS (not MCS: MCSWEENEY),
# ZS between vowels or first (ZSOLT; not SCHWARZSTEIN), or TY before a vowel inside a
# word but after an I (PUTYIN; ADITYA is Indian), which English, French or German
# spellings of a name do not write. Latvian: two of the name's tokens ending in a consonant and S
# (SERGEJS, LAVROVS, IGORS), where an English surname with such an ending (ROBERTS,
# COLLINS) rarely has a given name that also ends so (JAMES, CHRIS end in a vowel and S).
_HU_MARKS = re.compile(r"GY|(?<!M)CS|(?:\b|(?<=[AEIOU]))ZS(?=[AEIOU])|(?<=[A-HJ-Z])TY(?=[AEIOU])")


@lru_cache(maxsize=16384)
def marked_convention(surname: str | None, given_names: str | None) -> str:
    """The national rendering ("ko", "zh", "lv", "hu") a Latin name's own marks show, or
    "". A name written whole in one field is read surname first, as Chinese and Korean
    names are. Cached: a name's keys and its scoring forms ask for it alike."""
    if surname and given_names:
        s_tokens, g_tokens = latin_tokens(surname), latin_tokens(given_names)
    else:
        whole = latin_tokens(surname or given_names or "")
        s_tokens, g_tokens = whole[:1], whole[1:]
    if not s_tokens or not g_tokens:
        return ""
    # Chinese first: a name both could be (SU TINGWEN, YU JI HUN) is far more often
    # Chinese; a Korean national's is read folded by the nationality all the same.
    # (each call only where its first test, written out, passes: most names fail it)
    if s_tokens[0] in GROUPS_OF and chinese_name(s_tokens, g_tokens):
        return "zh"  # read in Wade-Giles too, whatever the holder's nationality
    if len(s_tokens) == 1 and korean_name(s_tokens, g_tokens, KOREAN_SURNAMES_FOLDED):
        return "ko"
    (s_endings, s_hungarian), (g_endings, g_hungarian) = _marks(s_tokens), _marks(g_tokens)
    if s_endings + g_endings >= 2:
        return "lv"  # first: Latvian writes Č as C, and ASCII -IČS as -ICS
    return "hu" if s_hungarian or g_hungarian else ""


_LV_CONSONANTS = frozenset("BDGJKLMNPRTVZ")
_HU_DIGRAPHS = ("GY", "CS", "ZS", "TY")  # one is in every _HU_MARKS match


@lru_cache(maxsize=65536)  # as latin_tokens: parts, not names
def _marks(tokens: tuple[str, ...]) -> tuple[int, bool]:
    """A name part's Latvian endings, and whether it has a Hungarian mark. No mark spans
    two tokens, so a name's are its parts' together; cached apart: a surname or given
    names recur far more often than a whole name (a new name's convention cost 3.6 µs, 1.5 so).
    The tokens are latin_tokens' (A-Z only): a Latvian ending (a token of four letters or
    more ending in a consonant and S) is told by its last letters; _HU_MARKS is searched
    only when a digraph of its is there (the regular expressions cost 17,000
    instructions a new part, most names' parts are new to a process)."""
    endings = sum(1 for t in tokens if len(t) >= 4 and t[-1] == "S" and t[-2] in _LV_CONSONANTS)
    text = " ".join(tokens)
    hungarian = any(d in text for d in _HU_DIGRAPHS) and _HU_MARKS.search(text) is not None
    return endings, hungarian


def _national(tokens: tuple[str, ...], convention: str) -> tuple[str, ...]:
    out = []
    for token in tokens:
        for rx, repl in _CONVENTION_RULES[convention]:
            token = rx.sub(repl, token)
        out.append(token or "A")
    return tuple(out)


# ---------------------------------------------------------------- Cyrillic
# Belarusian spells a Russian name as it is said (Уладзімір, Пятроў, Сяргей): a reading
# with its regular correspondences undone (ДЗ Д, Ц before a soft vowel Т, Ў and a
# leading У before a consonant В, Я after a consonant Е, Э Е, Ы И) meets the ICAO
# spelling of the Russian name a notice uses; the unstressed A for O is left to the scorer.
_BELARUSIAN = [(re.compile(p), r) for p, r in (
    (r"ДЗ", "Д"), (r"Ц(?=[ІЕЁЮЯЬ])", "Т"), (r"Ў", "В"), (r"\bУ(?=[^АЕЁІИОУЫЭЮЯ\W])", "В"),
    (r"(?<=[^АЕЁІИОУЫЭЮЯЬЪ\W])Я", "Е"), (r"Э", "Е"), (r"Ы", "И"), (r"І", "И"),
)]  # fmt: skip


def _cyrillic(text: str) -> list[tuple[str, ...]]:
    upper = unicodedata.normalize("NFC", text).upper()
    spellings = cyrillic_variants(upper)
    letters = set(upper)
    if not letters & set("ҐЄЇ"):  # could be Belarusian
        russian = upper
        for rx, repl in _BELARUSIAN:
            russian = rx.sub(repl, russian)
        if russian != upper:
            spellings = spellings[:1] + cyrillic_variants(russian)[:1] + spellings[1:]
    if "И" in letters and not letters & set("ЫЭЁЪ"):  # could be Ukrainian: И is Y, Г H
        spellings.insert(1, cyrillic_variants(upper.replace("И", "Ы").replace("Г", "Х"))[0])
    return [tuple(s.split()) for s in dict.fromkeys(spellings)]


# ---------------------------------------------------------------- Arabic, Persian
# Letters only Persian (and Urdu, Pashto) write: a name holding one is read as Persian.
PERSIAN_LETTERS = frozenset("پچژگکی")
_PERSIAN = str.maketrans({"ض": "ز", "ذ": "ز", "ظ": "ز", "ث": "س", "ص": "س", "ق": "غ"})
# Persian و is V where a vowel stands beside it: first in a word, or after or before a
# long vowel letter (دیوید DAVID, کاوه KAVEH, پرویز PARVIZ, the nisba ending وی of موسوی
# MOUSAVI, رضوی RAZAVI). Between two consonants it is mostly the long vowel U or O
# (موسوی's first), unless a short vowel went unwritten (مهوش MAHVASH): a word whose و
# stand only there reads them all as V, the long vowel being the plain reading.
_PERSIAN_V = re.compile(r"(?:^|(?<=[اآیي]))و|و(?=[اآیي])")


def _persian_v(text: str) -> str:
    """Persian text with the و that stand for V written as ڤ (see _PERSIAN_V)."""
    return " ".join(_PERSIAN_V.sub("ڤ", w) if _PERSIAN_V.search(w) else w.replace("و", "ڤ")
                    for w in text.split())


# ---------------------------------------------------------------- Hebrew
# Letters for comparison (consonantal): ו and י stay V and Y, the scorer lets them be
# vowels; כ and פ after the first letter are spirants (KH, F).
_HEBREW = {
    "א": "A", "ב": "B", "ג": "G", "ד": "D", "ה": "H", "ו": "V", "ז": "Z", "ח": "KH", "ט": "T",
    "י": "Y", "כ": "K", "ך": "KH", "ל": "L", "מ": "M", "ם": "M", "נ": "N", "ן": "N", "ס": "S",
    "ע": "", "פ": "P", "ף": "F", "צ": "TZ", "ץ": "TZ", "ק": "K", "ר": "R", "ש": "SH", "ת": "T",
}  # fmt: skip


# A geresh after ג ז צ ת writes a sound Hebrew lacks, in foreign names (ג'ונסון JOHNSON,
# ז'אן JEAN, צ'רצ'יל CHURCHILL): marked here by letters of the private use area.
_GERESH = re.compile("([\u05d2\u05d6\u05e6\u05ea])['\u05f3\u2019]")
_GERESH_MARKS = {"\u05d2": "\ue001", "\u05d6": "\ue002", "\u05e6": "\ue003", "\u05ea": "\ue004"}
_HEBREW.update({"\ue001": "J", "\ue002": "ZH", "\ue003": "CH", "\ue004": "TH"})


def _hebrew(text: str) -> list[tuple[str, ...]]:
    """Two readings: ו and י as the consonants V and Y (DAVID, LEVI), and after a
    consonant as the vowels O and I (YOSEF, BITON); ח is KH in the first (MIZRACHI,
    KHAIM), H in the second, as Israeli documents write it too (MIZRAHI, HAIM). A ה after
    a letter is written AH so that it does not make a digraph (כהן: KAHN, not KHN)."""
    text = _GERESH.sub(lambda m: _GERESH_MARKS[m.group(1)], text)
    out = []
    for vowels in (False, True):
        words = []
        for word in re.findall(r"[\u05d0-\u05ea\ue001-\ue004]+", text):
            letters: list[str] = []
            for i, ch in enumerate(word):
                if i and ch in "כפ":
                    letters.append("KH" if ch == "כ" else "F")
                elif i and ch == "ה":
                    letters.append("AH")
                elif vowels and i and ch in "וי":
                    letters.append("O" if ch == "ו" else "I")
                elif vowels and ch == "ח":
                    letters.append("H")
                else:
                    letters.append(_HEBREW.get(ch, ""))
            words.append("".join(letters) or "A")
        out.append(tuple(words))
    return list(dict.fromkeys(out))


# Thai and Khmer mark a silent consonant (ทธ์ in ประยุทธ์, PRAYUT): it goes, with its mark.
_SILENT = re.compile("[\u0e01-\u0e2e][\u0e34-\u0e39]?\u0e4c|[\u1780-\u17b3]\u17cd")
# An anusvara is N (पांडे PANDE, सिंह SINGH), M before a labial.
_ANUSVARA = re.compile("[\u0902\u0982](?![\u092a-\u092e\u09aa-\u09ae])")


# Thai spellings said otherwise than anyascii reads them: ญ is N, รร is AN (สุวรรณ,
# SUWAN), a final ร after a consonant is ORN (ศิริพร, SIRIPORN) but silent after a
# closed syllable (ชินวัตร, SHINAWAT), a final ส, ศ, ษ is T (สวัสดิ์, SAWAT).
_THAI_RULES = [(re.compile(p), r) for p, r in (
    ("\u0e0d", "\u0e19"), ("\u0e23\u0e23", "\u0e31\u0e19"),
    ("(?<=\u0e31[\u0e01-\u0e2e])\u0e23(?![\u0e01-\u0e4e])", ""),
    ("(?<=[\u0e01-\u0e2e])\u0e23(?![\u0e01-\u0e4e])", "\u0e2d\u0e23\u0e19"),
    ("[\u0e28\u0e29\u0e2a](?![\u0e01-\u0e4e])", "\u0e15"),
    # Khmer: a final វ after a vowel is the glide personal spellings write O or U
    # (កែវ KEO, ខៀវ KHIEU), not the V of the letter-for-letter reading (KAEV).
    ("(?<=[\u17b6-\u17c5])\u179c(?![\u1780-\u17d3])", "O"),
)]  # fmt: skip


def _thai_khmer(text: str) -> list[tuple[str, ...]]:
    """As the name is said, and letter for letter (personal romanisations keep letters
    the rules drop: ชินวัตร is SHINAWATRA)."""
    marked = text
    said = text = _SILENT.sub("", text)
    for rx, repl in _THAI_RULES:
        said = rx.sub(repl, said)
    out = [_anyascii(said), _anyascii(text.replace("\u0e0d", "\u0e19"))]
    if "\u0e4c" in marked:  # a foreign name keeps, silent, the letters of its spelling
        # (วลาดีมีร์ VLADIMIR): read with them, a W before a consonant a V
        kept = _anyascii(_THAI_MARK.sub("", marked))
        out.append(tuple(_W_CLUSTER.sub("V", t) for t in kept))
    return list(dict.fromkeys(out))


_THAI_MARK = re.compile("[\u0e4c\u17cd]")
_W_CLUSTER = re.compile(r"^W(?=[^AEIOUY])")


# ---------------------------------------------------------------- Japanese, Chinese
def _kana(text: str) -> list[tuple[str, ...]]:
    """Hepburn (pykakasi), as passports write it without macrons (SATO, SHOHEI) and
    with the long vowel spelt out (SATOU, INOUE: one cannot tell them apart)."""
    convert = _kakasi()
    raw = tuple(normalize_name(" ".join(p["hepburn"] for p in convert(w))).replace(" ", "")
                for w in text.split())  # fmt: skip
    raw = tuple(t for t in raw if t)
    short = tuple(re.sub(r"OU|OO", "O", re.sub(r"UU", "U", t)) for t in raw)
    if _KATAKANA.fullmatch(text):  # a foreign name as Japanese writes it: read back too
        foreign = _respell(list(raw), _KANA_FOREIGN)
        as_l = tuple(t.replace("R", "L") for t in foreign)  # (the keys tell R from L)
        # (a reading read back is kept as such where it is also a native one: ジョージ)
        return [*(r for r in dict.fromkeys((short, raw)) if r not in (foreign, as_l)),
                *dict.fromkeys((_Foreign(foreign), _Foreign(as_l)))]
    return list(dict.fromkeys((short, raw)))


# Katakana is how Japanese writes foreign names (プーチン, メルケル): read back, the vowels
# Japanese adds after a consonant dropped (MERUKERU: MERKER, DONARUDO: DONARD, BORISU),
# N before a labial an M (TORANPU: TRAMP), CHI a TI (PUUCHIN: PUTIN; a long vowel's
# doubled letter is no added one), a final long A the English -ER (MIRAA: MILLER). A long
# vowel stays doubled: it may stand for a vowel and an R (MAATIN: MARTIN; the keys try
# both, name_keys.foreign_loose_keys).
# Japanese has one letter for both R and L: read both ways (MERKER, MELKEL), so that a
# key meets either.
_KATAKANA = re.compile(r"[\u30a0-\u30ff\s・]+")
_KANA_FOREIGN = [(re.compile(p), r) for p, r in (
    (r"(?<=[BDFGKMPRSTZ])(?<!U)U(?!U)(?=[^AEIOUY]|$)", ""), (r"(?<=[TD])O(?=R|$)", ""),
    (r"N(?=[PBM])", "M"), (r"(?<=[AEIOU])CHI|^CHI", "TI"), (r"(?<=[^AEIOU])AA$", "ER"),
    (r"([^AEIOU])\1+", r"\1"), (r"([AEIOU])\1\1+", r"\1\1"),
)]  # fmt: skip


@lru_cache(maxsize=1)
def _kakasi() -> Callable[[str], list[dict[str, str]]]:
    import pykakasi  # imported on the first Japanese name: it takes 0.4 s

    converter: Callable[[str], list[dict[str, str]]] = pykakasi.kakasi().convert
    return converter


# Chinese and Korean surnames of two characters (the rest have one).
COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "诸葛", "上官", "司徒", "东方", "夏侯", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司空", "令狐", "歐陽", "司馬", "諸葛", "남궁", "황보", "제갈", "선우", "독고", "사공",
    "서문",
))


def _han(text: str, surname: bool = False, foreign: bool = False) -> list[tuple[str, ...]]:
    """Pinyin syllables (pypinyin), one token each (the scorer joins XIAO MING), and
    the Japanese reading of the same characters (a Japanese name in kanji); a foreign
    name written in characters (three or more a word: 弗拉基米尔; ``foreign``, the
    holder's state writes no names in characters: two as well, 普京) read back too."""
    from pypinyin import Style, lazy_pinyin  # imported on the first Han name: 0.4 s

    pinyin = tuple(s.upper() for w in text.split()
                   for s in lazy_pinyin(w, style=Style.NORMAL) if s.isalpha())  # fmt: skip
    out = [r for r in (pinyin, *_kana(text)) if r]
    words = [w for w in re.split(r"[\s·・•]+", text) if w]
    # (not a two-character word of a Japanese or Chinese holder: a surname of theirs)
    if any(len(w) >= 3 or (foreign and len(w) == 2) for w in words):
        back = tuple(_han_foreign(w, lazy_pinyin(w, style=Style.NORMAL)) for w in words)
        # Chinese writes an R with L syllables (贝拉克 BEILAK, BARACK), an L with 尔 (R)
        read = [_ForeignHan(back), _ForeignHan(tuple(t.translate(_L_R) for t in back))]
        if any("J" in t for t in back):  # J (基, 京) is as often a D or T (弗拉基米尔
            # VLADIMIR, 普京 PUTIN): read so too, ahead of the rarer letters read otherwise
            read.append(_ForeignHan(tuple(t.replace("J", "D") for t in back)))
        # (a holder whose state writes no names in characters: its foreign readings
        # before the Japanese ones)
        out[1 if foreign else len(out):1 if foreign else len(out)] = read
    return out


_L_R = str.maketrans("LR", "RL")


# Characters Chinese uses for a foreign name's consonant without its vowel (the Xinhua
# agency's tables): 克 K, 斯 S, 特 T, 德 D, 尔 R (or L), 夫 F (or V), 布 B, 普 P, 格 G,
# 姆 M, 兹 Z, 茨 TS, 赫 H, 什 SH; before another consonant or at a word's end.
_HAN_CONSONANTS = {"克": "K", "斯": "S", "特": "T", "德": "D", "尔": "R", "爾": "R", "夫": "F",
                   "布": "B", "普": "P", "格": "G", "姆": "M", "兹": "Z", "茨": "TS", "赫": "H",
                   "什": "SH"}  # fmt: skip
# Characters those tables use for a sound their pinyin does not spell: 约 and 乔 JO (约翰
# JOHN, 乔治 GEORGE), 詹 JA (詹姆斯 JAMES), 希 HI (希拉里 HILLARY), 加 GA (加西亚 GARCIA),
# 齐 ZI (萨科齐 SARKOZY), 盖 GEI (谢尔盖 SERGEI); 基, JI inside a word (弗拉基米尔
# VLADIMIR), is KI last (the -SKY of Slavic names: 泽连斯基 ZELENSKY, 柴可夫斯基).
_HAN_SOUNDS = {"约": "JO", "約": "JO", "乔": "JO", "喬": "JO", "詹": "JA", "希": "HI",
               "加": "GA", "齐": "ZI", "齊": "ZI", "盖": "GEI", "蓋": "GEI"}  # fmt: skip
_HAN_LAST_SOUNDS = {"基": "KI"}


def _han_foreign(word: str, syllables: list[str]) -> str:
    out = []
    for i, (ch, syl) in enumerate(zip(word, syllables, strict=False)):
        following = syllables[i + 1] if i + 1 < len(syllables) else ""
        if ch in _HAN_CONSONANTS and (not following or following[0] not in "aeiouy"):
            out.append(_HAN_CONSONANTS[ch])
        else:
            last = _HAN_LAST_SOUNDS.get(ch) if i == len(word) - 1 else None
            out.append(last or _HAN_SOUNDS.get(ch) or syl.upper())
    return "".join(out)


# ---------------------------------------------------------------- Korean
# Customary spellings of Korean surnames on passports (Revised Romanisation would write
# GIM, I, BAK), first the commonest; the National Institute of Korean Language's survey.
_KOREAN_SURNAMES = {
    "김": ("KIM",), "이": ("LEE", "YI", "RHEE"), "박": ("PARK", "PAK"), "최": ("CHOI", "CHOE"),
    "정": ("JUNG", "JEONG", "CHUNG"), "강": ("KANG",), "조": ("CHO", "JO"),
    "윤": ("YOON", "YUN"), "장": ("JANG", "CHANG"), "임": ("LIM", "IM"), "한": ("HAN",),
    "오": ("OH",), "서": ("SEO", "SUH"), "신": ("SHIN", "SIN"), "권": ("KWON",),
    "황": ("HWANG",), "안": ("AHN", "AN"), "송": ("SONG",), "전": ("JEON", "JUN", "CHUN"),
    "홍": ("HONG",), "유": ("YOO", "YU"), "류": ("RYU", "YOO"), "고": ("KO", "GO"),
    "문": ("MOON", "MUN"), "양": ("YANG",), "손": ("SON", "SOHN"), "배": ("BAE",),
    "백": ("BAEK", "PAIK"), "허": ("HEO", "HUH"), "노": ("NOH", "ROH"), "남": ("NAM",),
    "하": ("HA",), "곽": ("KWAK",), "성": ("SUNG",), "차": ("CHA",), "주": ("JOO", "JU"),
    "우": ("WOO",), "민": ("MIN",), "나": ("NA", "RA"), "진": ("JIN",), "지": ("JI",),
    "엄": ("UM", "EOM"), "채": ("CHAE",), "원": ("WON",), "천": ("CHUN",), "방": ("BANG",),
    "공": ("KONG",), "현": ("HYUN",), "함": ("HAM",), "변": ("BYUN",), "염": ("YEOM",),
    "여": ("YEO",), "추": ("CHOO",), "도": ("DO",), "석": ("SEOK",), "선": ("SUN",),
    "설": ("SEOL",), "마": ("MA",), "길": ("GIL",), "연": ("YEON",), "표": ("PYO",),
    "명": ("MYUNG",), "기": ("KI",), "반": ("BAN",), "왕": ("WANG",), "금": ("KEUM",),
    "남궁": ("NAMGOONG",), "황보": ("HWANGBO",), "제갈": ("JEGAL",), "선우": ("SUNWOO",),
}  # fmt: skip
# Their folded spellings (translit.korean_fold), by which a Latin name is known as Korean.
KOREAN_SURNAMES_FOLDED = frozenset(korean_fold(s) for spellings in _KOREAN_SURNAMES.values()
                                   for s in spellings)
# Customary respellings of Revised Romanisation syllables (JEONG: JUNG, YEONG: YOUNG,
# U: WOO) and McCune-Reischauer's (JONG UN).
_KO_CUSTOM = [(re.compile(p), r) for p, r in (
    (r"^U$", "WOO"), (r"YEONG", "YOUNG"), (r"YEO", "YU"), (r"EO", "U"),
)]  # fmt: skip
_KO_MR = [(re.compile(p), r) for p, r in ((r"EO", "O"), (r"EU", "U"))]


@lru_cache(maxsize=4096)
def _hangul_syllable(syllable: str) -> str:
    from korean_romanizer.romanizer import Romanizer  # imported on the first Korean name

    return normalize_name(Romanizer(syllable).romanize())


def _respell(syllables: list[str], rules: list[tuple[re.Pattern[str], str]]) -> tuple[str, ...]:
    out = []
    for s in syllables:
        for rx, repl in rules:
            s = rx.sub(repl, s)
        out.append(s)
    return tuple(out)


def _hangul(text: str, surname: bool, foreign: bool = False) -> list[tuple[str, ...]]:
    """A surname as its holders spell it; given names syllable by syllable (the scorer
    joins MIN JUN as MINJUN), in Revised Romanisation and the customary respellings;
    ``foreign``: read back as a foreign name too (FOREIGN_NAME)."""
    words = text.split()
    if len(words) == 1 and words[0] in _KOREAN_SURNAMES and (surname or len(words[0]) == 1):
        # (a surname alone in the given names field: the fields swapped, 정은 / 김)
        spellings: list[tuple[str, ...]] = [(s,) for s in _KOREAN_SURNAMES[words[0]]]
        return spellings[:3]
    syllables = [_hangul_syllable(ch) for w in words for ch in w if "\uac00" <= ch <= "\ud7af"]
    syllables = [s for s in syllables if s]
    if not syllables:
        return []
    native = (tuple(syllables), _respell(syllables, _KO_CUSTOM), _respell(syllables, _KO_MR))
    if not foreign and not any(_foreign_word(w, surname) for w in words):
        return list(dict.fromkeys(native))
    back = tuple(_respell(["".join(_hangul_syllable(ch) for ch in w
                                   if "\uac00" <= ch <= "\ud7af")], _KO_FOREIGN)[0]
                 for w in words)  # fmt: skip
    as_l = tuple(t[:1].replace("R", "L") + t[1:] for t in back)
    # (a reading read back is kept as such where it is also a native one)
    return [*(r for r in dict.fromkeys(native) if r not in (back, as_l)),
            *dict.fromkeys((_ForeignHangul(back), _ForeignHangul(as_l)))]


class _Foreign(tuple[str, ...]):
    """A reading of a foreign name back from Hangul or katakana: its vowels are the
    writing's guesses (EO for A or U, vowels added), so it is compared on its consonants,
    as an unvocalised script's readings are (Reading.consonantal)."""

    __slots__ = ()


class _ForeignHangul(_Foreign):
    """... back from Hangul (name_tokens.HANGUL)."""

    __slots__ = ()


class _ForeignHan(_ForeignHangul):
    """... back from Chinese characters, read by Hangul's rules (name_tokens.HANGUL):
    neither writes the R after a vowel (默克尔 MERKEL, 메르켈 has it; 卡特 CARTER, 摩根
    MORGAN) and both write a TH as S (亚瑟, 아서 ARTHUR)."""

    __slots__ = ()


# Open syllables of the vowel 으 (스 르 트 프 드 크...): Korean adds them to a foreign
# word's consonants; Korean names hardly have them.
_OPEN_EU = frozenset(chr(0xAC00 + initial * 588 + 18 * 28) for initial in range(19))


def _foreign_word(word: str, surname: bool) -> bool:
    """Whether a Hangul word reads as a foreign name: three syllables or more (Korean
    given names have two), a surname of two not among Korean ones (푸틴), or an open 으
    syllable."""
    hangul = [ch for ch in word if "\uac00" <= ch <= "\ud7af"]
    if surname and len(hangul) >= 2 and word not in _KOREAN_SURNAMES:
        return True
    return len(hangul) >= 3 or any(ch in _OPEN_EU for ch in hangul)


# A foreign name as Korean writes it (메르켈, 블라디미르, 트럼프), read back word by word: the
# vowel Korean adds to a consonant dropped (BEULLADIMIREU: BLADIMIR, MEREUKEL: MERKEL),
# EO the A or U it stands for (DONEOLDEU: DONALD, TEUREOMPEU: TRAMP), a last NG kept
# (BOLPEUGANG: BOLPGANG, WOLFGANG; the keys read it as a French nasal's N too, MAKRONG:
# MACRON, name_keys.foreign_loose_choices), ㄹㄹ an L (BEULRA: BLA), a final EO the English -ER
# (ALREKSANDEO: ALEKSANDER), letters doubled once. An initial ㄹ (R) is also read L
# (라브로프: LABROP for LAVROV), as katakana's R.
_KO_FOREIGN = [(re.compile(p), r) for p, r in (
    (r"(?<=[^AEIOUW])EU", ""), (r"EO$", "ER"), (r"EO", "A"), (r"LR", "L"),
    (r"(.)\1+", r"\1"),
)]  # fmt: skip


def korean_surname(word: str) -> bool:
    """Whether a word in Hangul is a Korean surname (김, 남궁)."""
    return word in _KOREAN_SURNAMES


# ---------------------------------------------------------------- any script
def _anyascii(text: str) -> tuple[str, ...]:
    return latin_tokens(anyascii(text))


@lru_cache(maxsize=32768)
def readings(text: str | None, convention: str = "", surname: bool = False) -> tuple[Reading, ...]:
    """Latin readings of a name part, most likely first (at most MAX_READINGS); () for
    an empty one. ``convention`` (CONVENTIONS) adds the reading of a state's
    romanisation ("fa": a Persian name, its other part holding PERSIAN_LETTERS);
    ``surname`` marks the surname field (Korean surnames)."""
    if not text or not text.strip():
        return ()
    script = "Latn" if text.isascii() else script_of(text)
    if script == "Latn":
        tokens = latin_tokens(text)
        if not tokens:
            return ()
        out = [Reading(tokens, False, True)]
        if script == "Latn" and not text.isascii():  # BÄCKSTRÖM: BAECKSTROEM and BACKSTROM
            bare = latin_tokens(name_variants(text)[-1])
            if bare != tokens:
                out.append(Reading(bare, False, True))
        if arabic := compounds(tokens, surname):  # ABDUL RAHMAN, ABDERRAHMANE: ABDRAHMAN
            out.append(Reading(arabic, False, False))
        if convention in CHINESE:  # pinyin read as Wade-Giles too, each token kept whole:
            # a syllable of a given name is not a name (TIANHUA is not TIAN)
            respelt = chinese_respellings(list(tokens))
            if respelt and tuple(respelt[2].split()) != tokens:
                out.append(Reading(tuple(respelt[2].split()), False, False))
        elif convention == "ko":
            folded = tuple(korean_fold(t) for t in tokens)
            if folded != tokens:
                out.append(Reading(folded, False, False, True))
        elif convention in _CONVENTION_RULES:
            national = _national(tokens, convention)
            if national != tokens:
                out.append(Reading(national, False, False))
            if convention == "lv" and "C" in text:
                hacek = _national(tuple(t.replace("C", "\x04") for t in tokens), convention)
                out.append(Reading(tuple(t.replace("\x04", "CH") for t in hacek), False, False))
        return tuple(out)
    consonantal = script in _CONSONANTAL
    found: list[tuple[str, ...]]
    if script == "Cyrl":
        found = _cyrillic(text)
    elif script == "Arab":
        found = [tuple(v.split()) for v in arabic_variants(text, icao=False)]
        if convention == "fa" or set(text) & PERSIAN_LETTERS:  # ض ذ ظ Z, ث ص S, ق GH
            persian = text.translate(_PERSIAN)
            found = [tuple(v.split()) for v in arabic_variants(persian, icao=False)][:2]
            if "و" in persian:  # and و a V (دیوید DAVID, موسوی MOUSAVI)
                found.append(tuple(arabic_variants(_persian_v(persian), icao=False)[0]
                                   .split()))  # fmt: skip
    elif script == "Hebr":
        found = _hebrew(text)
    elif script == "Hani":
        found = _han(text, surname, convention == FOREIGN_NAME)
    elif script == "Kana":
        found = _kana(text)
    elif script == "Hang":
        found = _hangul(text, surname, convention == FOREIGN_NAME)
    elif script == "Grek":  # ELOT 743 writes ΟΥ as OU (anyascii: OY)
        found = [tuple(t.replace("OY", "OU") for t in _anyascii(text))]
    elif script in ("Thai", "Khmr"):
        found = _thai_khmer(text)
    elif script in ("Deva", "Beng"):
        found = [_anyascii(_ANUSVARA.sub("n", text))]
    elif script == "Armn":  # ու is U on Armenian passports (anyascii: OW)
        found = [tuple(t.replace("OW", "U") for t in _anyascii(text))]
    else:
        found = [_anyascii(text)]
    # whatever a library let through; a foreign name read back on its consonants
    read = [(latin_tokens(" ".join(t)), isinstance(t, _Foreign), isinstance(t, _ForeignHangul))
            for t in found]  # fmt: skip
    out = [Reading(t, consonantal or foreign, False, foreign=foreign, hangul=hangul)
           for t, foreign, hangul in dict.fromkeys(read) if t]  # fmt: skip
    return tuple(out[:MAX_READINGS])


def vocalised(token: str) -> bool:
    """Whether a token of a consonantal reading is a dictionary spelling after all."""
    return token in ARABIC_SPELLINGS


__all__ = [
    "ARABIC_NATIONS",
    "CHINESE",
    "COMPOUND_SURNAMES",
    "CONVENTIONS",
    "FOREIGN_NAME",
    "KOREAN_SURNAMES_FOLDED",
    "MAX_READINGS",
    "PERSIAN_LETTERS",
    "Reading",
    "korean_surname",
    "latin_tokens",
    "marked_convention",
    "readings",
    "script_of",
    "vocalised",
]
