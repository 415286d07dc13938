"""Transliteration of notice names into the Latin spellings documents carry."""

from __future__ import annotations

import pytest

from screening.matching.translit import (
    arabic_variants,
    chinese_respellings,
    cyrillic_variants,
    detect_script,
    latin_variants,
    pinyin_syllables,
)


@pytest.mark.parametrize(
    ("cyrillic", "expected"),
    [
        ("Юрий", {"IURII", "YURIY", "JURIJ"}),  # ICAO 9303, 1997-2010 passports, German
        ("Иванов", {"IVANOV", "IWANOW"}),
        ("Шевченко", {"SHEVCHENKO", "SCHEWTSCHENKO", "CHEVTCHENKO"}),
        ("Жуков", {"ZHUKOV", "JOUKOV", "SCHUKOW"}),
        ("Олег", {"OLEG", "OLEH"}),  # Г is H on a Ukrainian passport
        ("Наталья", {"NATALIA", "NATALYA"}),
        ("Щукин", {"SHCHUKIN"}),
    ],
)
def test_cyrillic_schemes(cyrillic: str, expected: set[str]) -> None:
    variants = cyrillic_variants(cyrillic)
    assert expected <= set(variants)
    assert len(variants) == len(set(variants))


def test_icao_comes_first() -> None:
    assert cyrillic_variants("Юрий Алексеевич")[0] == "IURII ALEKSEEVICH"


def test_ukrainian_letters_use_the_ukrainian_table() -> None:
    assert "HRYHORIY" in cyrillic_variants("Григорій")


@pytest.mark.parametrize(
    ("arabic", "expected"),
    [
        ("محمد", {"MOHAMMED", "MUHAMMAD"}),
        ("يوسف", {"YOUSSEF", "YUSUF"}),
        ("عبد الله", {"ABDULLAH"}),
        ("المصري", {"AL MSRI"}),  # unknown word: article split, consonants kept
        ("الحسن", {"AL HASSAN", "AL HASAN"}),  # a known name behind its article
        ("عمر الحسن", {"OMAR AL HASSAN", "UMAR AL HASAN"}),
    ],
)
def test_arabic_spellings(arabic: str, expected: set[str]) -> None:
    assert expected <= set(arabic_variants(arabic))


def test_arabic_icao_form_uses_its_x_codes() -> None:
    assert arabic_variants("محمد")[-1] == "MXHMD"
    assert "MXHMD" not in arabic_variants("محمد", icao=False)


@pytest.mark.parametrize(
    ("token", "syllables"),
    [("XIAOMING", ("XIAO", "MING")), ("JIANGUO", ("JIAN", "GUO")), ("SMITH", None)],
)
def test_pinyin_syllables(token: str, syllables: tuple[str, ...] | None) -> None:
    assert pinyin_syllables(token) == syllables


def test_wade_giles() -> None:
    assert chinese_respellings(["XIAOMING"]) == ["XIAO MING", "HSIAO MING", "HSIAOMING"]
    assert chinese_respellings(["ZHANG"])[1] == "CHANG"
    assert chinese_respellings(["MUELLER"]) == []


@pytest.mark.parametrize(
    ("text", "script"),
    [("Юрий", "Cyrl"), ("محمد", "Arab"), ("张小明", "Hani"), ("Müller", "Latn"), ("Νίκος", "Latn")],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_latin_variants_of_any_script() -> None:
    assert latin_variants("Müller") == ["MUELLER"]
    assert latin_variants("张小明") == ["ZHANG XIAO MING"]
    assert latin_variants("  ") == []
