"""The hit procedure's steps and what each tells the gate (screening/procedure.py)."""

from __future__ import annotations

import pytest

from screening.procedure import NEXT, allowed, gate_instruction, state_of

WALK = ["acknowledged", "verification_requested", "confirmed", "action_taken", "closed"]


def test_the_walk_through_is_allowed_step_by_step() -> None:
    state = None
    for step in WALK:
        assert allowed(state, step), (state, step)
        state = step
    assert NEXT[state] == ()


@pytest.mark.parametrize(("state", "step"), [
    ("closed", "acknowledged"), ("dismissed", "confirmed"), ("confirmed", "dismissed"),
    ("confirmed", "confirmed"), ("not_confirmed", "action_taken"), (None, "closed"),
    (None, "action_taken"), ("acknowledged", "acknowledged"), ("acknowledged", "maybe")])
def test_steps_out_of_order_are_refused(state: str | None, step: str) -> None:
    assert not allowed(state, step)


def test_the_state_is_the_last_step() -> None:
    assert state_of([]) is None
    assert state_of([{"decision": "acknowledged"}, {"decision": "confirmed"}]) == "confirmed"


@pytest.mark.parametrize(("told", "step", "sent"), [
    ("SEIZE_DOCUMENT", "confirmed", "SEIZE_DOCUMENT"),
    ("HOLD_VEHICLE", "confirmed", "HOLD_VEHICLE"),
    ("REFER_SECONDARY", "confirmed", "REFER_SECONDARY"),
    ("PROTECT_PERSON", "confirmed", "PROTECT_PERSON"),
    ("REFER_SECONDARY", "not_confirmed", "PROCEED"),
    ("SEIZE_DOCUMENT", "dismissed", "PROCEED"),
    ("REFER_SECONDARY", "acknowledged", None),
    ("REFER_SECONDARY", "verification_requested", None),
    ("REFER_SECONDARY", "action_taken", None),
    ("REFER_SECONDARY", "closed", None),
    # The subject went on: nothing on the gate's screen may tell them of the check.
    ("DISCREET_CHECK", "confirmed", None),
    ("DISCREET_CHECK", "dismissed", None),
    ("PROCEED", "confirmed", None),
])
def test_what_the_gate_is_told(told: str, step: str, sent: str | None) -> None:
    assert gate_instruction(step, {"instruction": told, "kind": "watchlist"}) == sent


def test_possible_matches_and_pattern_alerts_send_nothing_to_a_gate() -> None:
    assert gate_instruction("confirmed", {"instruction": "PROCEED", "tier": "possible"}) is None
    assert gate_instruction("confirmed", {"instruction": "REFER_SECONDARY",
                                          "kind": "correlation"}) is None
    assert gate_instruction("dismissed", {"instruction": "REFER_SECONDARY",
                                          "kind": "retroactive"}) is None
