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

A false match (`dismissed`) and a hit the owner did not confirm (`not_confirmed`) say
why with a reason code (REASONS); a `critical` confirmation needs two different analysts
(four eyes, console/procedure.py); an analyst may undo their own last step for a few
seconds (`undo_target`, `undo_instruction`). An alert is open until a final step
(FINAL): the console never drops an open alert from its memory.
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


# Steps after which nothing more happens to an alert: it is decided, no longer open.
FINAL: frozenset[str] = frozenset(s for s, after in NEXT.items() if s is not None and not after)

# Why an alert was dismissed or not confirmed: a code a page shows by its label key
# (`reason.<code>`) in its language. `other` needs a note saying what.
REASONS: Mapping[Decision, tuple[str, ...]] = {
    # A false match: what the analyst saw differ, or why the alert needs no work.
    "dismissed": ("different_person", "different_document", "different_vehicle",
                  "record_expired_or_withdrawn", "duplicate_alert", "exercise", "other"),
    # The record's owner answered, or could not be reached while the subject was held.
    "not_confirmed": ("owner_says_no_match", "record_expired_or_withdrawn",
                      "owner_no_answer", "exercise", "other"),
}
NOTE_REASON = "other"
# Steps that need a note, whatever the reason, on alerts of these priorities: one click
# must not wave away a wanted person.
NOTE_REQUIRED: Mapping[Decision, frozenset[str]] = {"dismissed": frozenset({"critical"})}
# The step that needs two different analysts, and for which priorities (four eyes).
FOUR_EYES_STEP: Decision = "confirmed"
FOUR_EYES_PRIORITIES: frozenset[str] = frozenset({"critical"})
# What undoing the first step leaves: the contract has no step back to "raised", and
# an acknowledged alert allows every step a raised one does (but acknowledging again).
UNDONE_TO_RAISED: Decision = "acknowledged"
UNDO_TEXT = ("The operations room withdrew its last decision on this alert: "
             "hold and refer as first told.")


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


def is_open(state: str | None) -> bool:
    """Open: no final step yet (closed, dismissed; not_confirmed goes on to closed)."""
    return state not in FINAL


def reason_problem(decision: str, reason: str | None, note: str) -> str | None:
    """What is wrong with `reason` for `decision`, or None: required for the steps of
    REASONS and one of theirs, refused for others; `other` needs a note."""
    codes = REASONS.get(decision)  # type: ignore[call-overload]
    if codes is None:
        return None if reason is None else f"a reason is given only for {', '.join(REASONS)}"
    if reason is None:
        return f"a reason is needed to mark an alert {decision}: one of {', '.join(codes)}"
    if reason not in codes:
        return f"not a reason for {decision}: one of {', '.join(codes)}"
    if reason == NOTE_REASON and not note.strip():
        return "the reason `other` needs a note saying what"
    return None


def note_problem(decision: str, alert: Mapping[str, Any], note: str) -> str | None:
    """What is missing for `decision` on `alert` (NOTE_REQUIRED), or None."""
    priorities: frozenset[str] = NOTE_REQUIRED.get(decision, frozenset())  # type: ignore[call-overload]
    if alert.get("priority") in priorities and not note.strip():
        verb = "dismiss" if decision == "dismissed" else f"mark as {decision}"
        return f"a note is needed to {verb} a {alert['priority']} alert"
    return None


def needs_four_eyes(decision: str, alert: Mapping[str, Any]) -> bool:
    return decision == FOUR_EYES_STEP and alert.get("priority") in FOUR_EYES_PRIORITIES


def undo_target(decisions: Sequence[Mapping[str, Any]]) -> Decision | None:
    """The step that takes an alert back to where it was before its last step, or None
    when there is nothing to undo (no step; the last one an undo itself; or the only
    step an acknowledgement, which leaves the alert where undoing it would)."""
    if not decisions or decisions[-1].get("undoes"):
        return None
    before = state_of(decisions[:-1])
    if before is None:
        return None if decisions[-1]["decision"] == UNDONE_TO_RAISED else UNDONE_TO_RAISED
    return before  # type: ignore[return-value]


def undo_instruction(undone: str, alert: Mapping[str, Any]) -> Instruction | None:
    """What the gate is told when `undone` is taken back, or None: nothing was told.

    Whatever the undone step told the gate (act on the confirmation, or let the
    traveller go), the gate goes back to what it was told when the alert was raised:
    hold and refer (the alert's own instruction). Never PROCEED: a withdrawn decision
    must not let anyone through, and a withdrawn confirmation still leaves a hit to
    verify."""
    if gate_instruction(undone, alert) is None:
        return None
    return alert.get("instruction") or "REFER_SECONDARY"
