"""The hit procedure (contract v2): which step may follow which, and what the gate is told.

A hit is a lead that the record's owner must verify before anyone acts on it:

    (raised) → acknowledged → verification_requested → confirmed | not_confirmed
             → action_taken → closed;  dismissed (a false match) from any open step.

Acknowledging is optional (an analyst may confirm a record they can verify themselves,
as v1's console did) but every step is one decision on `screening.alert-decisions`,
attributable (analyst, role, time) and audited. Of these steps, three matter to the
officer still waiting at the gate: `confirmed` (act on the record: the alert's own
instruction), `not_confirmed` and `dismissed` (let the traveller go). The console sends
that instruction in the same Kafka transaction as the decision (console/procedure.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from screening.models import Decision, Instruction

# The steps that may follow each state; None: the alert as raised, no decision yet.
NEXT: Mapping[str | None, tuple[Decision, ...]] = {
    None: ("acknowledged", "verification_requested", "confirmed", "not_confirmed",
           "dismissed"),
    "acknowledged": ("verification_requested", "confirmed", "not_confirmed", "dismissed"),
    "verification_requested": ("confirmed", "not_confirmed", "dismissed"),
    "confirmed": ("action_taken", "closed"),
    "not_confirmed": ("closed",),
    "action_taken": ("closed",),
    "dismissed": (),
    "closed": (),
}
# Instructions after which the gate has nothing left to hear: the subject went on.
_LET_PASS: frozenset[str] = frozenset({"PROCEED", "DISCREET_CHECK"})
TEXT: Mapping[str, str] = {
    "confirmed": "Hit confirmed by the operations room: act on it.",
    "not_confirmed": "Hit not confirmed by the record's owner: the traveller may proceed.",
    "dismissed": "False match: the traveller may proceed.",
}


STEPS: frozenset[str] = frozenset(NEXT[None]) | {s for steps in NEXT.values() for s in steps}


def state_of(decisions: Sequence[Mapping[str, Any]]) -> str | None:
    """The state an alert is in after its decisions (in the order they were taken)."""
    return str(decisions[-1]["decision"]) if decisions else None


def allowed(state: str | None, decision: str) -> bool:
    return decision in NEXT.get(state, ())


def gate_instruction(decision: str, alert: Mapping[str, Any]) -> Instruction | None:
    """What the gate is told after `decision` on `alert`, or None: nothing to tell.

    Confirmed: the alert's own instruction (seize, hold, protect, refer). Not confirmed
    or dismissed: PROCEED, to a gate that was told to hold the traveller. A gate that let
    the subject through (PROCEED for a possible match, DISCREET_CHECK) hears nothing:
    the subject is gone, and an instruction on its screen would tell them; nor does a
    gate for a correlation or retroactive alert, whose scans are not waiting."""
    told: Instruction = alert.get("instruction") or "REFER_SECONDARY"
    if told in _LET_PASS or alert.get("tier") == "possible" or alert.get(
            "kind", "watchlist") != "watchlist":
        return None
    if decision == "confirmed":
        return told
    if decision in ("not_confirmed", "dismissed"):
        return "PROCEED"
    return None
