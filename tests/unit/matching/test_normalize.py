from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.matching.normalize import (
    canonical_country,
    mrz_name,
    name_tokens,
    name_variants,
    normalize_document_number,
    normalize_name,
    normalize_plate,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("L898902C3", "L898902C3"),
        (" l898 902-c3 ", "L898902C3"),
        ("AB.12/34<<", "AB1234"),
        ("Č-123", "C123"),
        ("１２３ＡＢ", "123AB"),  # full-width digits from East Asian keyboards
        ("АВ123", "AB123"),  # Cyrillic А and В typed on a Cyrillic layout
        ("O123", "O123"),  # no O/0 folding
        ("0123", "0123"),
        ("I1", "I1"),
        ("", ""),
        ("<<<", ""),
        ("AB€12", "AB12"),  # a symbol is no character of a code (anyascii says "EUR")
    ],
)
def test_normalize_document_number(raw: str, expected: str) -> None:
    assert normalize_document_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AB 123 CD", "AB123CD"),
        ("ab-123-cd", "AB123CD"),
        ("B·MW·1234", "BMW1234"),
        ("M.AB.1234", "MAB1234"),
        ("А123ВЕ77", "A123BE77"),  # Russian plate in Cyrillic
        ("а123ве77", "A123BE77"),  # lower-case Cyrillic
        ("КМНОРСТУХ", "KMHOPCTYX"),  # by shape: Н is H, Р is P, С is C, У is Y, Х is X
        ("АІ 1234 ВХ", "AI1234BX"),  # Ukrainian І
        ("ΙΚΥ-1234", "IKY1234"),  # Greek plate
        ("ΗΡΧ 1234", "HPX1234"),  # Greek Η, Ρ, Χ by shape (anyascii would say I, R, CH)
        ("BG ŠA 123", "BGSA123"),
        ("Ž 123", "Z123"),
        ("😀", ""),  # anyascii spells emoji out (":grinning:"): a plate of words
        ("AB♥123", "AB123"),
    ],
)
def test_normalize_plate(raw: str, expected: str) -> None:
    assert normalize_plate(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller", "MUELLER"),  # 9303 part 3 §6: Ü -> UE, as the German MRZ writes it
        ("MUELLER", "MUELLER"),
        ("Mu\u0308ller", "MUELLER"),  # decomposed Ü
        ("Groß", "GROSS"),
        ("GROẞ", "GROSS"),
        ("Åse Ødegård", "AASE OEDEGAARD"),
        ("Ærø", "AEROE"),
        ("O'Brien", "OBRIEN"),
        ("O’Brien", "OBRIEN"),
        ("Jean-Pierre  de la Tour", "JEAN PIERRE DE LA TOUR"),
        ("ERIKSSON<<ANNA<MARIA", "ERIKSSON ANNA MARIA"),
        ("José María", "JOSE MARIA"),
        ("Łukasz Żółć", "LUKASZ ZOLC"),
        ("Юрий Гагарин", "YURIY GAGARIN"),
        ("Ελένη", "ELENI"),
        ("محمد", "MHMD"),
        ("  ", ""),
        ("", ""),
        ("😀😀", ""),  # not GRINNING GRINNING, a name to match notices on
        ("JOHN♥SMITH", "JOHN SMITH"),
        ("O´Brien", "OBRIEN"),  # the acute accent is a symbol, and an apostrophe here
        ("\u202eevil", "EVIL"),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("D", "D"), ("DEU", "D"), ("deu", "D"), ("D<<", "D"), (" FRA ", "FRA"), ("XKX", "RKS"),
    ("RKS", "RKS"), ("UTO", "UTO"), ("XXA", "XXA"), ("", ""), (None, ""),
])
def test_canonical_country_gives_one_name_per_country(raw: str | None, expected: str) -> None:
    assert canonical_country(raw) == expected


def test_name_variants_offer_both_icao_spellings() -> None:
    assert name_variants("Müller") == ("MUELLER", "MULLER")
    assert name_variants("Smith") == ("SMITH",)
    assert name_variants("Ørsted") == ("OERSTED", "ORSTED")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anna-Maria  von Müller", ("ANNA", "MARIA", "VON", "MUELLER")),
        ("ERIKSSON<<ANNA", ("ERIKSSON", "ANNA")),
        ("", ()),
    ],
)
def test_name_tokens(raw: str, expected: tuple[str, ...]) -> None:
    assert name_tokens(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller", "MUELLER"),
        ("Anna Maria", "ANNA<MARIA"),
        ("Jean-Pierre", "JEAN<PIERRE"),
        ("O'Brien", "OBRIEN"),
        ("Henry 8th", "HENRY<TH"),
        ("  ", ""),
    ],
)
def test_mrz_name(raw: str, expected: str) -> None:
    assert mrz_name(raw) == expected


ANY_TEXT = st.text(max_size=40)
LATIN = "abcdefghijklmnopqrstuvwxyzäöüßåæøéèêñçłšžčőűíóúàâœ -'.,<"


@given(ANY_TEXT)
def test_normalizers_are_idempotent(s: str) -> None:
    for f in (normalize_document_number, normalize_plate, normalize_name):
        once = f(s)
        assert f(once) == once


@given(ANY_TEXT)
def test_outputs_stay_in_their_alphabets(s: str) -> None:
    assert set(normalize_document_number(s)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    assert set(normalize_plate(s)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    name = normalize_name(s)
    assert set(name) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
    assert "  " not in name and name == name.strip()
    m = mrz_name(s)
    assert set(m) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ<") and "<<" not in m
    assert not m.startswith("<") and not m.endswith("<")


@given(st.text(LATIN, max_size=30))
def test_normalize_name_ignores_case(s: str) -> None:
    assert normalize_name(s.upper()) == normalize_name(s) == normalize_name(s.lower())


@given(ANY_TEXT)
def test_normalize_name_ignores_unicode_composition(s: str) -> None:
    assert normalize_name(unicodedata.normalize("NFD", s)) == normalize_name(s)


# Marks 9303 simply drops (acute, grave, circumflex, tilde, cedilla, caron, ogonek,
# double acute, breve, dot above); diaeresis and ring are folds of their own.
MARKS = "\u0301\u0300\u0302\u0303\u0327\u030c\u0328\u030b\u0306\u0307"


@given(st.lists(st.tuples(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ "),
                          st.text(MARKS, max_size=2)), max_size=20))  # fmt: skip
def test_normalize_name_ignores_diacritics(chars: list[tuple[str, str]]) -> None:
    bare = "".join(c for c, _ in chars)
    marked = "".join(c + (m if c != " " else "") for c, m in chars)
    assert normalize_name(marked) == normalize_name(bare)


@given(st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", "-", ".", "·", "/"]), max_size=4))  # fmt: skip
def test_separators_never_matter_for_codes(code: str, seps: list[str]) -> None:
    spaced = "".join(ch + (seps[i] if i < len(seps) else "") for i, ch in enumerate(code))
    assert normalize_plate(spaced) == normalize_plate(code) == code
    assert normalize_document_number(spaced.lower()) == code
