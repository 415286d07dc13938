"""A step of the hit procedure taken in the console (`POST /api/decisions`).

The step must follow the alert's state (screening/procedure.py); it is claimed in Redis
before it is published, so that of two analysts (on one console or on two replicas)
clicking at once exactly one step leaves each state; the decision and the instruction it
sends to the gate are one Kafka transaction (feed.publish_decision). A step that cannot
be published gives its claim back, and the analyst is told to try again.
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

from screening.console.feed import display_decision
from screening.console.web import (
    _CONTROL,
    PUBLISH_TIMEOUT_S,
    _audit,
    _console,
    _error,
    _may_see_alerts,
    _post_allowed,
    _visible,
    log,
)
from screening.models import AlertDecision, InstructionMessage
from screening.procedure import TEXT, allowed, gate_instruction, state_of
from screening.security.roles import site_topics

# How long a claim on a step is kept: as long as anyone could still act on the alert.
CLAIM_TTL_S = 30 * 24 * 3600


def claim_key(prefix: str, alert_id: str, state: str | None) -> str:
    """One key per (alert, state left): the console's own key space."""
    return f"{{console:{prefix}}}:step:{alert_id}:{state or 'raised'}"


def instruction_for(c: Any, decision: AlertDecision, alert: dict[str, Any],
                    role: str) -> tuple[str, InstructionMessage] | None:
    """The message and topic that tell the alert's gate of `decision`, or None."""
    told = gate_instruction(decision.decision, alert)
    site = c.sites.site_of_alert(alert)
    if told is None:
        return None
    if site is None:  # two sites claim the checkpoint: no gate can be told for sure
        log.warning("instruction not sent: the alert's site is not known",
                    extra={"kv": {"alert_id": decision.alert_id}})
        return None
    exercise = bool(alert.get("exercise"))
    text = TEXT.get(decision.decision)
    message = InstructionMessage(
        event_id=alert["event_id"], alert_id=decision.alert_id,
        terminal_id=alert["terminal_id"], instruction=told, issued_at=decision.decided_at,
        by=role, text=f"EXERCISE: {text}" if exercise and text else text,
        reference=alert.get("reference"), exercise=exercise)
    return site_topics(c.settings, site).instructions, message


async def decide(request: web.Request) -> web.StreamResponse:
    """One step of an alert's procedure: checked, claimed, published with its
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
        note = _CONTROL.sub("", str(body.get("note", "")))
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error(400, "expected alert_id, decision and note")
    alert = c.feed.alert(alert_id)
    if alert is None or not _visible(c, user, alert):
        return _error(404, "unknown alert")  # another site's is as unknown as none
    try:
        decision = AlertDecision(alert_id=alert_id, decision=choice, analyst=user.name,
                                 decided_at=datetime.now(UTC), note=note, role=user.role,
                                 alert_raised_at=alert.get("raised_at"))
    except ValidationError as exc:
        return _error(400, "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()))
    state = state_of(c.feed.decisions(alert_id))
    if not allowed(state, choice):
        return _error(409, f"not a step after {state or 'raised'}")
    if choice == "dismissed" and alert.get("priority") == "critical" and not note.strip():
        # One click must not wave away a wanted person: say why it is a false match.
        return _error(400, "a note is needed to dismiss a critical alert")
    key = claim_key(c.settings.redis_prefix, alert_id, state)
    try:
        if not await c.redis.set(key, choice, nx=True, ex=CLAIM_TTL_S):
            return _error(409, "another step was taken on this alert")
    except RedisError as exc:
        log.error("step not claimed", extra={"kv": {"alert_id": alert_id,
                                                   "error": type(exc).__name__}})
        return _error(503, "the console's store cannot be reached")
    instruction = instruction_for(c, decision, alert, user.role)
    try:
        await asyncio.wait_for(c.feed.publish_decision(decision, instruction),
                               PUBLISH_TIMEOUT_S)
    except (KafkaError, TimeoutError) as exc:
        log.error("decision not published", extra={"kv": {"alert_id": alert_id,
                                                          "error": repr(exc)}})
        try:
            await c.redis.delete(key)  # nothing was written: the step may be taken again
        except RedisError:
            log.error("step claim not given back", extra={"kv": {"alert_id": alert_id}})
        return _error(503, "the decisions topic cannot be reached")
    shown = display_decision(decision)
    c.feed.keep_decision(shown)  # this console knows the new state before it reads it back
    log.info("decision recorded", extra={"kv": {
        "alert_id": alert_id, "decision": choice, "analyst": user.name,
        "instruction": instruction[1].instruction if instruction else None}})
    await _audit(request, "alert_decided", user.name, alert_id=alert_id, outcome=choice,
                 site=c.sites.site_of_alert(alert), checkpoint_id=alert.get("checkpoint_id"))
    if instruction is not None:
        await _audit(request, "instruction_sent", user.name, alert_id=alert_id,
                     outcome=instruction[1].instruction, site=c.sites.site_of_alert(alert),
                     checkpoint_id=alert.get("checkpoint_id"))
    return web.json_response(shown | {"instruction": instruction[1].instruction
                                      if instruction else None}, status=202)
