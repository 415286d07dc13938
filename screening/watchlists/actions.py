"""What a record asks of the gate (contract v2, "Instructions to the gate"), for every list.

A record may name an `action`; notices `arrest`, `locate`, `discreet_check`,
`specific_check`, `protect` (a missing or vulnerable person: do not alarm) or `inform`;
SLTD and SMV `seize` or `inform`; event lists any of these and `refuse_entry`. The gate
is told the instruction the action comes to; a record without one gets its list's
default (a notice's follows its colour). Past `valid_until` a record no longer hits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from screening.models import Instruction, Priority

NoticeAction = Literal["arrest", "locate", "discreet_check", "specific_check", "protect",
                       "inform"]
PropertyAction = Literal["seize", "inform"]
EventAction = Literal["arrest", "locate", "discreet_check", "specific_check", "protect",
                      "inform", "seize", "refuse_entry"]

# `seize` is the list's own (a document seized, a vehicle held): see instruction_for.
INSTRUCTION: dict[str, Instruction] = {
    "arrest": "REFER_SECONDARY", "specific_check": "REFER_SECONDARY",
    "refuse_entry": "REFER_SECONDARY", "locate": "DISCREET_CHECK",
    "discreet_check": "DISCREET_CHECK", "inform": "DISCREET_CHECK",
    "protect": "PROTECT_PERSON"}
PRIORITY: dict[str, Priority] = {
    "arrest": "critical", "protect": "high", "refuse_entry": "high", "specific_check": "high",
    "seize": "high", "locate": "medium", "discreet_check": "medium", "inform": "low"}


def instruction_for(action: str | None, default: Instruction,
                    seize: Instruction) -> Instruction:
    """The gate's instruction for a record's action (`default` when it names none)."""
    if not action:
        return default
    if action == "seize":
        return seize
    return INSTRUCTION.get(action, default)


def lapsed(valid_until: str | None, now: datetime) -> bool:
    """Past the record's `valid_until` (as its JSON has it): it no longer hits."""
    return bool(valid_until) and datetime.fromisoformat(str(valid_until)) <= now


_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


def moment_text(when: datetime | None) -> str:
    """A time as a compact layout stores it: whole seconds since 1900, base 36."""
    if when is None:
        return ""
    return b36(max(0, int((when - _EPOCH).total_seconds())))


def moment_of(text: str) -> str | None:
    """moment_text back into the ISO time a record's JSON has."""
    if not text:
        return None
    return (_EPOCH + timedelta(seconds=int(text, 36))).isoformat().replace("+00:00", "Z")


def b36(n: int) -> str:
    """n in base 36, lower case (what int(text, 36) reads back)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out
