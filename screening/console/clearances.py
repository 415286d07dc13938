"""Namesake clearances in the console (screening/clearance.py): an analyst who dismissed a
name match clears that traveller against that record until a chosen time; supervisors
list the clearances in force and revoke them. Every act is audited before it is
answered, and no personal data is shown: a clearance names its person by digest, its
record by id, and the alert it came from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web
from redis.exceptions import RedisError

from screening.clearance import Clearances, clearable, field_of
from screening.console.alert_acts import _alert_act
from screening.console.web import (
    _CONTROL,
    _audit,
    _console,
    _error,
    _may_see_alerts,
    _post_allowed,
    log,
)
from screening.procedure import state_of

# The longest a clearance may last: a major event's length.
MAX_HOURS = 30 * 24


def _store(request: web.Request) -> Clearances:
    c = _console(request)
    return Clearances(c.redis, c.settings.redis_prefix)


async def clear_namesake(request: web.Request) -> web.StreamResponse:
    """POST /api/alerts/{alert_id}/clear {hours, note}: the alert must be a name match,
    dismissed (a false match) by the procedure."""
    checked = await _alert_act(request)
    if isinstance(checked, web.Response):
        return checked
    user, alert = checked
    c = _console(request)
    try:
        body = orjson.loads(await request.read())
        hours = float(body["hours"])
        note = _CONTROL.sub("", str(body.get("note", "")))[:500]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return _error(400, "expected hours and note")
    if not 0 < hours <= MAX_HOURS:
        return _error(400, f"hours: more than 0 and at most {MAX_HOURS}")
    if not clearable(alert):
        return _error(409, "only a traveller's name match can be cleared")
    if state_of(c.feed.decisions(alert["alert_id"])) != "dismissed":
        return _error(409, "dismiss the alert as a false match first")
    now = datetime.now(UTC)
    until = now + timedelta(hours=hours)
    hit = alert["hit"]
    field = field_of(alert["subject_key"], hit["list"], hit["record_id"])
    site = c.sites.site_of_alert(alert)
    await _audit(request, "namesake_cleared", user.name, alert_id=alert["alert_id"],
                 outcome=f"until {until.isoformat(timespec='seconds')}", site=site,
                 checkpoint_id=alert["checkpoint_id"])
    try:
        await _store(request).grant(field, {
            "until": until.isoformat(), "by": user.name, "role": user.role,
            "alert_id": alert["alert_id"], "at": now.isoformat(), "note": note})
    except RedisError as exc:
        log.error("clearance not written", extra={"kv": {"alert_id": alert["alert_id"],
                                                         "error": type(exc).__name__}})
        return _error(503, "the clearances cannot be written")
    log.info("namesake cleared", extra={"kv": {"alert_id": alert["alert_id"],
                                               "analyst": user.name, "hours": hours}})
    return web.json_response({"field": field, "until": until.isoformat()}, status=201)


async def _supervisor(request: web.Request) -> Any:
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    if user.role != "supervisor":
        return _error(403, "supervisors only")
    return user


async def list_clearances(request: web.Request) -> web.StreamResponse:
    user = await _supervisor(request)
    if isinstance(user, web.Response):
        return user
    try:
        listed = await _store(request).listed(datetime.now(UTC))
    except RedisError:
        return _error(503, "the clearances cannot be read")
    return web.json_response({"clearances": listed})


async def revoke_clearance(request: web.Request) -> web.StreamResponse:
    user = await _supervisor(request)
    if isinstance(user, web.Response):
        return user
    if not await _post_allowed(request, request.headers.get("X-CSRF-Token")):
        return _error(403, "csrf")
    try:
        field = str(orjson.loads(await request.read())["field"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error(400, "expected field")
    if field.count("|") < 2 or len(field) > 300:
        return _error(400, "not a clearance")
    alert_id = None
    try:
        store = _store(request)
        entry = next((e for e in await store.listed(datetime.now(UTC))
                      if e["field"] == field), None)
        if entry is None:
            return _error(404, "no such clearance in force")
        alert_id = entry.get("alert_id")
        await _audit(request, "clearance_revoked", user.name, alert_id=alert_id,
                     outcome="revoked")
        await store.revoke(field)
    except RedisError:
        return _error(503, "the clearances cannot be written")
    log.info("clearance revoked", extra={"kv": {"alert_id": alert_id, "by": user.name}})
    return web.json_response({"revoked": field})
