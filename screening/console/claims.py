"""Claiming an alert in the console: `POST /api/alerts/{id}/claim` takes it (or renews
one's own claim), `DELETE` hands it back. A claim says who works the alert, so that two
analysts do not work it at once; steps on an alert another analyst holds are refused
(console/procedure.py). Supervisors may take a claim over (`{"take_over": true}`) and
hand back anyone's. Claims live in Redis (console/room.py), with a TTL that each act of
the holder renews; every act is audited and shown on every page (`claim` events)."""

from __future__ import annotations

import orjson
from aiohttp import web
from redis.exceptions import RedisError

from screening.console.alert_acts import _alert_act
from screening.console.procedure import SUPERVISOR, claimed_error
from screening.console.web import _audit, _console, _error, log


async def claim_alert(request: web.Request) -> web.StreamResponse:
    checked = await _alert_act(request)
    if isinstance(checked, web.Response):
        return checked
    user, alert = checked
    c = _console(request)
    try:
        raw = await request.read()
        body = orjson.loads(raw) if raw.strip() else {}
        take_over = bool(body.get("take_over", False)) if isinstance(body, dict) else False
    except orjson.JSONDecodeError:
        return _error(400, "expected {} or {\"take_over\": true}")
    if take_over and user.role != SUPERVISOR:
        return _error(403, "only a supervisor may take a claim over")
    alert_id = alert["alert_id"]
    if not c.feed.still_open(alert_id):
        return _error(409, "the alert is decided: there is nothing to claim")
    try:
        held, other = await c.room.claim(alert_id, user.name, take_over=take_over)
    except RedisError:
        return _error(503, "the console's store cannot be reached")
    if held is None:
        if other is None:
            return _error(503, "the claim could not be settled: try again")
        return claimed_error(other.analyst)
    ref = f"taken_over_from:{other.analyst}" if other is not None else None
    await _audit(request, "alert_claimed", user.name, alert_id=alert_id,
                 outcome="taken_over" if other is not None else "claimed",
                 site=c.sites.site_of_alert(alert), checkpoint_id=alert.get("checkpoint_id"),
                 ref=ref)
    log.info("alert claimed", extra={"kv": {"alert_id": alert_id, "analyst": user.name,
                                            "taken_over": other is not None}})
    return web.json_response(held.json())


async def release_alert(request: web.Request) -> web.StreamResponse:
    checked = await _alert_act(request)
    if isinstance(checked, web.Response):
        return checked
    user, alert = checked
    c = _console(request)
    alert_id = alert["alert_id"]
    try:
        held = await c.room.holder(alert_id)
        if held is None:
            return _error(404, "the alert is not claimed")
        if held.analyst != user.name and user.role != SUPERVISOR:
            return claimed_error(held.analyst)
        if not await c.room.hand_back(held):
            return _error(409, "the claim changed meanwhile: look again")
    except RedisError:
        return _error(503, "the console's store cannot be reached")
    await _audit(request, "alert_released", user.name, alert_id=alert_id,
                 outcome="released", site=c.sites.site_of_alert(alert),
                 checkpoint_id=alert.get("checkpoint_id"),
                 ref=None if held.analyst == user.name else f"held_by:{held.analyst}")
    return web.json_response({"alert_id": alert_id, "claimed_by": None, "claimed_at": None})
