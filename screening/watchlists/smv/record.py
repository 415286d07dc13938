"""A stolen motor vehicle: VIN and/or plate, and what the vehicle looks like."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from screening.models.common import (
    CountryCode,
    PlateText,
    RecordDate,
    RecordTimestamp,
    ShortText,
    VinText,
)
from screening.watchlists.actions import PropertyAction
from screening.watchlists.base import ListRecord


class VehicleRecord(ListRecord):
    """A listed vehicle as SMV records describe one (event lists' vehicles too)."""

    vin: VinText | None = None
    plate: PlateText | None = None
    plate_country: CountryCode | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    colour: ShortText | None = None


class SmvRecord(VehicleRecord):
    list: Literal["smv"]
    reported_at: RecordDate | None = None
    # Contract v2: what the record asks (none: hold the vehicle), its owner, and when it
    # stops hitting.
    action: PropertyAction | None = None
    owner: ShortText | None = None
    valid_until: RecordTimestamp | None = None

    @model_validator(mode="after")
    def _vin_or_plate(self) -> SmvRecord:
        if not self.vin and not self.plate:
            raise ValueError("a stolen vehicle record needs vin or plate")
        return self


MODEL = SmvRecord
