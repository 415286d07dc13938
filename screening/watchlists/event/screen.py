"""How a scan is answered from the event lists: a traveller as the notices answer one, a
vehicle as the SMV does; the hit is named by its `list_name`, asks what its `action`
says, and is no hit at all once `valid_until` has passed (no reload needed)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from screening.models import Instruction, Priority
from screening.watchlists.actions import PRIORITY, instruction_for, lapsed
from screening.watchlists.base import Answers, Lookup, Match, RecordRef, Records, Screening
from screening.watchlists.event.layout import LAYOUT, PERSON_TABLES, VEHICLE_TABLES
from screening.watchlists.event.record import EventRecord
from screening.watchlists.generic import EntriesLayout
from screening.watchlists.notices.screen import Persons
from screening.watchlists.smv.screen import Vehicles

if TYPE_CHECKING:
    from screening.core.prepare import Prepared

def _verdict(record: dict[str, Any], now: datetime, seize: Instruction
             ) -> tuple[str, Instruction, Priority] | None:
    if lapsed(record.get("valid_until"), now):
        return None
    action = record.get("action")
    return (record.get("list_name") or "event",
            instruction_for(action, "REFER_SECONDARY", seize),
            PRIORITY.get(action or "", "high"))


def person_verdict(profile: dict[str, Any], now: datetime
                   ) -> tuple[str, Instruction, Priority] | None:
    return _verdict(profile.get("summary", {}), now, "SEIZE_DOCUMENT")


def vehicle_verdict(record: dict[str, Any], now: datetime
                    ) -> tuple[str, Instruction, Priority] | None:
    return _verdict(record, now, "HOLD_VEHICLE")


class EventList:
    name: ClassVar[str] = "event"
    model: ClassVar[type[EventRecord]] = EventRecord
    layout: EntriesLayout = LAYOUT

    def __init__(self) -> None:
        self.persons = Persons("event", PERSON_TABLES, person_verdict)
        self.vehicles = Vehicles("event", VEHICLE_TABLES, vehicle_verdict)

    def lookups(self, p: Prepared) -> list[Lookup]:
        return self.persons.lookups(p) + self.vehicles.lookups(p)

    def record_refs(self, p: Prepared, answers: Answers) -> list[RecordRef]:
        if _vehicle(p):
            return self.persons.record_refs(p, answers) + self.vehicles.record_refs(p, answers)
        return self.persons.record_refs(p, answers)

    def hits(self, p: Prepared, answers: Answers, records: Records,
             at: Screening) -> list[Match]:
        if _vehicle(p):
            return (self.persons.hits(p, answers, records, at)
                    + self.vehicles.hits(p, answers, records, at))
        return self.persons.hits(p, answers, records, at)


def _vehicle(p: Prepared) -> bool:
    """Whether the scan looked up vehicles (Vehicles.lookups): without, a traveller's
    whole look-up list is not walked for vehicle tables it cannot hold."""
    return bool(p.vin or p.vin_corrected is not None or p.plate_keys)


LIST = EventList()
