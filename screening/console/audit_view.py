"""The auditor view: the audit trail searched in the console, for users with the
`auditor` role only, through the code of `screening audit query` (audit/query.py). The
topic is read as the console's principal, which may read it for this view alone
(security/roles.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web
from aiokafka.errors import KafkaError

from screening.console.pages import audit_page
from screening.console.web import (
    _console,
    _csrf,
    _error,
    _html,
    _lang,
    _post_allowed,
    _see_other,
    _session,
    _user,
    log,
)

# How far back the auditor view searches when no "from" is given: a search is one HTTP
# request, and the whole audit (years, a record per scan) is `audit query`'s to read.
AUDIT_DEFAULT_WINDOW = timedelta(hours=24)


async def audit_view(request: web.Request) -> web.StreamResponse:
    """The auditor's page: searches of the audit trail; no alert is ever on it."""
    session, user = await _session(request), await _user(request)
    if session is None or user is None:
        return _see_other("/login")
    if not user.audits:
        return _see_other("/")
    resp = _html("")
    resp.text = audit_page(_lang(request), _csrf(request, resp, session), session.analyst)
    return resp


async def search_audit(request: web.Request) -> web.StreamResponse:
    """The auditor view's search: the criteria of `screening audit query`, by the same
    code (audit/query.py), the audit topic read as the console's principal on behalf of
    an auditor user. A POST with a JSON body: what is searched (a document number, a
    name) never travels in a URL, where logs and histories keep it."""
    from screening.audit.query import BadQuery, build_criteria, parse_time, read_records
    from screening.exceptions import ConfigurationError

    user = await _user(request)
    if user is None:
        return _error(401, "not signed in")
    if not user.audits:
        return _error(403, "the auditor role only")
    if not await _post_allowed(request, request.headers.get("X-CSRF-Token")):
        return _error(403, "csrf")
    if request.content_type != "application/json":
        return _error(415, "expected application/json")
    c = _console(request)
    try:
        body = orjson.loads(await request.read())
        if not isinstance(body, dict):
            raise TypeError
        fields = {k: (str(body[k]).strip()[:200] or None) if body.get(k) is not None else None
                  for k in ("document", "state", "name", "dob", "vin", "plate", "country",
                            "actor", "from", "to")}
        criteria = build_criteria(
            c.settings, document=fields["document"], state=fields["state"],
            name=fields["name"], dob=fields["dob"], vin=fields["vin"], plate=fields["plate"],
            country=fields["country"], actor=fields["actor"],
            since=(parse_time(fields["from"]) if fields["from"]
                   else datetime.now(UTC) - AUDIT_DEFAULT_WINDOW),
            until=parse_time(fields["to"]) if fields["to"] else None)
    except (orjson.JSONDecodeError, TypeError):
        return _error(400, "expected a JSON object of criteria")
    except BadQuery as exc:
        return _error(400, str(exc))
    except ConfigurationError as exc:
        log.error("audit search impossible", extra={"kv": {"error": str(exc)}})
        return _error(503, "no audit key configured")
    limit = c.console.console_audit_max_results
    found: list[dict[str, Any]] = []
    total = 0
    try:
        async for record in read_records(c.settings, criteria, progress=None):
            total += 1
            found.append(record)
            if len(found) > limit:
                found.pop(0)
    except (KafkaError, ConfigurationError) as exc:
        log.error("audit not readable", extra={"kv": {"error": repr(exc)[:300]}})
        return _error(503, "the audit topic cannot be read")
    found.sort(key=lambda r: str(r.get("at", "")), reverse=True)
    log.info("audit searched", extra={"kv": {"auditor": user.name, "matched": total}})
    return web.json_response({"records": found, "matched": total, "shown": len(found)})
