"""Plate matching: OCR confusions forgiven up to two, one missing or extra character only
when the reader was unsure, per country; and the index keys always find what the rule
accepts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching.plates import (
    match_plate,
    plate_index_keys,
    plate_query_keys,
    skeleton,
)

CASES = [
    # scanned, recorded, low confidence, matches, substitutions, length changed
    ("B-AB 1234", "BAB1234", False, True, 0, False),
    ("b ab-1234", "B-AB 1234", False, True, 0, False),
    ("8-AB 1234", "B-AB 1234", False, True, 1, False),      # 8/B
    ("B-A8 I234", "B-AB 1234", False, True, 2, False),      # 8/B and I/1
    ("8-A8 I234", "B-AB 1234", False, False, 3, False),     # three confusions: too many
    ("AB-123-CO", "AB-123-CD", False, True, 1, False),      # O/D
    ("AB-l23-CD", "AB-123-CD", False, False, 0, False),     # lowercase L is not a 1
    ("AB-128-CD", "AB-123-CD", False, False, 0, False),     # 8/3 are not confusable
    ("AB-12-CD", "AB-123-CD", True, True, 0, True),         # one missing, unsure reader
    ("AB-12-CD", "AB-123-CD", False, False, 0, True),       # one missing, sure reader
    ("AB-1234-CD", "AB-123-CD", True, True, 0, True),       # one extra, unsure reader
    ("AB-12-C", "AB-123-CD", True, False, 0, True),         # two missing
    ("5Z-123-CD", "SZ-123-CD", False, True, 1, False),      # 5/S
    ("GZ-123-CD", "6Z-123-CD", False, True, 1, False),      # G/6
    ("А123ВС77", "A123BC77", False, True, 0, False),         # Cyrillic look-alikes
]


@pytest.mark.parametrize(("scanned", "recorded", "low", "ok", "subs", "changed"), CASES)
def test_rule(scanned: str, recorded: str, low: bool, ok: bool, subs: int, changed: bool) -> None:
    m = match_plate(scanned, recorded, low_confidence=low)
    assert (m is not None) == ok
    if m is not None:
        assert m.substitutions == subs
        assert m.length_changed == changed
        assert 0 < m.score <= 1


def test_one_key_a_plate_whatever_the_country() -> None:
    """The country is checked against the record (smv/screen.py), not by the key: a scan
    without a country, or a record without one, still meets its plate."""
    record = plate_index_keys("AB-123-CD", "FRA")
    assert record[0] == "A8123C0" and "-8123C0" in record  # and the deletions
    for country in ("FRA", "ESP", None):
        assert plate_query_keys("AB-123-CD", country, False) == ["A8123C0"]
    assert plate_index_keys("AB-123-CD", None) == record


def test_a_doubted_read_also_looks_up_one_character_more_or_less() -> None:
    keys = set(plate_query_keys("AB-12-CD", "FRA", True))
    assert len(keys) <= 2 + len("A812C0")  # a few, whatever the alphabet
    assert keys & set(plate_index_keys("AB-123-CD", "FRA"))  # the read missed the 3
    assert keys & set(plate_index_keys("AB-1-CD", "FRA"))  # the read added the 2


PLATE = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=4, max_size=9)
CONFUSE = {"0": "O", "O": "0", "D": "0", "Q": "O", "1": "I", "I": "1", "2": "Z", "Z": "2",
           "5": "S", "S": "5", "8": "B", "B": "8", "6": "G", "G": "6"}


@settings(max_examples=300, deadline=None)
@given(PLATE, st.data())
def test_what_the_rule_accepts_the_keys_find(plate: str, data: st.DataObject) -> None:
    """Misreads within the rule (≤2 confusions, or one dropped or added character
    when unsure) always share a key with the record: the index never hides a match."""
    read = list(plate)
    positions = [i for i, c in enumerate(read) if c in CONFUSE]
    for i in data.draw(st.lists(st.sampled_from(positions), max_size=2, unique=True)
                       if positions else st.just([])):
        read[i] = CONFUSE[read[i]]
    low = data.draw(st.booleans())
    if low and len(read) > 4 and data.draw(st.booleans()):
        del read[data.draw(st.integers(0, len(read) - 1))]
    scanned = "".join(read)
    m = match_plate(scanned, plate, low_confidence=low)
    assert m is not None
    keys = set(plate_query_keys(scanned, "D", low))
    assert keys & set(plate_index_keys(plate, "D"))


@given(PLATE)
def test_skeleton_is_idempotent(plate: str) -> None:
    assert skeleton(skeleton(plate)) == skeleton(plate)
