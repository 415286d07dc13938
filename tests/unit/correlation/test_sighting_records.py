"""A sighting's record in the correlation state: what is written is what is read back,
at about 60 bytes, and a bucket's field holds a key's records one after the other."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from screening.audit.digests import Digester
from screening.correlation.sightings import KIND_OF_DIGEST, Sighting, address, short_digest

ids = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=1,
              max_size=64).filter(lambda s: len(s.encode()) <= 255)


@given(event=st.one_of(ids, st.uuids().map(str)), checkpoint=ids, terminal=ids,
       site=st.none() | ids, at=st.integers(0, 2**47).map(lambda ms: ms / 1000),
       referred=st.booleans(), document=st.none() | st.text("abcXYZ-_0", min_size=1,
                                                           max_size=12), hit=st.booleans())
def test_a_record_reads_back_as_written(event: str, checkpoint: str, terminal: str,
                                        site: str | None, at: float, referred: bool,
                                        document: str | None, hit: bool) -> None:
    s = Sighting(event, checkpoint, terminal, site, at, referred, document, None, hit)
    assert Sighting.decode_all(s.encode()) == [s]
    assert Sighting.decode_all(s.encode() + s.encode()) == [s, s]


def test_a_terminals_uuid_event_id_takes_16_bytes() -> None:
    event = str(uuid.uuid4())
    s = Sighting(event, "arena-n", "arena-n-07", "arena", 1_800_000_000.123, True,
                 "Ab3dEf9hIjK_", None)
    assert len(s.encode()) == 7 + 17 + 8 + 11 + 6 + 13 + 1
    assert Sighting.decode_all(s.encode())[0].event_id == event
    # Upper-case is a UUID too, but not the text decoding gives back: kept as text.
    upper = Sighting(event.upper(), "c", "t", None, 1.0)
    assert Sighting.decode_all(upper.encode())[0].event_id == event.upper()


def test_digests_spread_over_buckets_and_fields_tell_them_apart() -> None:
    d = Digester(b"unit-test-audit-key-0123456789")
    digests = [d.digest("document", f"P{i:07d}|DEU") for i in range(20_000)]
    buckets = {address(x)[0] for x in digests}
    assert len(buckets) > 9_000  # of 16,384: spread, not piled into a few
    assert len({address(x) for x in digests}) == len(digests)
    assert all(len(short_digest(x)) == 12 for x in digests)
    assert {x.partition(":")[0] for x in digests} <= set(KIND_OF_DIGEST)


def test_an_id_longer_than_255_bytes_in_utf_8_is_kept_cut_not_refused() -> None:
    # An `Id` is at most 64 characters, of any script: 64 four-byte letters are 256 bytes.
    long_id = "\U0001d4b3" * 64
    s = Sighting(long_id, long_id, long_id, long_id, 1_800_000_000.0, False, None, None)
    [back] = Sighting.decode_all(s.encode())
    assert back.at == s.at and back.event_id.startswith("\U0001d4b3" * 63)
    assert Sighting.decode_all(s.encode() * 2) == [back, back]
