"""An SLTD record: a stolen, lost, revoked or invalidated travel document."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from screening.models.common import (
    CountryCode,
    DocumentNumberText,
    DocumentTypeText,
    RecordDate,
    RecordTimestamp,
    ShortText,
)
from screening.watchlists.actions import PropertyAction
from screening.watchlists.base import ListRecord

SltdStatus = Literal["stolen", "lost", "revoked", "invalidated", "stolen_blank"]


class SltdRecord(ListRecord):
    list: Literal["sltd"]
    document_number: DocumentNumberText = Field(min_length=1)
    issuing_state: CountryCode
    document_type: DocumentTypeText | None = None
    status: SltdStatus
    reported_at: RecordDate | None = None
    # Contract v2: what the record asks (none: seize the document), its owner (the
    # reporting NCB), and when it stops hitting.
    action: PropertyAction | None = None
    owner: ShortText | None = None
    valid_until: RecordTimestamp | None = None


MODEL = SltdRecord
