"""Watchlist records and live updates, as bulk files and `watchlist.updates` carry them."""

from __future__ import annotations

import builtins
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from screening.models.common import (
    CountryCode,
    Id,
    Model,
    NameText,
    PartialDate,
    ShortText,
    Timestamp,
)

SltdStatus = Literal["stolen", "lost", "revoked", "invalidated", "stolen_blank"]
NoticeColour = Literal["red", "yellow", "blue", "green", "orange", "purple", "black", "un"]


class SltdRecord(Model):
    list: Literal["sltd"]
    id: Id
    document_number: ShortText = Field(min_length=1, max_length=30)
    issuing_state: CountryCode
    document_type: ShortText | None = Field(default=None, max_length=2)
    status: SltdStatus
    reported_at: date | Timestamp | None = None


class NoticeName(Model):
    surname: NameText = ""
    given_names: NameText = ""
    script: ShortText = "Latn"

    @model_validator(mode="after")
    def _some_name(self) -> NoticeName:
        if not self.surname.strip() and not self.given_names.strip():
            raise ValueError("a name needs a surname or given names")
        return self


class NoticeDocument(Model):
    number: ShortText = Field(min_length=1, max_length=30)
    issuing_state: CountryCode


class NoticeRecord(Model):
    list: Literal["notice"]
    id: Id
    colour: NoticeColour
    names: builtins.list[NoticeName] = Field(min_length=1, max_length=50)
    date_of_birth: PartialDate | None = None
    nationalities: builtins.list[CountryCode] = Field(default_factory=builtins.list, max_length=10)
    sex: Literal["M", "F", "X"] | None = None
    documents: builtins.list[NoticeDocument] = Field(default_factory=builtins.list, max_length=50)
    issued_at: date | Timestamp | None = None


class SmvRecord(Model):
    list: Literal["smv"]
    id: Id
    vin: ShortText | None = Field(default=None, max_length=32)
    plate: ShortText | None = Field(default=None, max_length=20)
    plate_country: CountryCode | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    colour: ShortText | None = None
    reported_at: date | Timestamp | None = None

    @model_validator(mode="after")
    def _vin_or_plate(self) -> SmvRecord:
        if not self.vin and not self.plate:
            raise ValueError("a stolen vehicle record needs vin or plate")
        return self


WatchlistRecord = Annotated[SltdRecord | NoticeRecord | SmvRecord, Field(discriminator="list")]


class RecordRef(Model):
    list: Literal["sltd", "notice", "smv"]
    id: Id


class WatchlistUpdate(Model):
    update_id: Id
    op: Literal["upsert", "delete"]
    issued_at: Timestamp
    record: WatchlistRecord | RecordRef

    @model_validator(mode="after")
    def _whole_record_for_upsert(self) -> WatchlistUpdate:
        if self.op == "upsert" and isinstance(self.record, RecordRef):
            raise ValueError("an upsert carries the whole record")
        return self

    @property
    def key(self) -> str:
        return f"{self.record.list}:{self.record.id}"
