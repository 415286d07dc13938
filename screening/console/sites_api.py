"""`GET /api/sites?checkpoint=ID...`: which site holds each checkpoint, for the work
queue's site filter. The page asks for the checkpoints of the alerts it was sent; the
registry says nothing about alerts, so any signed-in user of alerts may ask."""

from __future__ import annotations

from aiohttp import web

from screening.console.web import _console, _may_see_alerts

# Checkpoints answered per request: a page asks for those its alerts name.
MAX_CHECKPOINTS = 500


async def sites_of_checkpoints(request: web.Request) -> web.StreamResponse:
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    asked = list(dict.fromkeys(request.query.getall("checkpoint", [])))[:MAX_CHECKPOINTS]
    sites = _console(request).sites
    return web.json_response({"sites": {c[:64]: sites.site_of(c[:64]) for c in asked}})
