"""Watchlist records and live updates, as bulk files and `watchlist.updates` carry them."""

from __future__ import annotations

import builtins
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from screening.models.common import (
    CountryCode,
    DocumentNumberText,
    DocumentTypeText,
    Id,
    Model,
    NameText,
    PartialDate,
    PlateText,
    RecordDate,
    RecordTimestamp,
    ShortText,
    VinText,
)

SltdStatus = Literal["stolen", "lost", "revoked", "invalidated", "stolen_blank"]
NoticeColour = Literal["red", "yellow", "blue", "green", "orange", "purple", "black", "un"]


class SltdRecord(Model):
    list: Literal["sltd"]
    id: Id
    document_number: DocumentNumberText = Field(min_length=1)
    issuing_state: CountryCode
    document_type: DocumentTypeText | None = None
    status: SltdStatus
    reported_at: RecordDate | None = None


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
    number: DocumentNumberText = Field(min_length=1)
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
    issued_at: RecordDate | None = None


class SmvRecord(Model):
    list: Literal["smv"]
    id: Id
    vin: VinText | None = None
    plate: PlateText | None = None
    plate_country: CountryCode | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    colour: ShortText | None = None
    reported_at: RecordDate | None = None

    @model_validator(mode="after")
    def _vin_or_plate(self) -> SmvRecord:
        if not self.vin and not self.plate:
            raise ValueError("a stolen vehicle record needs vin or plate")
        return self


WatchlistRecord = Annotated[SltdRecord | NoticeRecord | SmvRecord, Field(discriminator="list")]


class RecordRef(Model):
    list: Literal["sltd", "notice", "smv"]
    id: Id


_BY_LIST: dict[str, type[SltdRecord] | type[NoticeRecord] | type[SmvRecord]] = {
    "sltd": SltdRecord, "notice": NoticeRecord, "smv": SmvRecord}
_RECORD: TypeAdapter[SltdRecord | NoticeRecord | SmvRecord] = TypeAdapter(WatchlistRecord)


class UpdateSignature(Model):
    """Ed25519 over the update's canonical JSON without `signature` (watchlists/signing.py)."""

    key_id: Annotated[str, Field(min_length=1, max_length=64)]
    alg: Literal["ed25519"]
    value: Annotated[str, Field(min_length=1, max_length=256, description="base64")]


class WatchlistUpdate(Model):
    update_id: Id
    op: Literal["upsert", "delete"]
    issued_at: RecordTimestamp
    record: WatchlistRecord | RecordRef
    # Contract v2: who vouches for the update. Optional in the model (v1 readers), but
    # the worker applies no update without a signature by a trusted feed key.
    signature: UpdateSignature | None = None

    @field_validator("record", mode="wrap")
    @classmethod
    def _record_by_op(cls, value: Any, handler: ValidatorFunctionWrapHandler,
                      info: ValidationInfo) -> Any:
        """An upsert's record is validated as the record its `list` names, a delete's as
        before (a reference or a whole record), so that a bad field is named as such:
        tried against the union, an upsert whose record had a bad status passed as a
        reference and was refused for not carrying the whole record."""
        op = info.data.get("op")  # absent when `op` itself was refused
        if op != "upsert":
            try:
                return handler(value)
            except ValidationError:
                if op is None:
                    raise
                # A delete needs only `list` and `id`: say what is wrong with those,
                # not what every kind of record would have missed.
                return RecordRef.model_validate(value)
        if isinstance(value, RecordRef) or (isinstance(value, dict) and "list" in value
                                            and value.keys() <= {"list", "id"}):
            raise ValueError("an upsert carries the whole record, not only list and id")
        lst = value.get("list") if isinstance(value, dict) else None
        model = _BY_LIST.get(lst) if isinstance(lst, str) else None
        if model is not None:
            return model.model_validate(value)
        return _RECORD.validate_python(value)  # names the missing or unknown list

    @property
    def key(self) -> str:
        return f"{self.record.list}:{self.record.id}"
