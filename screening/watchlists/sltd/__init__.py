"""Stolen and lost travel documents: indexed by (normalised document number, issuing state)."""

from __future__ import annotations

from typing import ClassVar

from screening.models import SltdRecord
from screening.watchlists.base import Entry, Indexed
from screening.watchlists.sltd.layout import document_field

# The logical table scans look up; stored compactly as layout.py describes.
TABLE = "sltd"


class SltdList:
    name: ClassVar[str] = "sltd"
    model: ClassVar[type[SltdRecord]] = SltdRecord
    tables: ClassVar[dict[str, float]] = {TABLE: 1.0}

    def index(self, record: SltdRecord) -> Indexed:
        """The logical entry (what look-ups answer); the store keeps it in compact form."""
        # The payload carries all a hit needs (status, type): one round trip answers it.
        payload = f"{record.status}|{record.document_type or ''}"
        field = document_field(record.document_number, record.issuing_state)
        return Indexed(entries=(Entry(TABLE, field, record.id, payload),))


__all__ = ["TABLE", "SltdList", "document_field"]
