"""Acts on one alert in the console: opening it and showing its VIN and plate. Each is
checked like every request (signed in, a role that sees alerts, the page's token, the
alert one of the user's sites') and recorded on the audit before anything is sent."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from screening.console.users import User
from screening.console.web import (
    _audit,
    _console,
    _error,
    _may_see_alerts,
    _post_allowed,
    _visible,
    log,
)


async def _alert_act(request: web.Request) -> tuple[User, dict[str, Any]] | web.Response:
    """The checks of an act on one alert: signed in, a role that sees alerts, the
    page's token, and the alert one of the user's sites'."""
    allowed = await _may_see_alerts(request)
    if isinstance(allowed, web.Response):
        return allowed
    if not await _post_allowed(request, request.headers.get("X-CSRF-Token")):
        return _error(403, "csrf")
    c = _console(request)
    alert = c.feed.alert(request.match_info["alert_id"])
    if alert is None or not _visible(c, allowed, alert):
        return _error(404, "unknown alert")
    return allowed, alert


async def view_alert(request: web.Request) -> web.StreamResponse:
    """Opening an alert's detail: recorded (`alert_viewed`) before the detail is sent."""
    checked = await _alert_act(request)
    if isinstance(checked, web.Response):
        return checked
    user, alert = checked
    c = _console(request)
    await _audit(request, "alert_viewed", user.name, alert_id=alert["alert_id"],
                 outcome="ok", site=c.sites.site_of_alert(alert),
                 checkpoint_id=alert["checkpoint_id"])
    return web.json_response({"alert": alert, "decision": c.feed.decision(alert["alert_id"]),
                              "decisions": c.feed.decisions(alert["alert_id"])})


async def unmask_alert(request: web.Request) -> web.StreamResponse:
    """"Show" on an alert: its VINs and plates whole, for a supervisor or an analyst of
    its site, recorded (`unmask`) before anything is sent. Document numbers stay masked:
    alerts carry them masked."""
    checked = await _alert_act(request)
    if isinstance(checked, web.Response):
        return checked
    user, alert = checked
    c = _console(request)
    await _audit(request, "unmask", user.name, alert_id=alert["alert_id"], outcome="console",
                 site=c.sites.site_of_alert(alert), checkpoint_id=alert["checkpoint_id"])
    log.info("alert unmasked", extra={"kv": {"alert_id": alert["alert_id"],
                                             "analyst": user.name}})
    return web.json_response(c.feed.vehicle_ids(alert["alert_id"]))
