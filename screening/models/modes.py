"""Contract v2 "Modes": the switch between event support and incident response."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from screening.models.common import StrictModel, Timestamp
from screening.models.watchlist import UpdateSignature

Mode = Literal["normal", "incident"]


class ModeChange(StrictModel):
    """On `screening.control` (key `mode`): the last valid one is the mode in force.
    Signed as feed data is (watchlists/signing.py), by a supervisor's key."""

    mode: Mode
    # incident only: which profile (screening/modes/profiles.py); none for normal.
    profile: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    issued_at: Timestamp
    by: Annotated[str, Field(min_length=1, max_length=128)]
    signature: UpdateSignature | None = None


__all__ = ["Mode", "ModeChange"]
