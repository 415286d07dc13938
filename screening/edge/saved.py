"""The edge's copy of Redis's version, kept on local disk and signed by the edge.

Each copy the edge makes (copy.py, refresh.py) is written to `<edge_data_dir>/<site>.lists`
(mode 0600: notices hold names) atomically: a temporary file, fsynced, renamed over the
last one, the folder fsynced; a kill at any moment leaves the old file or the new one.
An edge that starts without Redis (or without the broker) answers from it, with its
version, instead of from the feed's files (30 s and 0.9 GB per million SLTD records
against about 1 s and 0.1 GB: bench/results/edge.md); the live updates since the copy
began are replayed from the positions the edge kept for that version (feed.py).

Signed with HMAC-SHA-256 by the edge's own key (`<secrets_dir>/edge/<site>.snapshot.key`,
made by `screening security add-edge` or on the edge's first start): the edge is the one
that writes the file and the one that reads it, so a secret key of its own is enough;
a public-key signature (Ed25519) would only add a private key on the same machine. The
feed's keys cannot sign it: the feed signs files, and Redis's version is built from
those files and the updates since. The MAC covers every byte before it and is checked
before anything is parsed; a file that is truncated, changed, made with another key, or
for another deployment or site is refused (SignatureRefused), never screened against.

Layout: MAGIC, a 4-byte header length, the header (JSON: the version, the site, the
Redis prefix, each bucket's key and the lengths of its parts), the buckets' parts one
after the other, and the 32-byte MAC.
"""

from __future__ import annotations

import logging
import secrets
import struct
from array import array
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

from screening.edge.copy import Packed, RedisCopy
from screening.exceptions import SignatureRefused
from screening.logs import kv
from screening.security.secretsdir import write_private
from screening.settings import Settings
from screening.watchlists.store import Version, WatchlistStore

log = logging.getLogger("screening.edge.saved")
MAGIC = b"SCREENING-EDGE-LISTS 1\n"
MAC_BYTES = 32
# Offsets are 4-byte unsigned ints (array "I"), in this machine's byte order: the file
# is read back by the edge that wrote it.
OFFSET = "I"


def saved_path(settings: Settings) -> Path:
    return Path(settings.edge_data_dir) / f"{settings.edge_site}.lists"


def key_path(settings: Settings) -> Path:
    if settings.edge_snapshot_key_file is not None:
        return Path(settings.edge_snapshot_key_file)
    return Path(settings.secrets_dir) / "edge" / f"{settings.edge_site}.snapshot.key"


def ensure_key(settings: Settings) -> bytes:
    """The edge's snapshot key, made (32 random bytes, hex, mode 0600) when missing and
    never overwritten (a new key only makes the saved copy unusable: it is refused)."""
    path = key_path(settings)
    if not path.exists():
        write_private(path, secrets.token_hex(32).encode())
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 32:
        raise ValueError(f"{path}: a snapshot key is at least 32 bytes (64 hex digits)")
    return key


def _mac(key: bytes) -> hmac.HMAC:
    return hmac.HMAC(key, hashes.SHA256())


def _offsets(parts: list[bytes]) -> bytes:
    out, end = array(OFFSET, [0]), 0
    for p in parts:
        end += len(p)
        out.append(end)
    return out.tobytes()


def _bucket_parts(bucket: Packed | dict[bytes, bytes]) -> tuple[int, list[bytes]]:
    """(width, [fields, field offsets, values, value offsets]): a packed bucket's field
    offsets are implied by its width."""
    if isinstance(bucket, Packed):
        return bucket.width, [bucket.fields, b"", bucket.values, bucket.offsets.tobytes()]
    fields, values = list(bucket), list(bucket.values())
    return 0, [b"".join(fields), _offsets(fields), b"".join(values), _offsets(values)]


def save(copy: RedisCopy, path: Path, key: bytes, site: str) -> int:
    """Writes the copy (without the live updates: those are replayed) atomically;
    returns the bytes written."""
    described, blobs = [], []
    for name, bucket in copy.buckets.items():
        width, parts = _bucket_parts(bucket)
        described.append([name, width, *map(len, parts)])
        blobs += parts
    v = copy.source
    header = orjson.dumps({
        "site": site, "prefix": copy.store.data_prefix, "records": copy.records,
        "version": {"id": v.id, "buckets": v.buckets, "counts": v.counts,
                    "created_at": v.created_at},
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "buckets": described})
    chunks = [MAGIC, struct.pack(">I", len(header)), header, *blobs]
    mac = _mac(key)
    for chunk in chunks:
        mac.update(chunk)
    chunks.append(mac.finalize())
    write_private(path, chunks, durable=True)
    return sum(map(len, chunks))


def _refuse(code: str, path: Path, why: str) -> SignatureRefused:
    return SignatureRefused(code, f"{path}: {why}")


def restore(path: Path, key: bytes, site: str, prefix: str) -> RedisCopy:
    """The copy kept in `path`; SignatureRefused when its MAC does not verify (changed,
    truncated, another key) or it is another site's or deployment's."""
    data = path.read_bytes()
    if len(data) < len(MAGIC) + 4 + MAC_BYTES:
        raise _refuse("BAD_SIGNATURE", path, "too short to be a signed copy (truncated)")
    mac = _mac(key)
    mac.update(memoryview(data)[:-MAC_BYTES])
    try:
        mac.verify(data[-MAC_BYTES:])
    except InvalidSignature:
        raise _refuse("BAD_SIGNATURE", path, "its signature does not verify (changed, "
                      "truncated, or made with another key)") from None
    # Signed by this edge's key: from here on, a malformed file is a bug, not an attack.
    if not data.startswith(MAGIC):
        raise _refuse("BAD_MANIFEST", path, "not a copy of the lists")
    at = len(MAGIC)
    (size,) = struct.unpack_from(">I", data, at)
    at += 4
    header: dict[str, Any] = orjson.loads(data[at:at + size])
    at += size
    if header["site"] != site or header["prefix"] != prefix:
        raise _refuse("BAD_MANIFEST", path, f"made for site {header['site']!r} and prefix "
                      f"{header['prefix']!r}, not {site!r} and {prefix!r}")
    view = memoryview(data)
    buckets: dict[str, Packed | dict[bytes, bytes]] = {}
    for name, width, *lengths in header["buckets"]:
        parts = []
        for n in lengths:
            parts.append(view[at:at + n])
            at += n
        fields, field_offsets, values, value_offsets = parts
        if width:
            buckets[name] = Packed.of(width, bytes(fields), bytes(values),
                                      array(OFFSET, bytes(value_offsets)))
        else:
            fo, vo = array(OFFSET, bytes(field_offsets)), array(OFFSET, bytes(value_offsets))
            buckets[name] = {bytes(fields[fo[i]:fo[i + 1]]): bytes(values[vo[i]:vo[i + 1]])
                             for i in range(len(fo) - 1)}
    if at != len(data) - MAC_BYTES:
        raise _refuse("BAD_MANIFEST", path, "its parts do not add up to the file")
    v = header["version"]
    version = Version(id=v["id"], buckets=v["buckets"], counts=v["counts"],
                      created_at=v["created_at"])
    # The store is used for `locate` and `decode` only (the layouts'), never for Redis.
    store = WatchlistStore(cast(Any, None), prefix)
    return RedisCopy(store, version, buckets, header["records"])


def restore_for(settings: Settings) -> RedisCopy | None:
    """The saved copy when there is one that verifies; None otherwise (logged: the edge
    then answers from the feed's files, or `unverified`)."""
    path = saved_path(settings)
    if not path.exists():
        return None
    try:
        copy = restore(path, ensure_key(settings), settings.edge_site, settings.redis_prefix)
    except (SignatureRefused, OSError, ValueError, KeyError) as exc:
        log.error("saved copy of the lists refused: not screened against", extra=kv(
            path=str(path), code=getattr(exc, "code", type(exc).__name__),
            reason=str(exc)[:300]))
        return None
    log.warning("lists restored from the saved copy", extra=kv(
        version=copy.base, entries=copy.records, bytes=path.stat().st_size))
    return copy


__all__ = ["ensure_key", "key_path", "restore", "restore_for", "save", "saved_path"]
