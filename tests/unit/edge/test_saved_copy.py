"""The edge's saved copy of Redis's version (edge/saved.py): what is written is read back
bucket for bucket, and a file that was changed, cut short, signed with another key, or
made for another site or deployment is refused, never screened against."""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import Any, cast

import pytest

from screening.edge.copy import Packed, RedisCopy, pack
from screening.edge.saved import MAC_BYTES, ensure_key, restore, restore_for, save, saved_path
from screening.exceptions import SignatureRefused
from screening.settings import Settings
from screening.watchlists.store import Version, WatchlistStore

KEY = bytes(range(32))


def _copy(prefix: str = "t") -> RedisCopy:
    packed = pack({b"abcdef": b"\x01\x02", b"ghijkl": b"", b"mnopqr": b"\xff" * 9})
    assert isinstance(packed, Packed)
    mixed = pack({b"N1": b'{"name":"x"}', b"longer-field": b"\x00"})
    assert isinstance(mixed, dict)
    version = Version(id="v-42", buckets={"sltd": 2, "notice": 1}, counts={"sltd": 3},
                      created_at=1765000000.5)
    return RedisCopy(WatchlistStore(cast(Any, None), prefix), version,
                     {f"{prefix}:v-42:sltd:0": packed, f"{prefix}:v-42:notice:0": mixed,
                      f"{prefix}:v-42:sltd:1": {}}, records=5)


def _same(a: Packed | dict[bytes, bytes], b: Packed | dict[bytes, bytes]) -> bool:
    if isinstance(a, Packed) and isinstance(b, Packed):
        return (a.width, a.fields, a.values, list(a.offsets)) == (
            b.width, b.fields, b.values, list(b.offsets))
    return a == b


def test_a_saved_copy_is_read_back_bucket_for_bucket(tmp_path: Path) -> None:
    copy = _copy()
    path = tmp_path / "site.lists"
    size = save(copy, path, KEY, "arena")
    assert path.stat().st_size == size
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # notices hold names
    assert not path.with_name(path.name + ".tmp").exists()
    back = restore(path, KEY, "arena", "t")
    assert back.base == back.version.id == "v-42" and back.records == 5
    assert back.source == copy.source
    assert back.buckets.keys() == copy.buckets.keys()
    assert all(_same(back.buckets[k], copy.buckets[k]) for k in copy.buckets)
    restored = back.buckets["t:v-42:sltd:0"]
    assert restored.get(b"mnopqr") == b"\xff" * 9 and restored.get(b"bcdefg") is None


@pytest.mark.parametrize("harm", ["flip", "truncate", "append", "empty"])
def test_a_changed_or_cut_copy_is_refused(tmp_path: Path, harm: str) -> None:
    path = tmp_path / "site.lists"
    save(_copy(), path, KEY, "arena")
    data = bytearray(path.read_bytes())
    if harm == "flip":
        data[len(data) // 2] ^= 0x01
    elif harm == "truncate":
        del data[-100:]
    elif harm == "append":
        data += b"\x00"
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(SignatureRefused) as refused:
        restore(path, KEY, "arena", "t")
    assert refused.value.code == "BAD_SIGNATURE"


def test_a_copy_of_another_key_site_or_deployment_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "site.lists"
    save(_copy(), path, KEY, "arena")
    with pytest.raises(SignatureRefused):
        restore(path, bytes(32), "arena", "t")
    with pytest.raises(SignatureRefused, match="site 'arena'"):
        restore(path, KEY, "harbour", "t")
    with pytest.raises(SignatureRefused, match="prefix 't'"):
        restore(path, KEY, "arena", "other")
    # The MAC is the file's last bytes: a MAC that is right for nothing is refused too.
    path.write_bytes(path.read_bytes()[:-MAC_BYTES] + bytes(MAC_BYTES))
    with pytest.raises(SignatureRefused):
        restore(path, KEY, "arena", "t")


def test_the_edge_starts_from_a_saved_copy_only_when_it_verifies(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(secrets_dir=tmp_path / "secrets", edge_data_dir=tmp_path / "data",
                        edge_site="arena", redis_prefix="t")
    assert restore_for(settings) is None  # nothing saved yet
    key = ensure_key(settings)
    assert ensure_key(settings) == key and len(key) == 32  # made once, kept
    key_file = tmp_path / "secrets" / "edge" / "arena.snapshot.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    save(_copy(), saved_path(settings), key, "arena")
    restored = restore_for(settings)
    assert restored is not None and restored.version.id == "v-42"
    # A new key (the old one lost, or an attacker's file): the copy is refused, logged.
    key_file.write_text("ab" * 32)
    with caplog.at_level(logging.ERROR, logger="screening.edge.saved"):
        assert restore_for(settings) is None
    assert "refused" in caplog.text
