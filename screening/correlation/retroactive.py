"""Retroactive screening (issue 23 item 2): a record a live update adds or changes, or a
bulk load brings (`after_load`: against scans no list hit), is checked against the
sightings correlation keeps (the last SCREENING_RETROACTIVE_WINDOW_H hours), and each
earlier scan it would have hit raises an alert of kind `retroactive` naming where and
when that scan was.

The sightings hold digests, never the scanned values, so the check is by exact key: a
record's documents (number and state), its persons (each name in the ICAO fold with a
full date of birth and each nationality), its VIN and its plate (skeleton and country),
digested as scans are (audit/digests.py). A name that matches only approximately (a
spelling, another script) is not found retroactively; the live screening finds it from
the record's next sighting on.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from screening.audit.digests import Digester
from screening.correlation.cases import record_case
from screening.correlation.sightings import Sighting
from screening.correlation.state import CorrelationState
from screening.matching.documents import document_field
from screening.matching.normalize import canonical_country
from screening.models import Alert, Hit, Priority
from screening.models.results import reference_of

_NS = uuid.UUID("3e1a0d52-95c4-4f4e-b3a8-7a9a1c6f2b11")
# A retroactive hit is a lead about someone already inside: one step above the list's
# usual floor, and never below `high` for what asks for a referral.
PRIORITY: dict[str, Priority] = {"sltd": "high", "smv": "high", "event": "high",
                                 "notice": "high"}
CRITICAL_COLOURS = frozenset({"red", "orange"})


def record_keys(record: Any, digests: Digester) -> dict[str, list[str]]:
    """digest -> the record's fields it stands for (matched_on)."""
    out: dict[str, list[str]] = {}
    lst = record.list
    if lst == "sltd":
        out[digests.digest("document", document_field(record.document_number,
                                                      record.issuing_state))] = [
            "document_number"]
        return out
    for doc in getattr(record, "documents", None) or ():
        out[digests.digest("document", document_field(doc.number, doc.issuing_state))] = [
            "document_number"]
    dob = (getattr(record, "date_of_birth", None) or "").strip()
    if len(dob) == 10:
        for name in getattr(record, "names", None) or ():
            for nationality in getattr(record, "nationalities", None) or ():
                key = digests.person_nationality(name.surname, name.given_names, dob,
                                                 canonical_country(nationality))
                if key is not None:
                    out[key] = ["name", "date_of_birth", "nationality"]
    vin = getattr(record, "vin", None)
    if vin:
        for key in digests.vin(vin)[:1]:
            out[key] = ["vin"]
    plate = getattr(record, "plate", None)
    if plate:
        for key in digests.plate(plate, getattr(record, "plate_country", None))[-1:]:
            out[key] = ["plate"]
    return out


def category_of(record: Any) -> str:
    lst = record.list
    if lst == "sltd":
        return str(record.status)
    if lst == "notice":
        return str(record.colour)
    if lst == "event":
        return str(record.list_name)
    return "stolen_vehicle"


def retroactive_alert(record: Any, s: Sighting, matched_on: list[str],
                      now: datetime) -> Alert:
    category = category_of(record)
    priority: Priority = ("critical" if record.list == "notice"
                          and category in CRITICAL_COLOURS else PRIORITY[record.list])
    when = datetime.fromtimestamp(s.at, UTC)
    where = f"{s.checkpoint_id} ({s.site})" if s.site else s.checkpoint_id
    return Alert(
        alert_id=str(uuid.uuid5(_NS, f"{record.list}|{record.id}|{s.event_id}")),
        event_id=s.event_id, raised_at=now, priority=priority,
        checkpoint_id=s.checkpoint_id, terminal_id=s.terminal_id,
        hit=Hit(list=record.list, record_id=record.id, score=1.0, matched_on=matched_on,
                category=category),
        # The scan itself is not kept: where and when it was.
        subject={"scanned_at": when.isoformat(), "checkpoint_id": s.checkpoint_id,
                 "site": s.site},
        record={"list": record.list, "id": record.id, "category": category,
                "explanation": f"Added or changed after a scan at {where} on "
                               f"{when.strftime('%Y-%m-%d %H:%M:%SZ')} that it matches: "
                               "the person or vehicle may already be inside."},
        kind="retroactive", reference=reference_of(s.event_id),
        case_id=record_case(record.list, record.id),
        action=getattr(record, "action", None), owner=getattr(record, "owner", None))


async def check_record(state: CorrelationState, digests: Digester, record: Any, *,
                       issued_at: datetime, window_h: float, now: datetime,
                       skip_hits: bool = False) -> list[Alert]:
    """Alerts for the sightings `record` matches: scanned within the window before the
    update was issued (a later scan was screened against the record already).
    `skip_hits`: leave out scans whose answer was a hit (a bulk load: most of its
    records were in the lists before, and a scan that hit one has its alerts)."""
    [alerts] = await check_records(state, digests, [record], issued_at=issued_at,
                                   window_h=window_h, now=now, skip_hits=skip_hits)
    return alerts


async def check_records(state: CorrelationState, digests: Digester, records: list[Any], *,
                        issued_at: datetime, window_h: float, now: datetime,
                        skip_hits: bool = False) -> list[list[Alert]]:
    """check_record for many records with one round trip (a bulk load's)."""
    keys = [_keys(r, digests) for r in records]
    found = await state.sightings([k for ks in keys for k in ks])
    since = (now - timedelta(hours=window_h)).timestamp()
    before = issued_at.timestamp()
    out = []
    for record, ks in zip(records, keys, strict=True):
        alerts: dict[str, Alert] = {}
        for key, matched_on in ks.items():
            for s in found.get(key, ()):
                if since <= s.at < before and not (skip_hits and s.hit):
                    try:
                        a = retroactive_alert(record, s, matched_on, now)
                    except (AttributeError, TypeError, ValueError):
                        continue  # a bulk file's line the load refused
                    alerts.setdefault(a.alert_id, a)
        out.append(list(alerts.values()))
    return out


def _keys(record: Any, digests: Digester) -> dict[str, list[str]]:
    try:
        return record_keys(record, digests)
    except (AttributeError, TypeError, ValueError):  # a line the load refused: no keys
        return {}


async def after_load(state: CorrelationState, digests: Digester, records: Iterable[Any], *,
                     loaded_at: datetime, window_h: float,
                     send: Callable[[Alert], Awaitable[None]], chunk: int = 1000) -> int:
    """A bulk load's records checked against the history, `chunk` at a time (issue 23:
    "a new or changed record, live update or bulk load"): an alert for each earlier scan
    a record matches whose answer was no hit (a record the lists held before already
    hit its scans; a new one finds the scans it would have hit). Returns alerts sent."""
    sent = 0
    batch: list[Any] = []

    async def flush() -> int:
        now = datetime.now(UTC)
        got = await check_records(state, digests, batch, issued_at=loaded_at,
                                  window_h=window_h, now=now, skip_hits=True)
        for alerts in got:
            for alert in alerts:
                await send(alert)
        batch.clear()
        return sum(len(a) for a in got)

    for record in records:
        batch.append(record)
        if len(batch) >= chunk:
            sent += await flush()
    if batch:
        sent += await flush()
    return sent
