"""A step of the hit procedure taken in the console (`POST /api/decisions`), undone
(`POST /api/alerts/{id}/undo`), and the rules a page needs (`GET /api/procedure`).

The step must follow the alert's state (screening/procedure.py), say why for a false
match or an unconfirmed hit (a reason code), and not be on an alert another analyst has
claimed (console/room.py; supervisors excepted). It is locked in Redis before it is
published, so that of two analysts (on one console or on two replicas) clicking at once
exactly one step leaves each point of the alert's timeline; the decision and the
instruction it sends to the gate are one Kafka transaction (feed.publish_decision). A
step that cannot be published gives its lock back, and the analyst is told to try again.

Four eyes: a critical alert's first `confirmed` is kept in Redis as pending (nothing is
published, nothing reaches the gate); a second, different analyst's `confirmed`
publishes the one decision (`analyst` the first, `second_analyst` the second) with the
gate's instruction.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from redis.exceptions import RedisError

from screening.console.alert_acts import _alert_act
from screening.console.feed import display_decision
from screening.console.users import User
from screening.console.web import (
    _CONTROL,
    PUBLISH_TIMEOUT_S,
    Console,
    _audit,
    _console,
    _error,
    _may_see_alerts,
    _post_allowed,
    _visible,
    log,
)
from screening.models import AlertDecision, InstructionMessage
from screening.procedure import (
    FINAL,
    FOUR_EYES_PRIORITIES,
    FOUR_EYES_STEP,
    NEXT,
    NOTE_REASON,
    NOTE_REQUIRED,
    REASONS,
    TEXT,
    UNDO_TEXT,
    allowed,
    gate_instruction,
    needs_four_eyes,
    note_problem,
    reason_problem,
    state_of,
    undo_instruction,
    undo_target,
)
from screening.security.roles import site_topics

# How long a step's lock is kept: as long as anyone could still act on the alert.
LOCK_TTL_S = 30 * 24 * 3600
SUPERVISOR = "supervisor"


def step_key(prefix: str, alert_id: str, state: str | None, last_ms: int) -> str:
    """One key per point of an alert's timeline (its state and the time of the step that
    led there): the console's own key space. An undone step puts the alert back in an
    earlier state at a new point, so the procedure goes on under a new key, while the
    undone point stays locked for a console that has not read the undo yet."""
    return f"{{console:{prefix}}}:step:{alert_id}:{state or 'raised'}:{last_ms}"


def _point(steps: list[dict[str, Any]]) -> tuple[str | None, int]:
    return state_of(steps), (steps[-1]["decided_ms"] if steps else 0)


def instruction_for(c: Console, decision: AlertDecision, alert: dict[str, Any], role: str,
                    ) -> tuple[str, InstructionMessage] | None:
    """The message and topic that tell the alert's gate of `decision`, or None."""
    text: str | None
    if decision.undoes is not None:
        told, text = undo_instruction(decision.undoes, alert), UNDO_TEXT
    else:
        told, text = gate_instruction(decision.decision, alert), TEXT.get(decision.decision)
    site = c.sites.site_of_alert(alert)
    if told is None:
        return None
    if site is None:  # two sites claim the checkpoint: no gate can be told for sure
        log.warning("instruction not sent: the alert's site is not known",
                    extra={"kv": {"alert_id": decision.alert_id}})
        return None
    exercise = bool(alert.get("exercise"))
    message = InstructionMessage(
        event_id=alert["event_id"], alert_id=decision.alert_id,
        terminal_id=alert["terminal_id"], instruction=told, issued_at=decision.decided_at,
        by=role, text=f"EXERCISE: {text}" if exercise and text else text,
        reference=alert.get("reference"), exercise=exercise)
    return site_topics(c.settings, site).instructions, message


def claimed_error(holder: str) -> web.Response:
    return web.json_response({"error": "claimed", "claimed_by": holder}, status=409)


def _body_text(body: dict[str, Any], key: str) -> str:
    return _CONTROL.sub("", str(body.get(key) or ""))


async def _publish(request: web.Request, c: Console, user: User, alert: dict[str, Any],
                   decision: AlertDecision, lock: str) -> web.Response | dict[str, Any]:
    """Publishes a locked step with its instruction; the lock is given back when the
    step could not be written. Returns the step as shown, with its instruction."""
    instruction = instruction_for(c, decision, alert, decision.role or user.role)
    try:
        await asyncio.wait_for(c.feed.publish_decision(decision, instruction),
                               PUBLISH_TIMEOUT_S)
    except (KafkaError, TimeoutError) as exc:
        log.error("decision not published", extra={"kv": {"alert_id": decision.alert_id,
                                                          "error": repr(exc)}})
        try:
            await c.redis.delete(lock)  # nothing was written: the step may be taken again
        except RedisError:
            log.error("step lock not given back", extra={"kv": {"alert_id": decision.alert_id}})
        return _error(503, "the decisions topic cannot be reached")
    shown = display_decision(decision)
    c.feed.keep_decision(shown)  # this console knows the new state before it reads it back
    site, checkpoint = c.sites.site_of_alert(alert), alert.get("checkpoint_id")
    if instruction is not None:
        await _audit(request, "instruction_sent", user.name, alert_id=decision.alert_id,
                     outcome=instruction[1].instruction, site=site, checkpoint_id=checkpoint)
    return shown | {"instruction": instruction[1].instruction if instruction else None}


async def _lock(c: Console, key: str, value: str) -> bool | web.Response:
    try:
        return bool(await c.redis.set(key, value, nx=True, ex=LOCK_TTL_S))
    except RedisError as exc:
        log.error("step not locked", extra={"kv": {"error": type(exc).__name__}})
        return _error(503, "the console's store cannot be reached")


async def _after_step(c: Console, user: User, alert_id: str, state: str) -> str | None:
    """Claims after a step: a final step ends the claim; otherwise the one who took it
    holds the alert (claimed now if nobody did, renewed if they did). Returns the holder."""
    room = c.room
    if state in FINAL:
        await room.release(alert_id)
        return None
    held, _ = await room.claim(alert_id, user.name)
    if held is not None:
        return held.analyst
    current = await room.holder(alert_id)  # a supervisor's step on another's claim
    return current.analyst if current else None


async def decide(request: web.Request) -> web.StreamResponse:
    """One step of an alert's procedure: checked, locked, published with its
    instruction, audited; shown on every console when read back."""
    c = _console(request)
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    if not await _post_allowed(request, request.headers.get("X-CSRF-Token")):
        return _error(403, "csrf")
    if request.content_type != "application/json":
        return _error(415, "expected application/json")
    try:
        body = orjson.loads(await request.read())
        alert_id, choice = str(body["alert_id"]), str(body["decision"])
        note = _body_text(body, "note")
        reason = str(body["reason"]) if body.get("reason") else None
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error(400, "expected alert_id, decision, reason and note")
    alert = c.feed.alert(alert_id)
    if alert is None or not _visible(c, user, alert):
        return _error(404, "unknown alert")  # another site's is as unknown as none
    try:
        decision = AlertDecision(alert_id=alert_id, decision=choice, analyst=user.name,
                                 decided_at=datetime.now(UTC), note=note, role=user.role,
                                 alert_raised_at=alert.get("raised_at"), reason=reason)
    except ValidationError as exc:
        return _error(400, "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()))
    steps = c.feed.decisions(alert_id)
    state, last_ms = _point(steps)
    if not allowed(state, choice):
        return _error(409, f"not a step after {state or 'raised'}")
    problem = reason_problem(choice, reason, note)
    if problem is not None:
        return _error(400, problem)
    problem = note_problem(choice, alert, note)
    if problem is not None:
        return _error(400, problem)
    room = c.room
    four_eyes = c.console.console_four_eyes and needs_four_eyes(choice, alert)
    try:
        first = await room.proposal(alert_id) if four_eyes else None
        holder = await room.holder(alert_id)
    except RedisError:
        return _error(503, "the console's store cannot be reached")
    seconding = first is not None and first.get("analyst") != user.name
    if (holder is not None and holder.analyst != user.name and user.role != SUPERVISOR
            and not seconding):
        return claimed_error(holder.analyst)
    lock = step_key(c.settings.redis_prefix, alert_id, state, last_ms)
    if four_eyes and first is None:
        try:  # a replica that has not read the step another took from here yet
            taken = await c.redis.exists(lock)
        except RedisError:
            return _error(503, "the console's store cannot be reached")
        if taken:
            return _error(409, "another step was taken on this alert")
        return await _first_confirmation(request, c, user, alert, decision)
    if four_eyes and not seconding:
        return web.json_response({"error": "a second, different analyst must confirm",
                                  "confirmations": [user.name]}, status=409)
    if four_eyes and first is not None:
        decision = decision.model_copy(update={
            "analyst": str(first["analyst"]), "role": first.get("role"),
            "second_analyst": user.name,
            "note": "\n".join(n for n in (str(first.get("note") or ""), note) if n)[:2000]})
    locked = await _lock(c, lock, choice)
    if isinstance(locked, web.Response):
        return locked
    if not locked:
        return _error(409, "another step was taken on this alert")
    shown = await _publish(request, c, user, alert, decision, lock)
    if isinstance(shown, web.Response):
        return shown
    log.info("decision recorded", extra={"kv": {
        "alert_id": alert_id, "decision": choice, "analyst": user.name,
        "reason": reason, "four_eyes": four_eyes, "instruction": shown["instruction"]}})
    await _audit(request, "alert_decided", user.name, alert_id=alert_id, outcome=choice,
                 site=c.sites.site_of_alert(alert), checkpoint_id=alert.get("checkpoint_id"),
                 reason=reason, ref=f"four_eyes:first={first['analyst']}" if first else None)
    try:
        if first is not None or not allowed(choice, FOUR_EYES_STEP):
            await room.withdraw(alert_id)  # confirmed, or no confirmation can follow
        claimed_by = await _after_step(c, user, alert_id, choice)
    except RedisError:
        claimed_by = None  # the step stands; the claim is told when Redis is back
        log.error("claim not updated after a step", extra={"kv": {"alert_id": alert_id}})
    return web.json_response(shown | {"claimed_by": claimed_by}, status=202)


async def _first_confirmation(request: web.Request, c: Console, user: User,
                              alert: dict[str, Any], decision: AlertDecision,
                              ) -> web.StreamResponse:
    """A critical alert's first `confirmed`: kept pending, nothing published."""
    alert_id = alert["alert_id"]
    entry = {"analyst": user.name, "role": user.role, "note": decision.note,
             "at": decision.decided_at.isoformat()}
    try:
        other = await c.room.propose(alert_id, entry)
        if other is not None:  # another analyst's first confirmation came first
            return web.json_response({"error": "a confirmation is already pending: confirm "
                                               "again as the second analyst",
                                      "confirmations": [other.get("analyst")]}, status=409)
        await _after_step(c, user, alert_id, FOUR_EYES_STEP)
    except RedisError:
        return _error(503, "the console's store cannot be reached")
    log.info("confirmation pending", extra={"kv": {"alert_id": alert_id,
                                                   "analyst": user.name}})
    await _audit(request, "confirmation_pending", user.name, alert_id=alert_id,
                 outcome="pending", site=c.sites.site_of_alert(alert),
                 checkpoint_id=alert.get("checkpoint_id"))
    return web.json_response({"alert_id": alert_id, "pending": True,
                              "confirmations": [user.name]}, status=202)


async def undo(request: web.Request) -> web.StreamResponse:
    """POST /api/alerts/{alert_id}/undo: the analyst's own last step taken back, within
    console_undo_window_s; the gate told again to hold when the step had told it
    something. A pending first confirmation of theirs is withdrawn (nothing was sent)."""
    checked = await _alert_act(request)
    if isinstance(checked, web.Response):
        return checked
    user, alert = checked
    c = _console(request)
    alert_id = alert["alert_id"]
    site, checkpoint = c.sites.site_of_alert(alert), alert.get("checkpoint_id")
    try:
        first = await c.room.proposal(alert_id)
        if first is not None and first.get("analyst") == user.name:
            await c.room.withdraw(alert_id)
            await _audit(request, "decision_undone", user.name, alert_id=alert_id,
                         outcome="confirmation_withdrawn", site=site,
                         checkpoint_id=checkpoint)
            return web.json_response({"alert_id": alert_id, "pending": False,
                                      "confirmations": [], "undoes": FOUR_EYES_STEP})
    except RedisError:
        return _error(503, "the console's store cannot be reached")
    steps = c.feed.decisions(alert_id)
    if not steps:
        return _error(409, "nothing to undo")
    last = steps[-1]
    if user.name not in (last["analyst"], last.get("second_analyst")):
        return _error(409, "only the analyst who took the last step may undo it")
    window_s = c.console.console_undo_window_s
    age_s = datetime.now(UTC).timestamp() - last["decided_ms"] / 1000
    if age_s > window_s:
        return _error(409, f"too late: a step can be undone within {window_s:g} s")
    target = undo_target(steps)
    if target is None:
        return _error(409, "nothing to undo")
    state, last_ms = _point(steps)
    lock = step_key(c.settings.redis_prefix, alert_id, state, last_ms)
    locked = await _lock(c, lock, "undo")
    if isinstance(locked, web.Response):
        return locked
    if not locked:
        return _error(409, "another step was taken on this alert")
    decision = AlertDecision(alert_id=alert_id, decision=target, analyst=user.name,
                             decided_at=datetime.now(UTC), role=user.role,
                             alert_raised_at=alert.get("raised_at"), undoes=last["decision"])
    shown = await _publish(request, c, user, alert, decision, lock)
    if isinstance(shown, web.Response):
        return shown
    log.info("decision undone", extra={"kv": {"alert_id": alert_id, "undone": last["decision"],
                                              "analyst": user.name,
                                              "instruction": shown["instruction"]}})
    await _audit(request, "decision_undone", user.name, alert_id=alert_id,
                 outcome=f"{last['decision']}->{target}", site=site, checkpoint_id=checkpoint)
    try:
        claimed_by = await _after_step(c, user, alert_id, target)
    except RedisError:
        claimed_by = None
    return web.json_response(shown | {"claimed_by": claimed_by}, status=202)


async def procedure_rules(request: web.Request) -> web.StreamResponse:
    """GET /api/procedure: what a page needs to offer the right steps and ask for what
    the server will require (docs/console-api.md)."""
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    console = _console(request).console
    return web.json_response({
        "next": {state or "raised": list(steps) for state, steps in NEXT.items()},
        "final": sorted(FINAL),
        "reasons": {decision: [{"code": code, "label_key": f"reason.{code}",
                                "needs_note": code == NOTE_REASON} for code in codes]
                    for decision, codes in REASONS.items()},
        "note_required": {step: sorted(priorities)
                          for step, priorities in NOTE_REQUIRED.items()},
        "four_eyes": {"enabled": console.console_four_eyes, "step": FOUR_EYES_STEP,
                      "priorities": sorted(FOUR_EYES_PRIORITIES)},
        "undo_window_s": console.console_undo_window_s,
        "claim_ttl_s": console.console_claim_ttl_s,
    })
