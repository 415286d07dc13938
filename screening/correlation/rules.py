"""The four correlation patterns, as pure functions of sightings: no I/O, no clock.

Each pattern is a pair of sightings under one key; whichever of the two is processed
second finds it (the state script files a scan and returns the others atomically, so two
workers racing on one key cannot both miss it). The alert id is made from the code and
the pair, so a scan replayed after a crash finds the same pair and raises the same alert.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from screening.correlation.sightings import KeyKind, Sighting
from screening.models import CorrelationCode, Priority
from screening.settings import Settings
from screening.sites import Sites

PRIORITY: dict[CorrelationCode, Priority] = {
    "DOCUMENT_SIMULTANEOUS_USE": "high",
    "PERSON_MULTIPLE_DOCUMENTS": "medium",
    "GATE_SHOPPING": "high",
    "PLATE_VIN_MISMATCH": "high",
}
# Which fields each pattern correlated on (the alert's hit.matched_on).
MATCHED_ON: dict[CorrelationCode, list[str]] = {
    "DOCUMENT_SIMULTANEOUS_USE": ["document_number"],
    "PERSON_MULTIPLE_DOCUMENTS": ["name", "date_of_birth", "nationality"],
    "GATE_SHOPPING": ["document_number", "name", "date_of_birth"],
    "PLATE_VIN_MISMATCH": ["plate", "vin"],
}
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Windows:
    travel_kmh: float
    same_venue_s: float
    gate_shopping_s: float
    person_s: float
    plate_s: float

    @classmethod
    def of(cls, s: Settings) -> Windows:
        return cls(travel_kmh=s.correlation_travel_kmh, same_venue_s=s.correlation_same_venue_s,
                   gate_shopping_s=s.correlation_gate_shopping_s,
                   person_s=s.correlation_person_window_h * 3600,
                   plate_s=s.correlation_plate_window_h * 3600)


@dataclass(frozen=True, slots=True)
class Finding:
    code: CorrelationCode
    earlier: Sighting
    later: Sighting
    explanation: str


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance: a lower bound of any road between them."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _where(s: Sighting) -> str:
    return f"{s.checkpoint_id} ({s.site})" if s.site else s.checkpoint_id


def _ordered(a: Sighting, b: Sighting) -> tuple[Sighting, Sighting]:
    return (a, b) if (a.at, a.event_id) <= (b.at, b.event_id) else (b, a)


def _same_venue(sites: Sites, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    va, vb = sites.by_id.get(a), sites.by_id.get(b)
    return va is not None and vb is not None and va.venue is not None and va.venue == vb.venue


def _coordinates(sites: Sites, site: str | None) -> tuple[float, float] | None:
    s = sites.by_id.get(site) if site is not None else None
    if s is None or s.lat is None or s.lon is None:
        return None
    return (s.lat, s.lon)


def simultaneous_use(a: Sighting, b: Sighting, sites: Sites,
                     w: Windows) -> Finding | None:
    if a.checkpoint_id == b.checkpoint_id:
        return None  # a rescan at one gate
    gap = b.at - a.at
    if _same_venue(sites, a.site, b.site):
        if gap > w.same_venue_s:
            return None
        why = (f"The same document was presented at {_where(a)} at {_when(a.at)} and at "
               f"{_where(b)} at {_when(b.at)}, {_span(gap)} apart: two gates of one venue "
               f"within {_span(w.same_venue_s)}. One of the two is likely a copy or a "
               "document lent to someone else.")
        return Finding("DOCUMENT_SIMULTANEOUS_USE", a, b, why)
    here, there = _coordinates(sites, a.site), _coordinates(sites, b.site)
    if here is None or there is None:
        return None  # no coordinates: no travel time to judge by
    km = distance_km(here, there)
    travel = km / w.travel_kmh * 3600
    if gap >= travel:
        return None
    why = (f"The same document was presented at {_where(a)} at {_when(a.at)} and at "
           f"{_where(b)} at {_when(b.at)}, {_span(gap)} apart, while the {km:.1f} km "
           f"between them take at least {_span(travel)} at {w.travel_kmh:g} km/h. One of "
           "the two is likely a copy or a document lent to someone else.")
    return Finding("DOCUMENT_SIMULTANEOUS_USE", a, b, why)


def gate_shopping(a: Sighting, b: Sighting, w: Windows) -> Finding | None:
    if not a.referred or a.checkpoint_id == b.checkpoint_id or b.at - a.at > w.gate_shopping_s:
        return None
    why = (f"Referred to secondary inspection at {_where(a)} at {_when(a.at)}, then seen at "
           f"another gate, {_where(b)}, at {_when(b.at)} ({_span(b.at - a.at)} later): "
           "possibly trying another gate after being stopped.")
    return Finding("GATE_SHOPPING", a, b, why)


def multiple_documents(a: Sighting, b: Sighting, w: Windows) -> Finding | None:
    if a.document is None or b.document is None or a.document == b.document:
        return None
    if b.at - a.at > w.person_s:
        return None
    why = (f"One person (same name, date of birth and nationality) presented two different "
           f"documents: at {_where(a)} at {_when(a.at)} and at {_where(b)} at {_when(b.at)}. "
           "Check whether both are genuine and the holder's.")
    return Finding("PERSON_MULTIPLE_DOCUMENTS", a, b, why)


def vin_mismatch(a: Sighting, b: Sighting, w: Windows) -> Finding | None:
    if a.vin is None or b.vin is None or a.vin == b.vin or b.at - a.at > w.plate_s:
        return None
    why = (f"The plate was read with one VIN at {_where(a)} at {_when(a.at)} and with "
           f"another VIN at {_where(b)} at {_when(b.at)}: one of the two vehicles may carry "
           "cloned plates.")
    return Finding("PLATE_VIN_MISMATCH", a, b, why)


def findings(kind: KeyKind, new: Sighting, others: Iterable[Sighting], sites: Sites,
             w: Windows) -> list[Finding]:
    """What `new`, filed under a key of `kind`, makes with the key's other sightings."""
    out: list[Finding] = []
    for other in others:
        if other.event_id == new.event_id:
            continue  # itself (a replay)
        a, b = _ordered(other, new)
        found: list[Finding | None]
        if kind == "document":
            found = [simultaneous_use(a, b, sites, w), gate_shopping(a, b, w)]
        elif kind == "person":
            found = [multiple_documents(a, b, w), gate_shopping(a, b, w)]
        elif kind == "plate":
            found = [vin_mismatch(a, b, w)]
        else:
            found = []
        out += [f for f in found if f is not None]
    return out


def key_ttl_s(kind: KeyKind, w: Windows, document_window_s: float,
              retroactive_s: float = 0.0) -> float:
    """How long a key's sightings can still make a pattern, or be found by a record
    added later (retroactive screening)."""
    if kind == "document":
        own = max(document_window_s, w.gate_shopping_s, w.same_venue_s)
    elif kind == "person":
        own = max(w.person_s, w.gate_shopping_s)
    elif kind == "plate":
        own = w.plate_s
    else:
        own = 0.0
    return max(own, retroactive_s, 1.0)
