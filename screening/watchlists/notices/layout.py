"""Notices in the entries layout (generic.py): name-key and document entries, one profile.

    nkey   name blocking key -> "<id>US<attributes>" (date of birth, nationalities, sex:
           what rules most candidates out before their profile is fetched)
    ndoc   "NUMBER|STATE" of each of the person's documents -> id
    nrec   id -> the profile (persons.notice_profile: what scoring needs) and `summary`
           (what analysts see)

Event lists' persons use the same layout under their own table names.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from screening.matching import persons
from screening.matching.documents import document_field
from screening.watchlists.generic import Blob, EntriesLayout, Entry, Indexed


class PersonTables(NamedTuple):
    names: str
    documents: str
    profiles: str


NOTICE_TABLES = PersonTables("nkey", "ndoc", "nrec")


def person_index(record: Any, tables: PersonTables) -> Indexed:
    data = record.model_dump(mode="json")
    profile = persons.notice_profile(data)
    # What analysts see in an alert, beside what scoring needs.
    profile["summary"] = {k: v for k, v in data.items() if v is not None and k != "list"}
    attributes = persons.notice_attributes(profile)
    entries = [Entry(tables.names, key, record.id, attributes)
               for key in sorted(persons.notice_keys(profile))]
    entries += [Entry(tables.documents, document_field(d.number, d.issuing_state), record.id)
                for d in record.documents]
    blob = Blob(tables.profiles, record.id, orjson.dumps(profile))
    return Indexed(entries=tuple(dict.fromkeys(entries)), blobs=(blob,))


def person_layout(list_name: str, tables: PersonTables) -> EntriesLayout:
    return EntriesLayout(list_name, {tables.names: 8.0, tables.documents: 1.0,
                                     tables.profiles: 1.0},
                         lambda record: person_index(record, tables))


LAYOUT = person_layout("notice", NOTICE_TABLES)
