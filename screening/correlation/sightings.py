"""What correlation remembers of a scan (a Sighting) and the keys it is filed under.

Keys are the audit's keyed digests (audit/digests.py): the state in Redis holds no
document number, name, VIN or plate, only digests under the audit key, checkpoint and
terminal ids, times and flags.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal

from screening.audit.digests import Digester
from screening.core.prepare import Prepared
from screening.matching.normalize import canonical_country
from screening.models import CheckResult, VehicleScan

# What a key correlates on: a document, a person, a plate.
KeyKind = Literal["document", "person", "plate", "vin"]
# A referral the gate acted on: the subject was stopped, not waved through.
REFERRALS = frozenset({"REFER_SECONDARY", "SEIZE_DOCUMENT", "HOLD_VEHICLE"})
# VIN readings that are misreads, not a second vehicle.
MISREAD_VIN = frozenset({"VIN_CHECK_DIGIT", "VIN_FORMAT"})


@dataclass(frozen=True, slots=True)
class Sighting:
    event_id: str
    checkpoint_id: str
    terminal_id: str
    site: str | None
    at: float  # scanned_at, seconds since the epoch
    referred: bool = False
    document: str | None = None  # the document's digest (under a person's key)
    vin: str | None = None  # the VIN's digest (under a plate's key)
    hit: bool = False  # the scan's answer was a hit: analysts had its alerts already

    def encode(self) -> bytes:
        """A record of its own: the time (ms, 6 bytes, big-endian: the state script reads
        it to trim), flags, then six strings each after its length in one byte (event
        id, checkpoint, terminal, site, document, VIN). An event id that is a UUID, as
        terminals make them, takes 16 bytes instead of 36. About 60 bytes a sighting,
        where JSON took 150 (issue 23: at most 200 bytes per remembered scan)."""
        event, is_uuid = _event_bytes(self.event_id)
        flags = ((_REFERRED if self.referred else 0) | (_UUID if is_uuid else 0)
                 | (_HIT if self.hit else 0))
        c, t = self.checkpoint_id.encode()[:255], self.terminal_id.encode()[:255]
        site, doc = (self.site or "").encode()[:255], (self.document or "").encode()
        vin = (self.vin or "").encode()
        n = _N
        return b"".join((round(self.at * 1000).to_bytes(6, "big"), n[flags], n[len(event)],
                         event, n[len(c)], c, n[len(t)], t, n[len(site)], site,
                         n[len(doc)], doc, n[len(vin)], vin))

    @classmethod
    def decode_all(cls, raw: bytes) -> list[Sighting]:
        """The records of a value (one key's sightings, one after the other)."""
        out, i, n = [], 0, len(raw)
        while i + 7 <= n:
            at = int.from_bytes(raw[i:i + 6], "big") / 1000
            flags = raw[i + 6]
            i += 7
            parts = []
            for _ in range(6):
                size = raw[i]
                parts.append(raw[i + 1:i + 1 + size])
                i += 1 + size
            e, c, t, s, d, v = parts
            event = str(uuid.UUID(bytes=e)) if flags & _UUID else e.decode(errors="replace")
            out.append(cls(event, c.decode(errors="replace"), t.decode(errors="replace"),
                           s.decode(errors="replace") or None, at,
                           bool(flags & _REFERRED), d.decode() or None, v.decode() or None,
                           bool(flags & _HIT)))
        return out


_REFERRED, _UUID, _HIT = 1, 2, 4
_N = [bytes((i,)) for i in range(256)]  # a length (or the flags) as its byte
_CANONICAL_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


def _event_bytes(event_id: str) -> tuple[bytes, bool]:
    """16 bytes for a UUID in its canonical text (what decoding gives back), else the
    id's own bytes, at most 255 (an `Id` is at most 64 characters, but of any script:
    the rest of an id longer than that in UTF-8 is not kept, here and when compared)."""
    if len(event_id) == 36 and _CANONICAL_UUID(event_id):
        return bytes.fromhex(event_id.replace("-", "")), True
    return event_id.encode()[:255], False


@dataclass(frozen=True, slots=True)
class Filed:
    """One sighting under one key."""

    kind: KeyKind
    key: str  # the digest
    sighting: Sighting


def filings(p: Prepared, result: CheckResult, site: str | None,
            digests: Digester) -> list[Filed]:
    """The keys a screened scan is filed under, each with what that key needs."""
    scan = p.scan
    base = Sighting(event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                    terminal_id=scan.terminal_id, site=site,
                    at=scan.scanned_at.timestamp(),
                    referred=result.outcome == "hit" and result.instruction in REFERRALS,
                    hit=result.outcome == "hit")
    out: list[Filed] = []
    if isinstance(scan, VehicleScan):
        plate = digests.plate(p.plate, p.plate_country)[-1:] if p.plate else []
        vin = (digests.vin(p.vin)[:1]
               if p.vin and not MISREAD_VIN.intersection(p.warnings) else [])
        if plate:
            out.append(Filed("plate", plate[0],
                             _with(base, vin=short_digest(vin[0]) if vin else None)))
        if vin:  # for retroactive screening only (a VIN is not correlated with itself)
            out.append(Filed("vin", vin[0], base))
        return out
    document = _document_digest(p, digests)
    if document is not None:
        out.append(Filed("document", document, base))
    person = _person_digest(p, digests)
    if person is not None:
        out.append(Filed("person", person, _with(
            base, document=short_digest(document) if document else None)))
    return out


# The digest's letters (base64url) that name its bucket and its field in the state:
# 2 letters and 2 bits make 16,384 buckets a kind; 12 letters (72 bits) tell one digest
# from another within a bucket, where a few hundred live at 2 million scans.
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
FIELD_CHARS = 12
_TOP_BITS = {c: str(i >> 4) for i, c in enumerate(_B64URL)}


def short_digest(digest: str) -> str:
    """What a sighting keeps of another key's digest (a person's document, a plate's
    VIN): enough to tell two apart, compared only with others cut the same way."""
    return address(digest)[1]


def address(digest: str) -> tuple[str, str]:
    """(bucket, field) of a digest `<kind>:<base64url>`: a bucket holds the sightings of
    every digest whose letters begin alike, so Redis keeps thousands of small listpack
    hashes instead of one key (and its ~100 bytes of overhead) per document."""
    body = digest[digest.find(":") + 1:]
    if len(body) < 3 + FIELD_CHARS:  # not a digest of ours (tests): bucket by its start
        return body[:2], body
    return body[:2] + _TOP_BITS[body[2]], body[3:3 + FIELD_CHARS]


# The kind of key a digest is filed under (each kind has its own window, so its own
# buckets): the audit's digest kinds (audit/digests.py) to correlation's.
KIND_OF_DIGEST: dict[str, KeyKind] = {
    "document": "document", "document_number": "document", "person_nationality": "person",
    "plate": "plate", "plate_number": "plate", "vin": "vin"}


def _with(s: Sighting, *, document: str | None = None, vin: str | None = None) -> Sighting:
    return Sighting(s.event_id, s.checkpoint_id, s.terminal_id, s.site, s.at, s.referred,
                    document, vin, s.hit)


def _document_digest(p: Prepared, digests: Digester) -> str | None:
    """The first document the scan read (its MRZ's, when it has one), number and state."""
    if not p.document_fields:
        return None
    field = p.document_fields[0]
    number, _, state = field.partition("|")
    if state:
        return digests.digest("document", field)
    return digests.digest("document_number", number)


def _person_digest(p: Prepared, digests: Digester) -> str | None:
    """Only a person named with a full date of birth and a nationality: a name and a
    year of birth are shared by too many people to say two documents are one person's."""
    for q in p.persons:
        dob = (q.date_of_birth or "").strip()
        nationality = canonical_country(q.nationality)
        if len(dob) == 10 and nationality and (q.surname or q.given_names):
            return digests.person_nationality(q.surname, q.given_names, dob, nationality)
    return None
