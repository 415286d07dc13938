"""Every list's record model, and their union (by `list`), from the registry."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, TypeAdapter

from screening.watchlists.base import ListRecord
from screening.watchlists.registry import PACKAGES

MODELS: dict[str, type[ListRecord]] = {
    name: importlib.import_module(f"{package}.record").MODEL for name, package in PACKAGES.items()}

if TYPE_CHECKING:
    WatchlistRecord = ListRecord
else:
    WatchlistRecord = Annotated[Union[tuple(MODELS.values())],  # noqa: UP007
                                Field(discriminator="list")]

RECORD: TypeAdapter[Any] = TypeAdapter(WatchlistRecord)


def model_of(list_name: str) -> type[ListRecord]:
    return MODELS[list_name]
