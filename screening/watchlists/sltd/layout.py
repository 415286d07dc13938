"""The SLTD index at full scale (128 million records), a few dozen bytes of Redis per record.

Two bucketed hash tables per version, each bucket small enough to stay a listpack:

    {prefix}:{ver}:sd:{b}   document table
        field: D[:6], where D = blake2b("NUMBER|STATE", 9 bytes) with NUL bytes made 1
        value: one code byte (status and document type) + record id, and only for a
               record that has them, US + action US owner US valid_until (seconds since
               1900, base 36); records sharing a document are joined by RS
        bucket b = D[6:9] (24 bits, big-endian) modulo the version's bucket count
    {prefix}:{ver}:si:{b}   id table, so that deletes keyed "<list>:<id>" find the document
        field: I[:4], where I = two CRC-32s of the id (8 bytes) with NUL bytes made 1
        value: the 9-byte D of each document the id is indexed under, concatenated
        bucket b = I[4:8] modulo the bucket count

Why digests: the document table costs a 6-byte field instead of a 10–30 byte number
and state, and the id table a 4-byte field instead of the id. Lookups stay exact up to
the digest: a scan's document matches a listed one when 48 bits of field and the
bucket's bits agree, about 67.5 bits at 128 M records (800,000 buckets, 2^19.6). The
chance that a document not on the list shares a listed digest is 2^27 / 2^67.5 =
2^-40.5 per look-up, one false hit in ~1.5 × 10^12 scans (the SLTD had 3.6 × 10^9
searches in 2023: one in ~400 years); that two listed documents share a digest is
2^54 / 2^68.5 ≈ 4 × 10^-5. A false hit is a referral to secondary inspection that the
record's owner then does not confirm, never a missed hit, because records sharing a
digest are all kept. Id digests may collide (32 bits + bucket bits): harmless, since a
delete only removes entries whose stored id is the one being deleted.

NUL bytes are replaced because the batch scripts take NUL-separated arguments; the
replacement costs under 0.01 bit per byte.
"""

from __future__ import annotations

import math
from datetime import datetime
from hashlib import blake2b
from zlib import crc32

from screening.matching.documents import document_field as document_field
from screening.watchlists.actions import moment_of, moment_text

DOC_TABLE = "sd"
ID_TABLE = "si"
DIGEST_BYTES = 9  # D: 6 bytes of field + 3 bytes choosing the bucket
ID_DIGEST_BYTES = 8
RS = b"\x1e"

STATUSES = ("stolen", "lost", "revoked", "invalidated", "stolen_blank")
# Document types with a code of their own; any other is stored as "" (the hit does not
# use it; it only helps the simulator build realistic scans).
TYPES = ("", "P", "I", "A", "C", "V", "ID", "PD", "PO", "PS", "PM", "PT", "PE", "PR",
         "CI", "IR", "IP", "IC", "AC", "VI")
_CODE_BASE = 0x20  # codes never collide with NUL, RS or US
_STATUS_INDEX = {s: i for i, s in enumerate(STATUSES)}
_TYPE_INDEX = {t: i for i, t in enumerate(TYPES)}
_DECODE = {_CODE_BASE + s * len(TYPES) + t: f"{status}|{typ}"
           for s, status in enumerate(STATUSES) for t, typ in enumerate(TYPES)}


def doc_digest(logical_field: str) -> bytes:
    return doc_digest_of(logical_field.encode())


def doc_digest_of(logical_field: bytes) -> bytes:
    """doc_digest of the field's UTF-8 bytes (what bulk loads have in hand)."""
    digest = blake2b(logical_field, digest_size=DIGEST_BYTES).digest()
    return digest.replace(b"\0", b"\1") if b"\0" in digest else digest


def id_digest(record_id: str) -> bytes:
    return id_digest_of(record_id.encode())


def id_digest_of(record_id: bytes) -> bytes:
    """Two CRC-32s of the id (seeded apart): ids only need spreading, since a collision
    costs a second digest in one field, never a wrong delete."""
    digest = crc32(record_id).to_bytes(4, "big") + crc32(record_id, 0x5BD1E995).to_bytes(4, "big")
    return digest.replace(b"\0", b"\1") if b"\0" in digest else digest


def doc_slot(digest: bytes, buckets: int) -> tuple[int, bytes]:
    """(bucket, field) of a document digest."""
    return int.from_bytes(digest[6:9], "big") % buckets, digest[:6]


def id_slot(digest: bytes, buckets: int) -> tuple[int, bytes]:
    return int.from_bytes(digest[4:8], "big") % buckets, digest[:4]


def code_of(status: str, document_type: str | None) -> int:
    return _CODE_BASE + _STATUS_INDEX[status] * len(TYPES) + _TYPE_INDEX.get(document_type or "", 0)


US = b"\x1f"


def extras_of(action: str | None, owner: str | None, valid_until: datetime | None) -> bytes:
    """What a record adds after its id when it has any of them (most have none)."""
    if not (action or owner or valid_until):
        return b""
    return US + US.join(x.encode() for x in (action or "", owner or "",
                                              moment_text(valid_until)))


def entry_value(record_id: str, status: str, document_type: str | None,
                extras: bytes = b"") -> bytes:
    return bytes((code_of(status, document_type),)) + record_id.encode() + extras


def entries_of(raw: bytes | None) -> list[tuple[str, str]]:
    """A stored document value into (record_id, payload) pairs: the payload is
    "status|type", and "US action US owner US valid_until" after it when the record has
    them (US: an owner may hold "|", never a control character)."""
    if not raw:
        return []
    out = []
    for item in raw.split(RS):
        if not item:
            continue
        rid, _, extras = item[1:].partition(US)
        payload = _DECODE.get(item[0], "unknown|")
        if extras:
            action, owner, until = [*extras.decode().split("\x1f"), "", ""][:3]
            payload += f"\x1f{action}\x1f{owner}\x1f{moment_of(until) or ''}"
        out.append((rid.decode(), payload))
    return out


def digests_of(raw: bytes | None) -> list[bytes]:
    """A stored id value into the document digests it lists."""
    if not raw:
        return []
    return [raw[i:i + DIGEST_BYTES] for i in range(0, len(raw) - DIGEST_BYTES + 1, DIGEST_BYTES)]


# Records per bucket at most, whatever the server allows: a listpack is searched
# linearly, so Redis's time per write and per look-up grows with it. 160 rather than
# the ~350 that Redis's default limit (512) would allow costs under a byte per record
# more (key overhead) and far less of Redis's CPU per record in bulk loads.
TARGET_FILL = 160


# Live upserts a version's buckets are sized to take on top of its bulk load (a list that
# grows by this much keeps every bucket a listpack).
GROWTH = 1.25


def buckets_for(records: int, max_entries: int) -> int:
    """Buckets so that none outgrows `max_entries` (the server's hash-max-listpack-entries)
    with a six-sigma margin (Poisson fill), counting GROWTH more records than loaded, and
    none holds more than TARGET_FILL on average then."""
    root = (-6 + math.sqrt(36 + 4 * max_entries)) / 2
    mean = max(1.0, min(root * root, TARGET_FILL))
    return max(1, math.ceil(records * GROWTH / mean))
