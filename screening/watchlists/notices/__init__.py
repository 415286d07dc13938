"""Notices on persons: indexed by blocking keys of their names and by associated documents."""

from __future__ import annotations

from typing import ClassVar

import orjson

from screening.matching import persons
from screening.models import NoticeRecord
from screening.watchlists.base import Blob, Entry, Indexed
from screening.watchlists.sltd import document_field

NAME_TABLE = "nkey"
DOC_TABLE = "ndoc"
PROFILE_TABLE = "nrec"


class NoticeList:
    name: ClassVar[str] = "notice"
    model: ClassVar[type[NoticeRecord]] = NoticeRecord
    tables: ClassVar[dict[str, float]] = {NAME_TABLE: 8.0, DOC_TABLE: 1.0, PROFILE_TABLE: 1.0}

    def index(self, record: NoticeRecord) -> Indexed:
        data = record.model_dump(mode="json")
        profile = persons.notice_profile(data)
        # What analysts see in an alert, beside what scoring needs.
        profile["summary"] = {k: v for k, v in data.items() if v is not None and k != "list"}
        # Name entries carry the attributes that rule most candidates out before their
        # profile is fetched (persons.could_hit).
        attributes = persons.notice_attributes(profile)
        entries = [Entry(NAME_TABLE, key, record.id, attributes)
                   for key in sorted(persons.notice_keys(profile))]
        entries += [
            Entry(DOC_TABLE, document_field(d.number, d.issuing_state), record.id)
            for d in record.documents
        ]
        blob = Blob(PROFILE_TABLE, record.id, orjson.dumps(profile))
        return Indexed(entries=tuple(dict.fromkeys(entries)), blobs=(blob,))
