"""A notice on a person: names and aliases, date of birth, nationalities, documents."""

from __future__ import annotations

import builtins
from typing import Literal

from pydantic import Field, model_validator

from screening.models.common import (
    CountryCode,
    DocumentNumberText,
    Model,
    NameText,
    PartialDate,
    RecordDate,
    RecordTimestamp,
    ShortText,
)
from screening.watchlists.actions import NoticeAction
from screening.watchlists.base import ListRecord

NoticeColour = Literal["red", "yellow", "blue", "green", "orange", "purple", "black", "un"]


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


class PersonRecord(ListRecord):
    """A listed person as notices describe one (event lists' persons too)."""

    names: builtins.list[NoticeName] = Field(default_factory=builtins.list, max_length=50)
    date_of_birth: PartialDate | None = None
    nationalities: builtins.list[CountryCode] = Field(default_factory=builtins.list, max_length=10)
    sex: Literal["M", "F", "X"] | None = None
    documents: builtins.list[NoticeDocument] = Field(default_factory=builtins.list, max_length=50)


class NoticeRecord(PersonRecord):
    list: Literal["notice"]
    colour: NoticeColour
    names: builtins.list[NoticeName] = Field(min_length=1, max_length=50)
    issued_at: RecordDate | None = None
    # Contract v2: what the notice asks (watchlists/actions.py; none: its colour's
    # default), the authority that owns it (an NCB), and when it stops hitting.
    action: NoticeAction | None = None
    owner: ShortText | None = None
    valid_until: RecordTimestamp | None = None


MODEL = NoticeRecord
