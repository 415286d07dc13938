"""The token-wise comparison of two names (``compare``), and the one place to import a
name's tokens and spellings from.

Names are compared token by token with Jaro-Winkler (as Moov Watchman does), each token
of one side paired with its best partner on the other, adjacent tokens allowed to pair
as one (Xiao Ming / Xiaoming, Al Masri / Almasri). Tokens (name_tokens.Tok) carry two
spelling-insensitive forms (name_spelling): ``canon`` for scoring, ``skeleton`` for the
blocking keys (name_keys).
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from screening.matching.cantonese import same_characters
from screening.matching.name_keys import foreign_loose_keys, loose_key
from screening.matching.name_spelling import (
    canon,
    consonants,
    single_syllable,
    skeleton,
    skeleton_of,
    skeletons,
    strip_prefix,
)
from screening.matching.name_tables import (
    ARABIC_SURNAMES,
    GROUPS_OF,
    PARTICLES,
    SURNAMES,
    VIETNAMESE_SURNAMES,
)
from screening.matching.name_tokens import (
    ARABIC,
    FIELD_FULL,
    FOLDED,
    FOREIGN,
    HAN,
    HANGUL,
    PARTICLE,
    SURNAME,
    UNVOCALISED,
    YUE,
    Tok,
    information,
    is_common,
    joined,
    name_tokens,
    significant,
    split,
)


# --- comparison -------------------------------------------------------------------------
def token_sim(q: Tok, a: Tok) -> float:
    """Similarity of two tokens, 0..1."""
    if q.raw == a.raw:
        return 1.0
    if (q.flags | a.flags) & FOLDED:
        return 0.0
    if q.canon == a.canon:
        return 0.97
    flags = a.flags | q.flags
    # Given name or surname as the notice says: a scan's fields may be swapped or merged
    # (MAHIR, SMITH for SMITH, MAHATHIR), a notice's roles are the record's.
    given = not a.flags & SURNAME
    consonantal = bool(flags & UNVOCALISED) and not (q.flags & FOREIGN and _one_consonant(q.raw))
    sim = _token_sim(q.raw, a.raw, consonantal, given)
    if flags & FOREIGN and sim < FOREIGN_LOOSE:
        return _foreign_sim(q.raw, a.raw, q.flags, a.flags, sim)
    return _special_sim(q.raw, a.raw, flags, sim, given) if flags & (HAN | ARABIC) else sim


def _one_consonant(raw: str) -> bool:
    """Whether a token has fewer than two consonants (doubled ones once): in a form with
    a foreign name read back it is compared on its letters, not on consonants alone
    (안나, ANNA or ANA, is not JEAN: its vowels are all it says)."""
    return len(_DOUBLED.sub(r"\1", raw.translate(_NO_VOWELS))) < 2


_NO_VOWELS = str.maketrans("", "", "AEIOUY")


def _foreign_sim(q_raw: str, a_raw: str, q_flags: int, a_flags: int, sim: float) -> float:
    """A foreign name read back from katakana or Hangul against a token: as a loose
    consonantal match (_token_sim's 0.91) where the token's loose key is one the reading
    may have (name_keys.foreign_loose_keys: MIRER for MILLER, SMIS for SMITH)."""
    read, other = (q_raw, a_raw) if q_flags & FOREIGN else (a_raw, q_raw)
    if (q_flags & a_flags & FOREIGN) or len(other) < 2:
        return sim
    hangul = bool((q_flags if q_flags & FOREIGN else a_flags) & HANGUL)
    return FOREIGN_LOOSE if loose_key(other) in foreign_loose_keys(read, hangul) else sim


def _special_sim(q_raw: str, a_raw: str, flags: int, sim: float, given: bool) -> float:
    """A pair's similarity under a scan's convention: Cantonese against pinyin (HAN), an
    Arabic name's Latin spellings (ARABIC; not for pairs unlike at first sight)."""
    if flags & HAN and sim < CANTONESE and _cantonese(q_raw, a_raw, flags):
        return CANTONESE
    if flags & ARABIC and _ARABIC_FLOOR <= sim < ARABIC_LATIN \
            and _arabic_latin(q_raw, a_raw, given):  # fmt: skip
        return ARABIC_LATIN
    return sim


# Arabic letters as English and French write them: KH and GH one letter, French CH and
# OU for SH and U, DJ for J, Q and K one (ق), Z and S (ز, ص, س), vowels, W and Y (long
# vowels), H (ح, ه, often silent) and doubled letters not written alike.
_ARABIC_LATIN_RULES = [(re.compile(p), r, needle) for p, r, needle in (
    (r"DJ", "J", "DJ"), (r"CH", "S", "CH"), (r"SH", "S", "SH"),
)]  # fmt: skip
# Then Q K, Z S, [AEIOUYWH] dropped (one translation), doubled letters one.
_ARABIC_LETTERS = str.maketrans("QZ", "KS", "AEIOUYWH")
_G_QAF = re.compile(r"G(?!H)")
_ARABIC_HEADS = {"CH": "S", "SH": "S", "DJ": "J", "QU": "K", "QA": "K", "QI": "K", "ZA": "S"}


@lru_cache(maxsize=65536)
def _arabic_consonants(raw: str) -> str:
    for rx, repl, needle in _ARABIC_LATIN_RULES:
        if needle in raw:  # (a substitution's search costs, matched or not)
            raw = rx.sub(repl, raw)
    return _DOUBLED.sub(r"\1", raw.translate(_ARABIC_LETTERS))


@lru_cache(maxsize=65536)
def _arabic_latin(q_raw: str, a_raw: str, given: bool) -> bool:
    """Whether two Latin tokens of four letters or more may spell one Arabic name:
    the same consonants as the Arabic letters they stand for (KHOURY, KHURI; CHOUAIB,
    SHOAIB; QURAISHI, KURESHI; CHAUDHRY, CHOWDHURY) and first letter, unless they are
    known or made to be two names (the groups, another given name or sex, the -I of
    descent, an ending added, two families' surnames of other languages)."""
    if min(len(q_raw), len(a_raw)) < 4 or (q_raw in GROUPS_OF and a_raw in GROUPS_OF):
        return False
    short, long = (q_raw, a_raw) if len(q_raw) < len(a_raw) else (a_raw, q_raw)
    if long.startswith(short) and _VOWELS_SET.issuperset(long[len(short) :]):
        return False  # an ending, not a spelling (VIKTOR, VIKTORIA; AMIN, AMINA)
    q, a = _arabic_consonants(q_raw), _arabic_consonants(a_raw)
    heads = {_ARABIC_HEADS.get(x[:2], x[0]) for x in (q_raw, a_raw)}
    if (q != a or len(heads) > 1) and not given and "G" in q_raw + a_raw \
            and "Q" in q_raw + a_raw:  # fmt: skip
        # a surname's ق as the Gulf, Libya and Upper Egypt say it, a G, against a Q
        # (GADDAFI, QADHAFI; not against a K, which is ك as well: GAMAL, KAMAL)
        q_qaf, a_qaf = _G_QAF.sub("Q", q_raw), _G_QAF.sub("Q", a_raw)
        q, a = _arabic_consonants(q_qaf), _arabic_consonants(a_qaf)
        heads = {_ARABIC_HEADS.get(x[:2], x[0]) for x in (q_qaf, a_qaf)}
    if q != a or len(q) < 2 or len(heads) > 1:
        return False
    if given:
        return not (_another_name(q_raw, a_raw) or _other_sex(q_raw, a_raw)
                    or _fleeting_e(q_raw, a_raw))  # fmt: skip
    return not (_nisba(q_raw, a_raw) or _other_final_vowel(q_raw, a_raw)
                or _other_families(q_raw, a_raw))  # fmt: skip


def _other_families(x: str, y: str) -> bool:
    """Whether two surnames are two families' (_two_families) and neither is an Arabic
    name's spelling (ARABIC_SURNAMES): a holder of a state whose names are Arabic may
    bear a surname of another language (WAGNER, WAGENER; GOMES, GOMEZ; PETERSON,
    PATTERSON), whose consonants agreeing says nothing of the Arabic letters behind it."""
    return x not in ARABIC_SURNAMES and y not in ARABIC_SURNAMES and _two_families(x, y)


def _cantonese(q_raw: str, a_raw: str, flags: int) -> bool:
    """Whether a Chinese-speaking state's token and another spell the same characters in
    pinyin and in Cantonese (KINHUNG, JIANHONG): where the one that is not pinyin is, or
    on a Hong Kong or Macau document either (YUE). Surnames' groups already say which."""
    return not (q_raw in GROUPS_OF and a_raw in GROUPS_OF) \
        and same_characters(q_raw, a_raw, bool(flags & YUE))  # fmt: skip


@lru_cache(maxsize=262144)
def _token_sim(q_raw: str, a_raw: str, consonantal: bool, given: bool = False) -> float:
    """The costly part of token_sim, cached: token pairs recur (common names do)."""
    if not q_raw or not a_raw:  # a name read as nothing (一 has no Latin reading here)
        return 0.0
    if len(q_raw) == 1 or len(a_raw) == 1:  # an initial (J PAUL, JOHN P.): the first
        # letter of a name of three letters or more (Korean I and U are names themselves)
        return INITIAL if q_raw[0] == a_raw[0] and max(len(q_raw), len(a_raw)) > 2 else 0.0
    q_canon, a_canon = canon(q_raw), canon(a_raw)
    q_cons, a_cons = consonants(q_raw), consonants(a_raw)
    if consonantal:  # unvocalised: only consonants can be compared
        qc, ac = q_cons.replace("CH", "SH"), a_cons.replace("CH", "SH")  # French CH for ش
        if qc == ac:
            return 0.93
        (ql, q_main), (al, a_main) = _loose(q_raw), _loose(a_raw)
        if ql & al:
            return 0.91
        return 0.93 * max(JaroWinkler.similarity(qc, ac), JaroWinkler.similarity(q_main, a_main))
    qg, ag = GROUPS_OF.get(q_raw), GROUPS_OF.get(a_raw)
    if qg and ag:
        if set(qg) & set(ag):
            return 0.95  # WONG and WANG: one of the readings agrees
        # Two names known to be different (Zhang and Chen, Mahmoud and Muhammad).
        return min(0.8, JaroWinkler.similarity(q_canon, a_canon))
    sim = JaroWinkler.similarity(q_canon, a_canon, score_cutoff=0.5)
    if sim < 0.97:
        sim = max(sim, JaroWinkler.similarity(q_raw, a_raw))
    # Same consonants, vowels differ (MARYAM / MERIEM); the same name but for a particle
    # (ALMASRI / MASRI, DELACRUZ / CRUZ).
    vowels_differ = q_cons == a_cons and len(q_cons) >= 3 and q_raw[0] == a_raw[0] \
        and abs(len(q_raw) - len(a_raw)) <= 1  # fmt: skip
    same_stem = (len(q_raw) > 4 and len(a_raw) > 4 and strip_prefix(q_raw) == strip_prefix(a_raw)
                 ) or _particle_joined(q_raw, a_raw)  # fmt: skip
    arabic = _arabic_folded(q_raw, a_raw)
    if sim < _PAIR_FLOOR and not vowels_differ and not same_stem and not arabic:
        return sim  # no pair: the caps below cannot matter (most pairs, and cheap)
    if given and (_another_name(q_raw, a_raw) or _other_sex(q_raw, a_raw)
                  or _fleeting_e(q_raw, a_raw)):  # fmt: skip
        # given names only (a surname's typo is a typo)
        return min(sim, _ANOTHER_NAME)
    if not given and (_nisba(q_raw, a_raw) or _other_final_vowel(q_raw, a_raw)
                      or _other_syllable(q_raw, a_raw) or (_two_families(q_raw, a_raw)
                          and not (same_stem or arabic or _digraphs_folded(q_raw, a_raw)))):
        return min(sim, _ANOTHER_NAME)
    sim = min(sim, _explained(q_raw, a_raw, q_canon, a_canon))
    if sim < 0.97:
        if vowels_differ:
            sim = max(sim, 0.92)
        if same_stem:
            sim = max(sim, 0.97)
        elif _digraphs_folded(q_raw, a_raw):
            sim = max(sim, 0.96)  # OEZTUERK, OZTURK; BAECKSTROEM, BACKSTROM
        elif arabic:
            sim = max(sim, 0.92)  # RACHED, RASHID; NOUREDDINE, NURALDIN
    return sim


_LOOSE_RULES = [(re.compile(p), r, needle) for p, r, needle in (
    (r"(?<=[AO])L(?=[KM])", "", "L"), (r"(?<=M)P(?=[ST])", "", "MP"),  # WALKER, THOMPSON
    (r"G(?=[EI])", "J", "G"), (r"C(?=[EI])", "S", "C"), (r"NG", "N", "NG"),  # (name_keys)
)]  # fmt: skip
# Then [AEIOUY] dropped and [CQ] K; SH S; W V, [PFB] B, Z S, D T: each group letter for
# letter, one translation (no letter one writes is one a later one of it reads).
_LOOSE_LETTERS = str.maketrans("CQ", "KK", "AEIOUY")
_LOOSE_SH = re.compile("SH")
_LOOSE_LAST = str.maketrans("WPFZD", "VBBST")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def _loose(raw: str) -> tuple[frozenset[str], str]:
    """Consonants as an unvocalised script may stand for them: Arabic and Hebrew letters
    are B, P or F, K or C, S or SH, H is often silent, ו and و a vowel or a V, a Latin CH
    is K, SH or H (MICHAEL, CHARLES, RACHEL). With the first of them, for Jaro-Winkler."""
    out: list[str] = []
    for ch, kh in (("K", "K"), ("S", ""), ("", "")):
        c = raw.replace("CH", ch).replace("KH", kh).replace("PH", "F").replace("TH", "T")
        c = c.replace("H", "")
        for rx, repl, needle in _LOOSE_RULES:
            if needle in c:  # (a substitution's search costs, matched or not)
                c = rx.sub(repl, c)
        c = c.translate(_LOOSE_LETTERS)
        if "SH" in c:
            c = _LOOSE_SH.sub("S", c)
        c = c.translate(_LOOSE_LAST)
        out.append(_DOUBLED.sub(r"\1", c.replace("V", "B")))
        out.append(_DOUBLED.sub(r"\1", c.replace("V", "")))
    return frozenset(out), out[0]


# What a token one letter away from another scores when the letter makes it another
# name: below _PAIR_FLOOR, so that the two are left unpaired (a different name).
_ANOTHER_NAME = 0.75
# Vowels that spellings of one name exchange (MOHAMED, MUHAMMAD; RASHID, RASHED; YURI,
# IURI): a vowel changed across them makes another name (JAMAL, JAMIL; ANGELO, ANGELA).
_VOWEL_CLASSES = ("AE", "EIY", "OU")
_VOWELS_SET = frozenset("AEIOUY")


class _Edit(NamedTuple):
    tag: str  # replace, insert, delete
    src_pos: int
    dest_pos: int


@lru_cache(maxsize=65536)
def _another_name(x: str, y: str) -> bool:
    """Whether one edit makes two tokens two names rather than a spelling and its typo:
    a vowel of the ending exchanged across _VOWEL_CLASSES (ANGELO, ANGELA; JAMAL, JAMIL),
    or a short name's last consonant changed (NABIL, NABIH), added or dropped (ALI,
    ALIM). A list of given names would tell better; none is to be had as a library
    (rigour's needs PyICU built from source), so this is the rule of thumb."""
    ops = Levenshtein.editops(x, y).as_list()
    if len(ops) != 1:
        return False
    tag, src_pos, dest_pos = ops[0]
    op = _Edit(str(tag), int(src_pos), int(dest_pos))
    cx = x[op.src_pos] if op.src_pos < len(x) else ""
    cy = y[op.dest_pos] if op.dest_pos < len(y) else ""
    if op.tag == "replace" and cx in "AEIOU" and cy in "AEIOU":
        if op.src_pos < len(x) - 2 or ({cx, cy} == {"A", "O"} and op.src_pos < len(x) - 1):
            return False  # not in the ending; an unstressed O written A (POPOV, PAPOV)
        return not any(cx in c and cy in c for c in _VOWEL_CLASSES)
    last = op.src_pos >= len(x) - 1 and op.dest_pos >= len(y) - 1
    changed = {cx, cy} - {""}
    if not last or min(len(x), len(y)) > (5 if len(changed) == 2 else 4):
        return False
    if len(changed) == 2:  # one consonant for another: S and Z, T and D are spellings
        return not changed & _VOWELS_SET and len({skeleton_of(c) for c in changed}) == 2
    if not changed or changed & set("AEIOUYH"):  # SARA, SARAH
        return False
    longer = y if len(y) > len(x) else x
    return longer[-1] != longer[-2]  # IVAN, IVANN: a letter doubled


def _other_final_vowel(x: str, y: str) -> bool:
    """Whether two surnames of five letters or more differ only in a final vowel of
    another of _VOWEL_CLASSES (FERRARI, FERRARO; ROSSI, ROSSO; BIANCA, BIANCO): Italian,
    Spanish and Portuguese families differ so, a typo seldom does just that."""
    if len(x) != len(y) or len(x) < 5 or x[:-1] != y[:-1] or x[-1] == y[-1]:
        return False
    cx, cy = x[-1], y[-1]
    return cx in "AEIOU" and cy in "AEIOU" and not any(cx in c and cy in c for c in _VOWEL_CLASSES)


_VI_FINAL = re.compile(r"(?:NG|NH|CH|[CMNPT])$")


def _other_syllable(x: str, y: str) -> bool:
    """Whether one token is a Vietnamese surname (VIETNAMESE_SURNAMES) and the other it
    with another final consonant (NGUYEN, NGUYET; TRAN, TRANG; HOANG, HOAN): Vietnamese
    writes a syllable's final as it is said (C, CH, M, N, NG, NH, P, T), so another final
    is another word, a name of its own (Nguyệt is a given name), not a typo."""
    for a, b in ((x, y), (y, x)):
        if a in VIETNAMESE_SURNAMES and (ma := _VI_FINAL.search(a)) is not None \
                and (mb := _VI_FINAL.search(b)) is not None:  # fmt: skip
            return a[: ma.start()] == b[: mb.start()] and ma.group() != mb.group()
    return False


def _particle_joined(x: str, y: str) -> bool:
    """Whether one token is the other with one or two particles joined in front of it
    (VANDERBERG, BERG; DOSSANTOS, SANTOS; ZUGUTTENBERG), four letters left at least."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    if len(short) < 4 or len(long) == len(short) or not long.endswith(short):
        return False
    head = long[: len(long) - len(short)]
    return head in PARTICLES or any(head[:i] in PARTICLES and head[i:] in PARTICLES
                                    for i in range(1, len(head)))  # fmt: skip


def _nisba(x: str, y: str) -> bool:
    """Whether one surname is the other with the Arabic and Persian -I of descent (HASSAN,
    HASSANI; RAHMAN, RAHMANI; KARIM, KARIMI): another family, not a spelling."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return (len(short) >= 4 and len(long) == len(short) + 1 and long[-1] == "I"
            and long.startswith(short) and short[-1] not in "AEIOUY")  # fmt: skip


_GLIDE = re.compile(r"[IYJ](?=[AEOU])|(?<=[AEOU])[IYJ]")


def _two_families(x: str, y: str) -> bool:
    """Whether two surnames are both borne by families (SURNAMES): a letter or two apart,
    and no spelling rule between them, they are two names rather than a name and its
    typo (JOHNSON, JOHNSTON; WAGNER, WAGENER; PETERSON, PATTERSON). A glide written or
    not beside a vowel is a romanisation's (GRIGORIEV, GRIGOREV: the soft sign), two
    letters swapped a typist's (LIMA, LIAM)."""
    return x in SURNAMES and y in SURNAMES and _GLIDE.sub("", x) != _GLIDE.sub("", y) \
        and not _swapped(x, y)  # fmt: skip


def _swapped(x: str, y: str) -> bool:
    """Whether two tokens differ by two adjacent letters swapped."""
    if len(x) != len(y):
        return False
    diff = [i for i, (a, b) in enumerate(zip(x, y, strict=True)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] \
        and x[diff[1]] == y[diff[0]]  # fmt: skip


def _other_sex(x: str, y: str) -> bool:
    """Whether one given name is the other's form for the other sex: a feminine A or IE
    added to a name ending in a consonant or II (JAN, JANA; KARIM, KARIMA; ALEKSANDR,
    ALEKSANDRA; VALERII, VALERIIA; STEFAN, STEFANIE), its consonant doubled (JOHAN,
    JOHANNA), the French E after -IS (LOUIS, LOUISE; DENIS, DENISE; FRANCOIS). The scan's
    sex is often unknown, and then only the name can tell them."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    # A D, a doubled consonant or one I is seldom a man's name's end (LIND, EMM, MARI:
    # LINDA, EMMA, MARIA cut short); II is (VALERII, EVGENII: ICAO's -ИЙ)
    if len(short) < 3 or short[-1] in "AEOUHD" or short[-1] == short[-2] != "I" \
            or (short[-1] == "I" and short[-2] != "I") or not long.startswith(short):  # fmt: skip
        return False
    rest = long[len(short) :]
    return rest in ("A", "IE") or rest == short[-1] + "A" or (rest == "E" and short[-2:] == "IS")


def _fleeting_e(x: str, y: str) -> bool:
    """Whether a Slavic man's name with a fleeting E before its last consonant and the
    woman's name of its stem (PAVEL, PAVLA; KAREL, KARLA; MAREK, MARKA) are the two."""
    return any(len(man) >= 4 and man[-2] == "E" and man[-1] not in "AEIOUY"
               and woman == man[:-2] + man[-1] + "A"
               for man, woman in ((x, y), (y, x)))  # fmt: skip


# German and Nordic letters written as two (MUELLER, SOERENSEN, AAKESSON) or as one
# (MULLER, SORENSEN, AKESSON): ICAO 9303 allows both, and a notice may use either.
_DIGRAPHS = re.compile(r"(?<=[AOU])E|(?<=A)A")


def _digraphs_folded(x: str, y: str) -> bool:
    """Whether two tokens are one name with an umlaut or Å written both ways."""
    return _undigraphed(x) == _undigraphed(y)


def _undigraphed(x: str) -> str:
    """x without _DIGRAPHS' letters; searched only where one of its pairs is (a search
    costs thousands of instructions, and most tokens have none)."""
    if "AE" in x or "OE" in x or "UE" in x or "AA" in x:
        return _DIGRAPHS.sub("", x)
    return x


# Arabic names as French and English romanise them: French CH for SH (RACHED, CHEIKH,
# EL HACHEMI), and the article inside a compound written AL, EL, UL, or assimilated to a
# sun letter (NUR AL DIN, NOUREDDINE, NURUDDIN; ABD AL RAHMAN, ABDERRAHMANE).
_MID_ARTICLE = re.compile(r"[AEIOU]L(?=[DRSTZN])|[AEIOU]([DRSTZN])(?=\1)")


@lru_cache(maxsize=65536)
def _arabic_fold(raw: str) -> tuple[str, bool]:
    """A token's consonants with a compound's article taken out and CH read as SH, and
    whether either changed anything."""
    m = _MID_ARTICLE.search(raw, 3)
    core = raw if m is None else raw[: m.start()] + raw[m.end() :]
    # CH and SH as one letter (x), so that an S and an H of two syllables stay two
    # (XIAOHONG is not CHING).
    folded = consonants(core.replace("SH", "x").replace("CH", "x"))
    return folded, m is not None or "CH" in raw


def _arabic_folded(q_raw: str, a_raw: str) -> bool:
    """Whether two tokens of five letters or more, one of them folded by _arabic_fold,
    have the same consonants and first letter: one Arabic name, vowels aside."""
    if len(q_raw) < 5 or len(a_raw) < 5:
        return False
    (q, q_changed), (a, a_changed) = _arabic_fold(q_raw), _arabic_fold(a_raw)
    return q == a and (q_changed or a_changed) and len(q) >= 3  # NG: JIANGUO, CHIANG


def _silent_ending(x: str, y: str) -> bool:
    """Whether one token is the other with a silent H or E at the end."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return len(long) == len(short) + 1 and long.startswith(short) and long[-1] in "HE"


def _explained(q_raw: str, a_raw: str, q_canon: str, a_canon: str) -> float:
    """How much of the longer token the other explains, letters edited away: one edit
    (a typo) costs 0.35 of its share, more edits their whole share (RONALDINHO explains
    RONALDO only in part; BARKHANOEV is another family than BARAKHOEV)."""
    edits = min(OSA.distance(q_raw, a_raw), OSA.distance(q_canon, a_canon))
    if edits == 0:
        return 1.0
    if edits == 1 and _silent_ending(q_raw, a_raw):
        return 0.96  # AMINA, AMINAH; HAMDAN, HAMDANE: a spelling
    return 1.0 - edits / max(len(q_raw), len(a_raw)) * (0.35 if edits == 1 else 1.0)


_PAIR_FLOOR = 0.78
# A foreign name read back and a token of one of the loose keys it may have: as two
# readings of an unvocalised script that meet loosely (_token_sim).
FOREIGN_LOOSE = 0.91
# A pinyin token and a Cantonese one that some common characters read as both: the
# characters are not known, so not a certainty; as two spellings of a surname's group.
CANTONESE = 0.95
# An Arabic name's two Latin spellings known only by their consonants (_arabic_latin): as
# a consonantal reading that meets a spelling (_token_sim's 0.91), under a sure pairing.
ARABIC_LATIN = 0.91
_ARABIC_FLOOR = 0.6  # below it two tokens are not one name's spellings (KHURI, KHOUREY 0.71)
# An initial and the name it begins (H NICHOLAS for HENRY NICHOLAS): a pairing, at the
# weakest that is not held against the name; its weight is the full name's.
INITIAL = 0.92
# A scan's last token where an MRZ's name field is full (FIELD_FULL), and a notice token
# it begins: cut short, not another name.
CUT_SHORT = 0.95
_SURE = 0.92


class Comparison(NamedTuple):
    """Two names compared (``compare``)."""

    sim: float  # similarity of the matched tokens
    penalty: float  # for the tokens left unmatched
    reason: str  # the penalty's name ("" without one)
    info: float  # what the matched query tokens say (name_tokens.information)
    weakest: float  # similarity of the weakest matched pair


# A candidate pairing inside compare: (similarity, both tokens' weights together, the query
# token's mask, the alias token's, the query token's weight, the alias token's). A plain
# tuple: there are many, each made and unpacked in compare. Strongest first and, of two
# as similar, the longer.
_Pairing = tuple[float, int, int, int, int, int]
_STRONGEST = itemgetter(0, 1)


def compare(query: list[Tok], alias: list[Tok]) -> Comparison:
    """The query's tokens paired with the alias's, each with its best partner, strongest
    pairs first; penalised for tokens left over (a profile's tokens: decode_tokens)."""
    # Each alias token's fields, read once: the loop below reads them for every query
    # token, and a NamedTuple's attribute costs more than a tuple's unpacking.
    rows = [(a.raw, a.canon, a.mask, a.flags, a.weight) for a in alias]
    pairs: list[_Pairing] = []
    # A scan's tokens carry HAN or ARABIC all alike (scan_forms.name_forms): the common
    # case, neither, is told once.
    special = query[0].flags & (HAN | ARABIC) if query else 0
    # a foreign name read back (rare; its forms are read as unvocalised)
    foreign = bool(query and query[0].flags & UNVOCALISED and any(t.flags & FOREIGN for t in query))
    for q in query:
        q_raw, q_canon, q_mask, q_flags, q_weight = q.raw, q.canon, q.mask, q.flags, q.weight
        q_merged = q_mask & (q_mask - 1)
        for a_raw, a_canon, a_mask, a_flags, a_weight in rows:
            if a_raw == q_raw:
                s = 1.0
            elif (a_flags | q_flags) & FOLDED:
                continue  # folded spellings pair only when equal
            elif a_canon == q_canon:
                s = 0.97
            elif q_merged and a_mask & (a_mask - 1):
                continue  # two joined tokens: their parts meet already
            else:
                flags = a_flags | q_flags
                given = not a_flags & SURNAME  # the notice's roles (token_sim)
                s = _token_sim(q_raw, a_raw, bool(flags & UNVOCALISED)
                               and not (foreign and _one_consonant(q_raw)), given)
                if special:  # _special_sim and _cantonese written out: a Chinese-speaking
                    # state's scan asks them of every pair of tokens (six a candidate)
                    if flags & HAN and s < CANTONESE \
                            and not (q_raw in GROUPS_OF and a_raw in GROUPS_OF) \
                            and same_characters(q_raw, a_raw, bool(flags & YUE)):  # fmt: skip
                        s = CANTONESE
                    elif flags & ARABIC and _ARABIC_FLOOR <= s < ARABIC_LATIN \
                            and _arabic_latin(q_raw, a_raw, given):  # fmt: skip
                        s = ARABIC_LATIN
                elif flags & FOREIGN and s < FOREIGN_LOOSE:
                    s = _foreign_sim(q_raw, a_raw, q_flags, a_flags, s)
                if q_flags & FIELD_FULL and s < CUT_SHORT and len(q_raw) >= 2 \
                        and a_raw.startswith(q_raw):  # fmt: skip
                    s = CUT_SHORT  # the MRZ's name field ended inside it (CARME, CARMEN)
            if s >= _PAIR_FLOOR:
                pairs.append((s, q_weight + a_weight, q_mask, a_mask, q_weight, a_weight))
    pairs.sort(key=_STRONGEST, reverse=True)
    used_q = used_a = same_q = same_a = 0
    total = weight = 0.0
    weakest = 1.0
    for s, _, q_mask, a_mask, q_weight, a_weight in pairs:
        if q_mask & used_q or a_mask & used_a:
            continue
        used_q |= q_mask
        used_a |= a_mask
        if s >= 0.97:  # the same name, spelt alike
            same_q |= q_mask
            same_a |= a_mask
        w = max(q_weight, a_weight)
        weakest = min(weakest, s)
        if s < _SURE:  # a weak pairing (HERNANDEZ / HERRERA) counts against the name
            s -= (_SURE - s) * 1.5
        total += s * w
        weight += w
    if not weight:
        return Comparison(0.0, 1.0, "name_mismatch", 0.0, 0.0)
    # Base tokens (Tok.base, written out: this runs for every candidate compared).
    q_core = [t for t in query if not t.flags & PARTICLE and t.mask & (t.mask - 1) == 0]
    n_matched = information(q_core, used_q)
    q_left = [t for t in q_core if not t.mask & used_q]
    a_left = [t for t in alias if not t.flags & PARTICLE and t.mask & (t.mask - 1) == 0
              and not t.mask & used_a]  # fmt: skip
    sim = total / weight
    if not q_left and not a_left:
        return Comparison(sim, 0.0, "", n_matched, weakest)
    if q_left and a_left:  # tokens on both sides found no partner: different names
        n = min(len(q_left), len(a_left))
        pen = 0.2 * n + 0.03 * (len(q_left) + len(a_left) - 2 * n)
        return Comparison(sim, pen, "name_token_mismatch", n_matched, weakest)
    if bin(used_q).count("1") == 1:
        pen = 0.12 + 0.03 * (len(q_left) + len(a_left) - 1)
        return Comparison(sim, pen, "single_name_token", n_matched, weakest)
    left, side = (q_left, query) if q_left else (a_left, alias)
    other, used_other = (alias, same_a) if q_left else (query, same_q)
    # A surname left over is a different family, unless the other side's surname was
    # found among this side's names: a part added or dropped (CHOUDARY, ANJEM on a
    # passport of MAHMOOD, ANJEM IFTIKHAR CHOUDARY).
    if _whole_surname(left, side) and not _surname_found(other, used_other):
        return Comparison(sim, 0.2, "surname_unmatched", n_matched, weakest)
    reason = "name_tokens_added" if q_left else "name_tokens_missing"
    cost = sum(0.01 if _in_nasab(t, side) else 0.03 for t in left)
    return Comparison(sim, min(cost, 0.09), reason, n_matched, weakest)


# The links of an Arabic nasab (USAMA BIN MUHAMMAD IBN AWAD IBN LADIN), of a Maghrebi or
# Mauritanian one (OULD): the names after them are the father's and forefathers', which
# one document lists and another leaves out (OSAMA BIN LADEN).
_NASAB = frozenset({"BIN", "IBN", "BINT", "BENT", "BEN", "OULD", "WALD"})


def _in_nasab(token: Tok, side: list[Tok]) -> bool:
    """Whether a token follows a nasab's link (its father's or forefather's name)."""
    before = token.mask >> 1
    return any(t.mask == before and t.raw in _NASAB for t in side)


def _whole_surname(left: list[Tok], side: list[Tok]) -> bool:
    """Whether every surname token of a side went unmatched."""
    surname = [t for t in side if t.flags & SURNAME and not t.flags & PARTICLE and t.base]
    return bool(surname) and all(any(t is u for u in left) for t in surname)


def _surname_found(side: list[Tok], used: int) -> bool:
    """Whether a surname token of a side was matched (by the same name, spelt alike); of
    a scan whose whole name came in its given names field (none is a surname), any."""
    roles = SURNAME if any(t.flags & SURNAME for t in side) else 0
    return any(t.flags & SURNAME == roles and not t.flags & PARTICLE and t.mask & used
               and t.base for t in side)  # fmt: skip


__all__ = [
    "GROUPS_OF",
    "PARTICLES",
    "Comparison",
    "Tok",
    "canon",
    "compare",
    "consonants",
    "information",
    "is_common",
    "joined",
    "name_tokens",
    "significant",
    "single_syllable",
    "skeleton",
    "skeletons",
    "split",
    "strip_prefix",
    "token_sim",
]
