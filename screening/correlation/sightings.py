"""What correlation remembers of a scan (a Sighting) and the keys it is filed under.

Keys are the audit's keyed digests (audit/digests.py): the state in Redis holds no
document number, name, VIN or plate, only digests under the audit key, checkpoint and
terminal ids, times and flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import orjson

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

    def encode(self) -> bytes:
        """`<ms>|<json>`: the script trims by the leading time without parsing JSON."""
        body = orjson.dumps([self.event_id, self.checkpoint_id, self.terminal_id, self.site,
                             self.at, self.referred, self.document, self.vin])
        return b"%d|%s" % (int(self.at * 1000), body)

    @classmethod
    def decode(cls, raw: bytes) -> Sighting:
        e, c, t, s, at, r, d, v = orjson.loads(raw.partition(b"|")[2])
        return cls(e, c, t, s, float(at), bool(r), d, v)


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
                    referred=result.outcome == "hit" and result.instruction in REFERRALS)
    out: list[Filed] = []
    if isinstance(scan, VehicleScan):
        plate = digests.plate(p.plate, p.plate_country)[-1:] if p.plate else []
        vin = (digests.vin(p.vin)[:1]
               if p.vin and not MISREAD_VIN.intersection(p.warnings) else [])
        if plate:
            out.append(Filed("plate", plate[0], _with(base, vin=vin[0] if vin else None)))
        if vin:  # for retroactive screening only (a VIN is not correlated with itself)
            out.append(Filed("vin", vin[0], base))
        return out
    document = _document_digest(p, digests)
    if document is not None:
        out.append(Filed("document", document, base))
    person = _person_digest(p, digests)
    if person is not None:
        out.append(Filed("person", person, _with(base, document=document)))
    return out


def _with(s: Sighting, *, document: str | None = None, vin: str | None = None) -> Sighting:
    return Sighting(s.event_id, s.checkpoint_id, s.terminal_id, s.site, s.at, s.referred,
                    document, vin)


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
