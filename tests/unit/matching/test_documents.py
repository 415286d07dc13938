"""O/0 and I/1 variants of document numbers no check digit vouches for."""

from __future__ import annotations

import pytest

from screening.matching.documents import MAX_SWAPS, MAX_VARIANTS, confusable_variants

_PAIRS = {frozenset("O0"), frozenset("I1")}


def _swapped(a: str, b: str) -> int:
    """Positions where b swaps one of O/0, I/1 of a; fails on any other difference."""
    assert len(a) == len(b)
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    assert all(frozenset(d) in _PAIRS for d in diffs), (a, b)
    return len(diffs)


@pytest.mark.parametrize("number", ["L898902C3", "10I0O", "AB1", "O", "X1234567"])
def test_variants_swap_only_confusables_and_count_them(number: str) -> None:
    variants = confusable_variants(number)
    assert variants, number
    assert len({v for v, _ in variants}) == len(variants), "no variant twice"
    for variant, swaps in variants:
        assert variant != number
        assert 1 <= swaps <= MAX_SWAPS
        assert _swapped(number, variant) == swaps


def test_a_number_without_confusables_has_no_variants() -> None:
    assert confusable_variants("C5XK72TP9") == []
    assert confusable_variants("") == []


def test_single_swaps_come_first_and_every_pair_of_a_short_number_is_tried() -> None:
    variants = confusable_variants("A10B")
    assert variants == [("AI0B", 1), ("A1OB", 1), ("AIOB", 2)]


def test_numbers_of_many_zeros_and_ones_are_capped_singles_first() -> None:
    number = "1010101010"
    variants = confusable_variants(number)
    assert len(variants) == MAX_VARIANTS
    assert [s for _, s in variants[:len(number)]] == [1] * len(number)
    assert {v for v, _ in variants[:len(number)]} == {
        number[:i] + {"1": "I", "0": "O"}[number[i]] + number[i + 1:] for i in range(len(number))}
