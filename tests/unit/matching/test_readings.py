"""Readings of a scan's name in any script, and the rules that tell a name from another."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching import readings as readings_module
from screening.matching.name_keys import foreign_loose_choices, foreign_loose_keys, loose_key
from screening.matching.names import _another_name, compare, name_tokens
from screening.matching.persons import PersonQuery, notice_keys, notice_profile, query_keys, score
from screening.matching.readings import MAX_READINGS, marked_convention, readings, script_of


@pytest.mark.parametrize(
    ("text", "surname", "expected"),
    [
        ("SECH1N", True, "SECHIN"),  # OCR digits read as letters
        ("I9OR", False, "IGOR"),
        ("Пуцін", True, "PUTIN"),  # Belarusian spelling of a Russian name
        ("Уладзімір", False, "VLADIMIR"),
        ("Микола", False, "MYKOLA"),  # Ukrainian И
        ("김", True, "KIM"),  # customary surname, not RR GIM
        ("정은", False, "JONG UN"),  # McCune-Reischauer respelling
        ("张", True, "ZHANG"),
        ("佐藤", True, "SATO"),  # a Japanese name in kanji
        ("ショウヘイ", False, "SHOHEI"),
        ("Παπαδόπουλος", True, "PAPADOPOULOS"),
        ("სააკაშვილი", True, "SAAKASHVILI"),
        ("Հարությունյան", True, "HARUTYUNYAN"),
        ("पांडे", True, "PANDE"),
        ("ศิริพร", False, "SIRIPHORN"),
    ],
)
def test_a_name_is_read_as_its_documents_spell_it(text: str, surname: bool, expected: str) -> None:
    assert expected in [" ".join(r.tokens) for r in readings(text, "", surname)]


def _profile(notice: tuple[str, str], dob: str, nationality: str) -> dict[str, object]:
    """A notice of one Latin name, as the tests below screen a scan against."""
    return notice_profile({"id": "N1", "names": [{"surname": notice[0],
                           "given_names": notice[1], "script": "Latn"}],
                           "date_of_birth": dob, "nationalities": [nationality]})


def _assert_found(scan: tuple[str | None, str | None], notice: tuple[str, str], dob: str,
                  nationality: str, sex: str | None) -> None:
    """The scan meets the notice in a key and scores a referral against it."""
    profile = _profile(notice, dob, nationality)
    query = PersonQuery(scan[0], scan[1], dob, nationality, sex)
    assert set(query_keys(query)) & notice_keys(profile)
    match = score(query, profile, 0.5)
    assert match is not None and match.score >= 0.88


@pytest.mark.parametrize(
    ("text", "convention", "expected"),
    [("VLAGYIMIR", "hu", "VLADIMIR"), ("PUTYIN", "hu", "PUTIN"), ("LAVROVS", "lv", "LAVROV"),
     ("SERGEJS", "lv", "SERGEY"), ("VJACESLAVS", "lv", "VYACHESLAV")],
)
def test_national_romanisations(text: str, convention: str, expected: str) -> None:
    assert [" ".join(r.tokens) for r in readings(text, convention)][-1] == expected
    assert len(readings(text)) == 1  # without the state's convention: as written


@pytest.mark.parametrize(
    ("surname", "given", "convention"),
    [
        ("PUTYIN", "VLAGYIMIR", "hu"),  # a Russian's name as a Hungarian document writes it
        ("Putyin", "Vlagyimir", "hu"),
        ("CSERNYIK", "ANDREJ", "hu"),
        ("LAVROVS", "SERGEJS", "lv"),  # as a Latvian one writes it
        ("PUTINS", "VLADIMIRS", "lv"),
        ("LAVROVS<<SERGEJS", "SERGEJS<VIKTOROVICS", "lv"),
        # English, French, German spellings have none of these marks
        ("ROBERTS", "JAMES", ""), ("COLLINS", "CHRIS", ""), ("MCSWEENEY", "PATRICK", ""),
        ("TYLER", "ANNE", ""), ("WILLIAMS", "ROBERTS", "lv"),  # both parts so ended: read both ways
        ("PUTIN", "VLADIMIR", ""), ("LAVROVS", "SERGEY", ""), ("GYOR", "", ""),
        # a Chinese or Korean name on any state's passport
        ("ZHU", "ZHENHONG", "zh"), ("LI", "XIAO MING", "zh"), ("SMITH", "MING", ""),
        ("PARK", "MIN-JUN", "ko"), ("BAK", "MINJUN", "ko"), ("CHOE", "HYUN WOO", "ko"),
        ("YU", "JI HUN", "zh"),  # either: far more often Chinese
        ("SEN", "AMIT ADITYA", ""), ("SCHWARZSTEIN", "ANNA", ""), ("ZSOLT", "NAGY", "hu"),
        ("LEE", "JAMES", ""), ("KIM", "ALEXANDRA", ""),
    ],
)
def test_a_national_rendering_is_known_by_its_marks(surname: str, given: str,
                                                    convention: str) -> None:
    assert marked_convention(surname, given) == convention


@pytest.mark.parametrize(
    ("scan", "notice"),
    [(("PUTYIN", "VLAGYIMIR"), ("PUTIN", "VLADIMIR")),
     (("LAVROVS", "SERGEJS"), ("LAVROV", "SERGEY")),
     (("LAVROVS", "SERGEJS"), ("LAVROV", "SERGEY VIKTOROVICH"))],
)
def test_a_russian_nationals_hungarian_or_latvian_rendering_is_found(
        scan: tuple[str, str], notice: tuple[str, str]) -> None:
    """The holder's nationality (RUS) does not say which state wrote the name: the marks
    do, in the keys as in the score."""
    _assert_found(scan, notice, "1952-10-07", "RUS", "M")


@pytest.mark.parametrize(
    ("scan", "notice"),
    [(("BAK", "MIN JUN"), ("PARK", "MINJUN")), (("CHOE", "GYEONG-SU"), ("CHOI", "KYONG SU")),
     (("CHU", "CHEN HUNG"), ("ZHU", "ZHENHONG"))],
)
def test_korean_and_chinese_romanisations_whatever_the_nationality(
        scan: tuple[str, str], notice: tuple[str, str]) -> None:
    """A Korean or Chinese name on a British passport, its notice another romanisation."""
    _assert_found(scan, notice, "1975-06-10", "GBR", None)


@pytest.mark.parametrize(("read", "written"), [
    ("MIRER", "MILLER"), ("MERKER", "MERKEL"), ("URAJIMIR", "VLADIMIR"), ("SMIS", "SMITH"),
    ("AREKSANDER", "ALEXANDER"), ("BREA", "BLAIR"), ("JOJIP", "JOSEPH"),
    ("MAATIN", "MARTIN"), ("KLAK", "CLARK"), ("JOJI", "GEORGE"), ("KUJNECHOP", "KUZNETSOV"),
    # a sound Latin spellings write otherwise (name_keys._FOREIGN_RESPELL): a German SCH
    # and Z, an Italian CC, a Spanish GU, a Russian KH, an English TH and silent GH, a C
    # before E or I (or a Ç) and one before IA, a French silent final letter
    ("SHUBERT", "SCHUBERT"), ("SHURTS", "SCHULZ"), ("PUTCHINI", "PUCCINI"),
    ("GERERO", "GUERRERO"), ("HARIR", "KHALIL"), ("SACHAA", "THATCHER"), ("DOWAIT", "DWIGHT"),
    ("BINSENT", "VINCENT"), ("GARSHIA", "GARCIA"), ("DEYUMA", "DUMAS"),
])  # fmt: skip
def test_a_foreign_reading_has_the_written_names_loose_key(read: str, written: str) -> None:
    assert loose_key(written) in foreign_loose_keys(read)
    assert foreign_loose_choices(read)[0] == (loose_key(read), 0)  # the reading's own first


# Read back from Hangul only: ㅂ a German W (katakana writes W as ヴ or ワ, so its B is a
# B: ブレア BLAIR's keys are not spent on WLAIR), ㅅ a TH before a vowel, an R after any
# short vowel (Hangul marks no long one); and a last NG as it is (마크롱's NG a French N).
@pytest.mark.parametrize(("read", "written"), [
    ("BOLPGANG", "WOLFGANG"), ("BAGNER", "WAGNER"), ("ASER", "ARTHUR"),
    ("KAESARIN", "CATHERINE"), ("AENDASN", "ANDERSON"), ("HYUS", "HUGHES"),
    ("MAKRONG", "MACRON"),
])  # fmt: skip
def test_a_hangul_reading_has_the_written_names_loose_key(read: str, written: str) -> None:
    assert loose_key(written) in foreign_loose_keys(read, hangul=True)
    assert foreign_loose_choices(read, True)[0] == (loose_key(read), 0)


def test_a_katakana_reading_has_no_german_w() -> None:
    assert loose_key("WOLFGANG") not in foreign_loose_keys("BORUFUGANGU")
    assert loose_key("WAGNER") not in foreign_loose_keys("BAGNER")
    assert loose_key("WAGNER") in foreign_loose_keys("BAGNER", hangul=True)


@pytest.mark.parametrize(
    ("scan", "notice"),
    [(("메르켈", "앙겔라"), ("MERKEL", "ANGELA")),
     (("트럼프", "도널드"), ("TRUMP", "DONALD")),
     (("푸틴", "블라디미르"), ("PUTIN", "VLADIMIR")),
     (("이바노프", "카를로스"), ("IVANOV", "CARLOS")),
     (("メルケル", "アンゲラ"), ("MERKEL", "ANGELA")),
     (("トランプ", "ドナルド"), ("TRUMP", "DONALD")),
     (("ジョンソン", "ボリス"), ("JOHNSON", "BORIS")),
     (("ג'ונסון", "בוריס"), ("JOHNSON", "BORIS")),  # a geresh: ג' is J
     (("ปูติน", "วลาดีมีร์"), ("PUTIN", "VLADIMIR")),  # Thai keeps the silent R
     (("奥巴马", "贝拉克"), ("OBAMA", "BARACK")),  # Chinese: 克 a K, an L for an R
     (("马克龙", "埃马纽埃尔"), ("MACRON", "EMMANUEL")),
     (("贝拉克·奥巴马", None), ("OBAMA", "BARACK")),  # in one field, at its middle dot
     # one letter for several: R for L (ミラー MILLER), J for D (ウラジーミル), a first U for
     # V, a last S for TH (スミス SMITH), KS for X, an R not sounded (ブレア BLAIR)
     (("ミラー", "マイケル"), ("MILLER", "MICHAEL")),
     (("プーチン", "ウラジーミル"), ("PUTIN", "VLADIMIR")),
     (("スミス", "ジョン"), ("SMITH", "JOHN")),
     (("ロッシ", "アレクサンダー"), ("ROSSI", "ALEXANDER")),
     (("ブレア", "トニー"), ("BLAIR", "TONY")),
     (("로시", "조지프"), ("ROSSI", "JOSEPH")),
     (("클라크", "이반"), ("CLARK", "IVAN")),  # a foreign surname's given name: foreign too
     (("マーティン", "ジョージ"), ("MARTIN", "GEORGE")),
     # Latin spellings of a sound (name_keys._FOREIGN_RESPELL): プッチーニ's ッチ an Italian
     # CC, ビンセント's S a C, ドワイト's AI an English IGH
     (("プッチーニ", "ジャコモ"), ("PUCCINI", "GIACOMO")),
     (("ビンセント", "ルーシー"), ("VINCENT", "LUCY")),
     (("ドワイト", "ヘンリー"), ("DWIGHT", "HENRY"))],
)
def test_a_foreign_name_in_an_asian_script_or_hebrew_is_read_back(
        scan: tuple[str, str], notice: tuple[str, str]) -> None:
    """Korean and Japanese write foreign names as they sound (vowels added, one letter for
    R and L): read back on the consonants, they meet the notice's Latin spelling."""
    _assert_found(scan, notice, "1954-07-17", "DEU", None)


@pytest.mark.parametrize(
    ("scan", "notice", "nationality"),
    [(("김정은", None), ("KIM", "JONG UN"), "PRK"),  # the whole name in one field
     ((None, "김정은"), ("KIM", "JONG UN"), "PRK"),
     (("정은 김", None), ("KIM", "JONG UN"), "PRK"),  # given name first, as abroad
     (("정은", "김"), ("KIM", "JONG UN"), "PRK"),  # the fields swapped
     (("习近平", None), ("XI", "JINPING"), "CHN"),
     (("欧阳娜娜", None), ("OUYANG", "NANA"), "CHN"),  # a compound surname
     (("PUTYIN VLAGYIMIR", None), ("PUTIN", "VLADIMIR"), "RUS"),
     ((None, "SHER ABBAS STANEKZAI"), ("KHAN", "SHER MOHAMMAD ABBAS STANEKZAI PADSHAH"),
      "AFG"),
     (("POLPOT", None), ("POT", "POL"), "KHM"),  # a short name run together
     (("FRIDRICHLINDENBERG", None), ("LINDENBERG", "FRIEDRICH"), "D")],  # and a typo
)
def test_a_name_in_one_field_or_swapped_fields_is_found(
        scan: tuple[str | None, str | None], notice: tuple[str, str], nationality: str) -> None:
    _assert_found(scan, notice, "1984-01-08", nationality, None)


@pytest.mark.parametrize(
    ("scan", "notice", "found"),
    [(("LADEN", "OSAMA BIN"), ("LADIN", "USAMA BIN MUHAMMAD IBN AWAD IBN"), True),
     (("SALMAN", "MUHAMMAD BIN"), ("LADIN", "USAMA BIN MUHAMMAD IBN AWAD IBN"), False)],
)
def test_a_nasab_cut_short_is_the_same_name(scan: tuple[str, str], notice: tuple[str, str],
                                             found: bool) -> None:
    """The father's and forefathers' names after BIN and IBN: one document lists them,
    another leaves them out."""
    profile = _profile(notice, "1957-03-10", "SAU")
    match = score(PersonQuery(scan[0], scan[1], "1957-03-10", "SAU", "M"), profile, 0.5)
    assert (match is not None and match.score >= 0.88) is found


@pytest.mark.parametrize(
    ("scan", "notice"),
    [(("SMITH", "JANA"), ("SMITH", "JAN")),  # name for name: another name, not a typo
     (("JANASMITHSON", None), ("SMITH", "JAN"))],  # too many letters more
)
def test_a_typo_is_forgiven_only_in_a_name_run_together(
        scan: tuple[str | None, str | None], notice: tuple[str, str]) -> None:
    profile = _profile(notice, "1984-01-08", "GBR")
    match = score(PersonQuery(scan[0], scan[1], "1984-01-08", "GBR", None), profile, 0.5)
    assert match is None or match.score < 0.88


@pytest.mark.parametrize(
    ("scan", "notice", "found"),
    [(("KHAMENEI", "A."), ("KHAMENEI", "ALI"), True),
     (("NAZARBAYEV", "N"), ("NAZARBAYEV", "NURSULTAN"), True),
     (("ALVARENGA", "A."), ("ALVARENGA", "ALEKSANDR"), True),  # AL not taken for an article
     (("JUNCKER", "J.-C."), ("JUNCKER", "JEAN-CLAUDE"), True),
     (("JUNCKER", "JC"), ("JUNCKER", "JEAN CLAUDE"), True),  # a run of initials
     (("RAHMAN", "MD"), ("RAHMAN", "MUHAMMAD"), True),
     (("NAZARBAYEV", "A."), ("NAZARBAYEV", "NURSULTAN"), False),  # another initial
     (("KHAMENEI", "B"), ("KHAMENEI", "ALI"), False)],
)
def test_a_surname_with_initials_only_finds_the_notice(
        scan: tuple[str, str], notice: tuple[str, str], found: bool) -> None:
    profile = _profile(notice, "1939-07-17", "IRN")
    query = PersonQuery(scan[0], scan[1], "1939-07-17", "IRN", "M")
    match = score(query, profile, 0.5)
    assert (match is not None and match.score >= 0.88) is found
    if found:
        assert set(query_keys(query)) & notice_keys(profile)


@pytest.mark.parametrize(
    ("text", "script"),
    [("כהן", "Hebr"), ("ทักษิณ", "Thai"), ("山田たろう", "Kana"), ("김정은", "Hang"),
     ("ហ៊ុន", "Khmr"), ("Müller", "Latn")],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


@pytest.mark.parametrize("text", ["כהן", "ชินวัตร", "ماكونيل", "नरेन्द्र"])
def test_unvocalised_scripts_are_compared_on_consonants(text: str) -> None:
    assert all(r.consonantal for r in readings(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_readings_are_latin_capitals(text: str) -> None:
    found = readings(text)
    assert len(found) <= MAX_READINGS
    for reading in found:
        assert reading.tokens
        assert all(t.isascii() and t.isalpha() and t.isupper() for t in reading.tokens)


@pytest.mark.parametrize(
    ("a", "b", "another"),
    [("JAMAL", "JAMIL", True), ("ANGELO", "ANGELA", True), ("ALI", "ALIM", True),
     ("AMIN", "AMIR", True), ("NABIL", "NABIH", True),
     ("RASHID", "RASHED", False), ("SARA", "SARAH", False), ("MOHAMED", "MOHAMAD", False),
     ("POPOV", "PAPOV", False), ("IVAN", "IVANN", False), ("HANS", "HANZ", False),
     ("MAHATHIR", "MAHIR", False)],  # more than one edit: scored by _explained instead
)
def test_one_edit_that_makes_another_name(a: str, b: str, another: bool) -> None:
    assert _another_name(a, b) is another
    assert _another_name(b, a) is another


def _score(scan: tuple[str, str], notice: tuple[str, str]) -> float:
    record = {"id": "n", "names": [{"surname": notice[0], "given_names": notice[1]}],
              "date_of_birth": "1970-05-04", "nationalities": ["D"]}  # fmt: skip
    match = score(PersonQuery(scan[0], scan[1], "1970-05-04", "D", None),
                  notice_profile(record), 0.0)  # fmt: skip
    return match.score if match else 0.0


@pytest.mark.parametrize(
    ("scan", "notice", "low", "high"),
    [
        (("PUTIN", "VLADIMIR"), ("PUTIN", "VLADIMIR"), 1.0, 1.0),
        (("PUTINE", "VLADIMIR"), ("PUTIN", "VLADIMIR"), 0.88, 0.99),  # 1.00 only as written
        (("VLADIMIRPUTIN", ""), ("PUTIN", "VLADIMIR"), 0.88, 0.99),
        (("TNKUNDA", "LAUREN"), ("NKUNDA", "LAURENT"), 0.88, 0.99),
        (("MAHMOOD", "ANJEM IFTIKHAR CHOUDARY"), ("CHOUDARY", "ANJEM"), 0.88, 0.99),
        (("STANEKZAI", "SHER ABBAS"), ("KHAN", "SHER MOHAMMAD ABBAS STANEKZAI PADSHAH"),
         0.88, 0.99),
        (("MOHAMAD", "MAHIR"), ("MOHAMAD", "MAHATHIR"), 0.0, 0.879),
        (("SARKISSIAN", "TIGER"), ("SARKISSIAN", "TIGRAN"), 0.0, 0.879),
        (("MERCAZ", "ANGELO"), ("MERKEL", "ANGELA"), 0.0, 0.879),
        (("RONALDINHO", "PAULO"), ("RONALDO", "PAULO"), 0.0, 0.879),
        (("BARAKHOEV", "ISA"), ("BARKHANOEV", "ISA"), 0.0, 0.879),
    ],
)
def test_scores_say_how_much_of_the_name_agrees(scan: tuple[str, str], notice: tuple[str, str],
                                                low: float, high: float) -> None:  # fmt: skip
    assert low <= _score(scan, notice) <= high


def test_a_patronymic_is_not_the_notices_surname() -> None:
    """The surname exemption (a notice's surname among the scan's given names) asks for
    the same name, not a similar one (IVANOVNA is no IVANOVA)."""
    q = name_tokens([["SMIRNOV"], ["OLGA", "IVANOVNA"]])
    _, pen, reason, _, _ = compare(q, name_tokens([["IVANOVA"], ["OLGA"]]))
    assert (pen, reason) == (0.2, "surname_unmatched")


_LV_ENDING = re.compile(r"\b[A-Z]{2,}[BDGJKLMNPRTVZ]S\b")  # what _marks told by expression


def _marks_by_expressions(tokens: tuple[str, ...]) -> tuple[int, bool]:
    """readings._marks as regular expressions say it (the function tells the Latvian
    endings by the tokens' last letters, and searches Hungarian marks only where a
    digraph of theirs is)."""
    text = " ".join(tokens)
    return len(_LV_ENDING.findall(text)), \
        readings_module._HU_MARKS.search(text) is not None  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="ABCDEGIJKLMNORSTUVYZ", min_size=1, max_size=10), max_size=4))
def test_marks_as_the_expressions_say(tokens: list[str]) -> None:
    assert readings_module._marks.__wrapped__(tuple(tokens)) == _marks_by_expressions(tuple(tokens))


@pytest.mark.parametrize("part", ["LAVROVS SERGEJS", "PUTYIN VLAGYIMIR", "ZSOLT", "MCSWEENEY",
                                  "ROBERTS", "ADITYA", "IGORS", "KISS", "AS", "BDS"])
def test_marks_of_latin_parts(part: str) -> None:
    tokens = readings_module.latin_tokens(part)
    assert readings_module._marks.__wrapped__(tokens) == _marks_by_expressions(tokens)
