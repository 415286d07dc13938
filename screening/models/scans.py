"""Scans from checkpoint terminals: TravellerScan and VehicleScan."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from screening.models.common import (
    CountryCode,
    DocumentNumberText,
    DocumentTypeText,
    ExpiryDate,
    Id,
    Model,
    MrzText,
    NameText,
    PartialDate,
    PlateText,
    ShortText,
    Timestamp,
    VinText,
)


class Document(Model):
    mrz: MrzText | None = None
    number: DocumentNumberText | None = None
    issuing_state: CountryCode | None = None
    type: DocumentTypeText | None = None
    expiry: ExpiryDate | None = None

    @model_validator(mode="after")
    def _mrz_or_number(self) -> Document:
        if not self.mrz and not (self.number and self.issuing_state):
            raise ValueError("document needs mrz, or number and issuing_state")
        return self


class Holder(Model):
    surname: NameText | None = None
    given_names: NameText | None = None
    date_of_birth: PartialDate | None = None
    nationality: CountryCode | None = None
    sex: Literal["M", "F", "X"] | None = None


class ScanBase(Model):
    event_id: Id
    checkpoint_id: Id
    terminal_id: Id
    scanned_at: Timestamp
    # Added (optional): a drill before the event. Its result and alerts say so, and it
    # is kept out of the real statistics and, by default, of audit queries.
    exercise: bool = False


class TravellerScan(ScanBase):
    document: Document
    holder: Holder = Field(default_factory=Holder)


class Vehicle(Model):
    vin: VinText | None = None
    plate: PlateText | None = None
    plate_country: CountryCode | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    colour: ShortText | None = None

    @model_validator(mode="after")
    def _vin_or_plate(self) -> Vehicle:
        if not self.vin and not self.plate:
            raise ValueError("vehicle needs vin or plate")
        return self


class VehicleScan(ScanBase):
    vehicle: Vehicle
    read_confidence: float | None = Field(default=None, ge=0.0, le=1.0)


ScanKind = Literal["traveller", "vehicle"]
