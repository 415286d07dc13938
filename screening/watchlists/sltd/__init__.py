"""Stolen and lost travel documents: indexed by (normalised document number, issuing state)."""

from __future__ import annotations

from typing import ClassVar

from screening.matching.normalize import normalize_document_number
from screening.models import SltdRecord
from screening.watchlists.base import Entry, Indexed

TABLE = "sltd"


def document_field(number: str, issuing_state: str) -> str:
    return f"{normalize_document_number(number)}|{issuing_state}"


class SltdList:
    name: ClassVar[str] = "sltd"
    model: ClassVar[type[SltdRecord]] = SltdRecord
    tables: ClassVar[dict[str, float]] = {TABLE: 1.0}

    def index(self, record: SltdRecord) -> Indexed:
        # The payload carries all a hit needs (status, type): one round trip answers it.
        payload = f"{record.status}|{record.document_type or ''}"
        field = document_field(record.document_number, record.issuing_state)
        return Indexed(entries=(Entry(TABLE, field, record.id, payload),))
