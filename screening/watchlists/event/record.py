"""An event-list record (contract v2, "Event lists"): a person or a vehicle."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from screening.models.common import RecordDate, RecordTimestamp, ShortText
from screening.watchlists.actions import EventAction
from screening.watchlists.notices.record import PersonRecord
from screening.watchlists.smv.record import VehicleRecord

_VEHICLE_FIELDS = ("vin", "plate", "plate_country", "make", "model", "colour")
_PERSON_FIELDS = ("date_of_birth", "sex")


class EventRecord(PersonRecord, VehicleRecord):
    list: Literal["event"]
    list_name: ShortText = Field(min_length=1)
    subject: Literal["person", "vehicle"]
    # Any action (watchlists/actions.py), and `refuse_entry` for what event lists mostly
    # hold: revoked accreditations, stadium bans.
    action: EventAction | None = None
    owner: ShortText | None = None
    valid_until: RecordTimestamp | None = None
    issued_at: RecordDate | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> EventRecord:
        if self.subject == "person":
            if not self.names:
                raise ValueError("a person needs at least one name")
            if any(getattr(self, f) is not None for f in _VEHICLE_FIELDS):
                raise ValueError("a person record carries no vehicle fields")
        else:
            if not self.vin and not self.plate:
                raise ValueError("a vehicle needs vin or plate")
            if (self.names or self.documents or self.nationalities
                    or any(getattr(self, f) is not None for f in _PERSON_FIELDS)):
                raise ValueError("a vehicle record carries no person fields")
        return self


MODEL = EventRecord
