"""Round 6's rules (#26): Cantonese romanisations against pinyin, Cyrillic names under the
German and French schemes, Arabic names in English and French spellings, and the
look-alikes they must not let through (another family's ending, the other sex's form).
Tables of cases; hypothesis where a rule can be stated."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.matching import names
from screening.matching.cantonese import _table, build_table, same_characters
from screening.matching.cyrillic_schemes import icao_respelling, scheme_of
from screening.matching.names import _PAIR_FLOOR, _arabic_latin, _token_sim
from screening.matching.readings import FOREIGN_NAME
from screening.matching.scan_forms import convention_of
from tests.support.name_pairs import THRESHOLD, _keys_meet, _score

# Same person: (notice, scan, nationality). Both directions of each convention.
SAME = [
    # Hong Kong government romanisation and pinyin (Jyutping and Yale alike)
    (("CHEN", "JIANHONG"), ("CHAN", "KIN HUNG"), "HKG"),
    (("CHEUNG", "TAK CHI"), ("ZHANG", "DEZHI"), "HKG"),
    (("LIANG", "ZHIQIANG"), ("LEUNG", "CHI-KEUNG"), "HKG"),
    (("XIE", "DONGJIE"), ("TSE", "TUNGKIT"), "HKG"),
    (("HUANG", "KAIMING"), ("WONG", "HOI MING"), "MAC"),
    (("CHEUNG", "TAK CHI"), ("ZHANG", "DEZHI"), "GBN"),  # British National (Overseas)
    (("LIANG", "ZHIQIANG"), ("LEUNG", "CHI-KEUNG"), "GBN"),
    # German (Duden) and French schemes against ICAO 9303
    (("KUZNETSOV", "RUSTAM"), ("KUSNEZOW", "RUSTAM"), "KAZ"),
    (("SHEVCHENKO", "ZAKHAR"), ("SCHEWTSCHENKO", "SACHAR"), "RUS"),
    (("CHODORKOWSKI", "MICHAIL"), ("KHODORKOVSKII", "MIKHAIL"), "RUS"),
    (("SHEVCHENKO", "ZAKHAR"), ("CHEVTCHENKO", "ZAKHAR"), "UKR"),
    (("JOUMABAIEV", "SERGUEI"), ("ZHUMABAEV", "SERGEI"), "KAZ"),
    # Arabic names as English and French write them
    (("KHOURY", "SHOAIB"), ("KHOURI", "CHOUAIB"), "IRN"),
    (("KURESHI", "TARIK"), ("QURAISHI", "TARIQ"), "PAK"),
    (("CHAUDHRY", "IMRAN"), ("CHOWDHURY", "IMRAN"), "PAK"),
    (("KHURI", "HAMSA"), ("KHOUREY", "HAMZAH"), "SAU"),
    # Two attested surnames, but one name: a romanisation's glide, Arabic vowels, umlauts,
    # and a typo that makes no surname
    (("GRIGORIEV", "TIMOUR"), ("GRIGOREV", "TIMUR"), "RUS"),
    (("SALEM", "AHMED"), ("SALIM", "AHMED"), "DZA"),
    (("MUELLER", "ANNA"), ("MULLER", "ANNA"), "DEU"),
    (("JOHNSON", "PETER"), ("JONHSON", "PETER"), "GBR"),
    (("LIMA NASCIMENTO", "ADRIANA"), ("LIAM NASCIMENTO", "ADRIANA"), "BRA"),
    # two attested surnames an Arabic name's spellings (surnames.txt's mark): paired on
    # their consonants for a holder of a state whose names are Arabic
    (("HASSAN", "YOUSSEF"), ("HASAN", "YOUSSEF"), "YEM"),
    # a surname's ق said G (Libya, the Gulf, Upper Egypt) against its Q
    (("GADDAFI", "MUAMMAR"), ("QADHAFI", "MUAMMAR"), "LBY"),
    (("QASIMI", "SULTAN"), ("GASIMI", "SULTAN"), "ARE"),
]

# Different people, the same date of birth and nationality.
DIFFERENT = [
    (("LUO", "YONG"), ("LUO", "WEI"), "CHN"),  # two pinyin names (YUNG: Wade-Giles)
    (("WANG", "QIANG"), ("WANG", "HONG"), "CHN"),
    (("GARCIA", "AHMED"), ("GARZA", "AHMED"), "SYR"),  # C is no Arabic letter's spelling
    (("KARIM", "ZEINAB"), ("KARIMOV", "ZEINAB"), "SYR"),
    (("AL HASHIMI", "VIKTOR"), ("AL HASHIMI", "VIKTORIA"), "EGY"),
    (("MELNYK", "AHMED"), ("MELNYCHUK", "AHMED"), "EGY"),
    (("FERRARI", "ANNA"), ("FERRARO", "ANNA"), "ITA"),
    (("ROSSI", "LUCA"), ("ROSSO", "LUCA"), "ITA"),
    (("NOVAK", "PAVEL"), ("NOVAK", "PAVLA"), "CZE"),
    (("DUBOIS", "LOUIS"), ("DUBOIS", "LOUISE"), "FRA"),
    (("DUBOIS", "DENIS"), ("DUBOIS", "DENISE"), "FRA"),
    # Surnames of two families a letter or two apart (matching/data/surnames.txt). Not
    # where the holder's state writes Arabic names: their Latin spellings are attested
    # surnames too, vowels written or not (CHAUDHRY, CHOWDHURY; SALEM, SALIM).
    (("JOHNSON", "PETER"), ("JOHNSTON", "PETER"), "GBR"),
    (("PETERSON", "MARY"), ("PATTERSON", "MARY"), "USA"),
    (("WAGNER", "ANNA"), ("WAGENER", "ANNA"), "DEU"),
    (("MUELLER", "KARL"), ("MUELLNER", "KARL"), "AUT"),
    (("GOMEZ", "LUIS"), ("GOMES", "LUIS"), "ESP"),
    # ... nor where neither is an Arabic name's spelling (surnames.txt's mark), whoever
    # holds them
    (("WAGNER", "YOUSSEF"), ("WAGENER", "YOUSSEF"), "YEM"),
    (("GOMEZ", "KHALED"), ("GOMES", "KHALED"), "TUN"),
    (("PETERSON", "TAREK"), ("PATTERSON", "TAREK"), "ARE"),
    # A Vietnamese surname with another final consonant: another word (Nguyệt, Trang)
    (("NGUYEN", "OLGA"), ("NGUYET", "OLGA"), "RUS"),
    (("TRAN", "MINH"), ("TRANG", "MINH"), "VNM"),
]


@pytest.mark.parametrize(("notice", "scan", "nat"), SAME)
def test_same_person_found(notice: tuple[str, str], scan: tuple[str, str], nat: str) -> None:
    assert _keys_meet(notice, scan, nat)
    assert _score(notice, scan, nat) >= THRESHOLD
    assert _keys_meet(scan, notice, nat)  # either side may carry the other spelling
    assert _score(scan, notice, nat) >= THRESHOLD


# Scans in scripts read as they are said: Persian و, V beside a long vowel (the nisba
# ending وی), U between consonants, V there too when the word has no other (a short vowel
# unwritten: MAHVASH); Khmer's final វ after a vowel, the glide written O or U (KEO);
# Latvian's Č written C in the MRZ, and its J a Y; Hungarian's C a TS; Hebrew's ח an H
# as well as a KH.
@pytest.mark.parametrize(("notice", "scan", "nat"), [
    (("MOUSAVI", "DARIUSH"), ("موسوی", "داریوش"), "IRN"),
    (("MOUSAVI", "HAMID"), ("موسوی", "حمید"), "IRN"),
    (("RAZAVI", "PARVIZ"), ("رضوی", "پرویز"), "IRN"),
    (("SHARIFI", "MAHVASH"), ("شریفی", "مهوش"), "IRN"),
    (("DAVOUDI", "KAVEH"), ("داوودی", "کاوه"), "IRN"),
    (("KEO", "CHANTHA"), ("កែវ", "ចន្ថា"), "KHM"),
    (("KHIEU", "SAMPHAN"), ("ខៀវ", "សំផន"), "KHM"),
    (("TIUTCHEV", "IGOR"), ("TJUTCEVS", "IGORS"), "RUS"),
    (("ZAKHAROV", "VIACHESLAV"), ("ZAHAROVS", "VJACESLAVS"), "LVA"),
    (("CHEKHOV", "ANTON"), ("CEHOVS", "ANTONS"), "RUS"),
    (("TSVETKOV", "ANDREI"), ("CVETKOVS", "ANDREJS"), "LVA"),
    (("ZAITSEV", "VLADIMIR"), ("ZAJCEV", "VLAGYIMIR"), "HUN"),
    (("MIZRAHI", "YAAKOV"), ("מזרחי", "יעקב"), "ISR"),
    (("MIZRACHI", "RACHEL"), ("מזרחי", "רחל"), "ISR"),
    # Hangul's foreign names: ㅂ a German W, ㅅ a TH, an English R unwritten after a short
    # vowel, a last NG an NG (only a French nasal's is an N)
    (("WAGNER", "WOLFGANG"), ("바그너", "볼프강"), "D"),
    (("WEBER", "ARTHUR"), ("베버", "아서"), "GBR"),
    (("HALL", "CATHERINE"), ("홀", "캐서린"), "GBR"),
    (("HUGHES", "DAVID"), ("휴스", "데이비드"), "GBR"),
    (("FLEMING", "ROBERT"), ("플레밍", "로버트"), "GBR"),
    (("MACRON", "EMMANUEL"), ("마크롱", "에마뉘엘"), "FRA"),
    # ... of another state's national, even where it reads as a Korean name too
    (("YOUNG", "ARTHUR"), ("영", "아서"), "GBR"),
    # Chinese characters for a foreign name (the Xinhua agency's): a two-character
    # surname read back too (普京), 约 JO, 基 last KI, 盖 GEI, J also a D, 克谢 an X
    (("PUTIN", "VLADIMIR"), ("普京", "弗拉基米尔"), "RUS"),
    (("JOHNSON", "BORIS"), ("约翰逊", "鲍里斯"), "GBR"),
    (("SMITH", "JOHN"), ("史密斯", "约翰"), "USA"),
    (("ZELENSKY", "VLADIMIR"), ("泽连斯基", "弗拉基米尔"), "UKR"),
    (("LAVROV", "SERGEY"), ("拉夫罗夫", "谢尔盖"), "RUS"),
    (("NAVALNY", "ALEXEI"), ("纳瓦尔尼", "阿列克谢"), "RUS"),
    # Belarus's passports: the Belarusian form of a Russian name romanised (DZ, TS before
    # I, Ў as U, IA after a consonant, Г as H, -ENKA)
    (("LUKASHENKO", "ALEXANDER"), ("LUKASHENKA", "ALIAKSANDR"), "BLR"),
    (("PETROV", "SERGEI"), ("PIATROU", "SIARHEI"), "BLR"),
    (("TIKHANOVSKAYA", "SVETLANA"), ("TSIKHANOUSKAYA", "SVIATLANA"), "BLR"),
    (("DMITRIEV", "GENNADY"), ("DZMITRYEU", "HENADZ"), "BLR"),
    # Ukraine's: the Ukrainian form (Г as H, И as Y)
    (("GRIGORENKO", "GRIGORY"), ("HRYHORENKO", "HRYHORII"), "UKR"),
])  # fmt: skip
def test_scan_script_read(notice: tuple[str, str], scan: tuple[str, str], nat: str) -> None:
    assert _keys_meet(notice, scan, nat)
    assert _score(notice, scan, nat) >= THRESHOLD


@pytest.mark.parametrize(("notice", "scan", "nat"), DIFFERENT)
def test_different_person_not_referred(notice: tuple[str, str], scan: tuple[str, str],
                                       nat: str) -> None:  # fmt: skip
    assert _score(notice, scan, nat) < THRESHOLD
    assert _score(scan, notice, nat) < THRESHOLD


@pytest.mark.parametrize(("x", "y", "hong_kong", "same"), [
    ("KINHUNG", "JIANHONG", False, True), ("TAK", "DE", False, True),
    ("HOI", "KAI", False, True), ("KEUNG", "QIANG", False, True),
    ("CHI", "ZHI", True, True), ("WEI", "YONG", False, False), ("PETER", "BIDA", True, False),
])  # fmt: skip
def test_same_characters(x: str, y: str, hong_kong: bool, same: bool) -> None:
    assert same_characters(x, y, hong_kong) is same
    assert same_characters(y, x, hong_kong) is same


def test_cantonese_table_is_what_the_libraries_say() -> None:
    """cantonese_table.py is pypinyin's and cantoroman's readings written down: after
    either library changes, `python -m screening.matching.cantonese` writes it anew."""
    assert _table()[0] == build_table()


@pytest.mark.parametrize(("name", "scheme", "icao"), [
    ("KUSNEZOW RUSTAM", "de", "KUSNETSOV RUSTAM"),
    ("SCHEWTSCHENKO SACHAR", "de", "SHEVCHENKO ZAKHAR"),
    ("TSCHAIKOWSKI PJOTR", "de", "CHAIKOVSKI PETR"),
    ("JEFREMOW TATJANA", "de", "EFREMOV TATIANA"),
    ("CHEVTCHENKO ZAKHAR", "fr", "SHEVCHENKO ZAKHAR"),
    ("JOUMABAIEV IELENA", "fr", "ZHUMABAEV ELENA"),
    ("IEFREMOV JANNA", "fr", "EFREMOV ZHANNA"),
    ("KUZNETSOV ANATOLII", "", ""),  # ICAO's own: no marks
    ("SERGEJ IVANOV", "", ""),  # J is in both schemes: a mark of neither
])  # fmt: skip
def test_cyrillic_schemes(name: str, scheme: str, icao: str) -> None:
    assert scheme_of(name) == scheme
    if scheme:
        assert " ".join(icao_respelling(name.split(), scheme)) == icao


_CONSONANTS = "BDFGKLMNPRSTVZ"
_STEM = st.text("ABDEIKLMNORSTU", min_size=3, max_size=8)


@given(_STEM, st.sampled_from(_CONSONANTS))
def test_fleeting_e_is_the_other_sex(stem: str, last: str) -> None:
    """A man's name with a fleeting E before its last consonant and its stem with -A
    (PAVEL, PAVLA) are two given names, never paired."""
    man, woman = stem + "E" + last, stem + last + "A"
    assert _token_sim(man, woman, False, True) < _PAIR_FLOOR
    assert _token_sim(woman, man, False, True) < _PAIR_FLOOR


@given(st.text("BCDFGLMNPRST", min_size=1, max_size=3), _STEM,
       st.sampled_from(["AO", "AU", "EO", "IO", "IU", "EU", "IA", "AI"]))  # fmt: skip
def test_final_vowel_of_another_class_is_another_family(head: str, stem: str,
                                                        vowels: str) -> None:  # fmt: skip
    """Surnames of five letters or more that differ in a final vowel of another class
    (FERRARI, FERRARO) are two families."""
    x, y = head + stem + vowels[0], head + stem + vowels[1]
    assert _token_sim(x, y, False, False) < _PAIR_FLOOR


@given(st.text("ABCDEGHIJKLMNOQRSTUWYZ", min_size=1, max_size=10),
       st.text("ABCDEGHIJKLMNOQRSTUWYZ", min_size=1, max_size=10), st.booleans())  # fmt: skip
def test_arabic_latin_is_symmetric(x: str, y: str, given_name: bool) -> None:
    assert _arabic_latin(x, y, given_name) == _arabic_latin(y, x, given_name)


def test_flags_only_for_their_states() -> None:
    """A name of a state that writes neither Chinese nor Arabic names is compared as
    before: no token carries the flags that widen the comparison."""
    from screening.matching.scan_forms import name_forms

    for nat in ("", "FRA", "USA"):
        for form in name_forms("CHAN", "KIN HUNG", nat):
            assert all(not t.flags & (names.HAN | names.ARABIC) for t in form.tokens)


def test_hangul_of_another_states_national_is_read_as_a_foreign_name() -> None:
    assert convention_of("GBR", "영") == FOREIGN_NAME
    assert convention_of("KOR", "영") == "ko"  # a Korean's name: Korean (and folded)
    assert convention_of("PRK", "영") == "ko"
    assert convention_of(None, "영") == ""  # no state said: as written
    assert convention_of("GBR", "YOUNG") == ""
    assert convention_of("CHN", "영") == "zh"  # a state's own convention first


def test_characters_of_a_state_that_writes_none_are_read_as_a_foreign_name() -> None:
    assert convention_of("GBR", "普京") == FOREIGN_NAME
    # another state's convention is for its names in Latin or Cyrillic letters
    assert convention_of("RUS", "普京") == FOREIGN_NAME
    assert convention_of("IRN", "영") == FOREIGN_NAME
    assert convention_of("CHN", "普京") == "zh"
    assert convention_of("HKG", "普京") == "yue"
    assert convention_of("JPN", "田中") == ""  # Japan writes its own names so
    assert convention_of("KOR", "普京") == "ko"
