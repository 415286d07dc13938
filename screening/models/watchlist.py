"""Watchlist records and live updates, as bulk files and `watchlist.updates` carry them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from screening.models.common import Id, Model, RecordTimestamp
from screening.watchlists import records as _records
from screening.watchlists.notices.record import NoticeDocument, NoticeName, NoticeRecord
from screening.watchlists.registry import ListName
from screening.watchlists.sltd.record import SltdRecord
from screening.watchlists.smv.record import SmvRecord

# Each list's record model lives in its package (watchlists/<list>/record.py); the
# union of them all is built from the registry (watchlists/records.py).
ListRecord = _records.ListRecord
if TYPE_CHECKING:
    WatchlistRecord = ListRecord
else:
    WatchlistRecord = _records.WatchlistRecord
__all__ = ["ListRecord", "NoticeDocument", "NoticeName", "NoticeRecord", "RecordRef",
           "SltdRecord", "SmvRecord", "UpdateSignature", "WatchlistRecord", "WatchlistUpdate"]


class RecordRef(Model):
    list: ListName
    id: Id


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
        model = _records.MODELS.get(lst) if isinstance(lst, str) else None
        if model is not None:
            return model.model_validate(value)
        return _records.RECORD.validate_python(value)  # names the missing or unknown list

    @property
    def key(self) -> str:
        return f"{self.record.list}:{self.record.id}"
