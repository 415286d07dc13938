"""Spare keys of bulk loads: in the bucket's cluster slot and under its version."""

from __future__ import annotations

import pytest
from redis.crc import key_slot

from screening.watchlists.batch import spare_key


@pytest.mark.parametrize("key", [b"screening:wl:v1:sd:17", b"wl:{venue}:v1:si:3"])
def test_the_spare_shares_the_bucket_slot_and_prefix(key: bytes) -> None:
    spare = spare_key(key)
    assert spare is not None and spare.startswith(key + b":")
    assert key_slot(spare) == key_slot(key)


@pytest.mark.parametrize("key", [b"pre{fix:v1:sd:4", b"x{}y:v1:sd:0", b"a}b{:v:sd:9",
                                 b"a}b:v1:sd:2"])
def test_no_spare_where_braces_defeat_both_ways(key: bytes) -> None:
    # A "{" with no tag after it, or a "}": the whole key decides its slot, and a spare that
    # embeds the key as a tag would open at that first "{" instead. The load then
    # merges those buckets by script.
    assert spare_key(key) is None
