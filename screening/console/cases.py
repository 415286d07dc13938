"""Cases in the console: the sightings of one record (or one correlated document,
person or plate) grouped by the alerts' `case_id` (screening/correlation/cases.py).

`GET /api/cases`: the open cases (at least one alert of theirs open) among the alerts
this console holds that the user may see, with what a room needs at a glance: how often
and where the subject was seen, the highest priority, the open alerts. `GET
/api/cases/{case_id}`: a case's timeline, each sighting with its time, site, checkpoint,
terminal, what the gate was told and the steps taken on it; recorded on the audit
(`case_viewed`). A case is what the user may see of it: another site's sightings are
neither listed nor counted. It covers the alerts the console holds: every open one and
the newest decided ones (console_max_alerts).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiohttp import web

from screening.console.users import User
from screening.console.web import Console, _audit, _console, _error, _may_see_alerts, _visible
from screening.procedure import state_of

PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _cases(c: Console, user: User) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in c.feed.alerts():
        if alert.get("case_id") and _visible(c, user, alert):
            grouped[alert["case_id"]].append(alert)
    return grouped


def summary(c: Console, case_id: str, alerts: list[dict[str, Any]]) -> dict[str, Any]:
    alerts = sorted(alerts, key=lambda a: a["raised_ms"])
    hit = alerts[-1].get("hit") or {}
    open_ids = [a["alert_id"] for a in alerts if c.feed.still_open(a["alert_id"])]
    return {
        "case_id": case_id,
        "kind": alerts[-1].get("kind", "watchlist"),
        "list": hit.get("list"), "record_id": hit.get("record_id"),
        "category": hit.get("category"),
        "sightings": len(alerts),
        "first_seen": alerts[0]["raised_at"], "last_seen": alerts[-1]["raised_at"],
        "last_seen_ms": alerts[-1]["raised_ms"],
        "checkpoints": sorted({a["checkpoint_id"] for a in alerts}),
        "sites": sorted({s for a in alerts if (s := c.sites.site_of_alert(a)) is not None}),
        "priority": min((a["priority"] for a in alerts), key=lambda p: PRIORITY_RANK.get(p, 9)),
        "open_alerts": open_ids,
    }


async def open_cases(request: web.Request) -> web.StreamResponse:
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    c = _console(request)
    cases = [summary(c, case_id, alerts) for case_id, alerts in _cases(c, user).items()]
    cases = [s for s in cases if s["open_alerts"]]
    cases.sort(key=lambda s: (PRIORITY_RANK.get(s["priority"], 9), -s["last_seen_ms"]))
    return web.json_response({"cases": cases})


async def case_timeline(request: web.Request) -> web.StreamResponse:
    user = await _may_see_alerts(request)
    if isinstance(user, web.Response):
        return user
    c = _console(request)
    case_id = request.match_info["case_id"]
    alerts = [a for a in c.feed.alerts()
              if a.get("case_id") == case_id and _visible(c, user, a)]
    if not alerts:
        return _error(404, "unknown case")  # another site's is as unknown as none
    alerts.sort(key=lambda a: a["raised_ms"])
    sightings = []
    for a in alerts:
        steps = c.feed.decisions(a["alert_id"])
        sightings.append({
            "alert_id": a["alert_id"], "raised_at": a["raised_at"], "raised_ms": a["raised_ms"],
            "site": c.sites.site_of_alert(a), "checkpoint_id": a["checkpoint_id"],
            "terminal_id": a["terminal_id"], "priority": a["priority"],
            "kind": a.get("kind", "watchlist"), "tier": a.get("tier"),
            "instruction": a.get("instruction"), "reference": a.get("reference"),
            "score": (a.get("hit") or {}).get("score"),
            "state": state_of(steps), "open": c.feed.still_open(a["alert_id"]),
            "steps": steps})
    await _audit(request, "case_viewed", user.name, outcome=f"{len(sightings)} sightings",
                 ref=case_id)
    return web.json_response(summary(c, case_id, alerts) | {"timeline": sightings})
