"""The edge's HTTPS routes (aiohttp, as the analysts' console: one HTTP stack in the
project, already a dependency, and asyncio-native like the Kafka clients it shares a
loop with).

Access is logged by us, one line a request: method, path, status, terminal and time;
never a body (scans are personal data) nor a token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from screening.edge.limits import RateLimiter
from screening.edge.openapi import openapi
from screening.edge.service import OFFLINE, Edge, Reply, error
from screening.edge.terminals import (
    SUPERVISOR_ROLE,
    TERMINAL_ROLE,
    Terminal,
    TerminalRegistry,
)
from screening.logs import kv
from screening.metrics import EdgeMetrics
from screening.models import ScanKind

log = logging.getLogger("screening.edge.access")
# A body must arrive within this many seconds (a slow sender holds a connection).
BODY_TIMEOUT_S = 5.0
EDGE: web.AppKey[Edge] = web.AppKey("edge", Edge)
TERMINALS: web.AppKey[TerminalRegistry] = web.AppKey("terminals", TerminalRegistry)
LIMITER: web.AppKey[RateLimiter] = web.AppKey("limiter", RateLimiter)
METRICS: web.AppKey[EdgeMetrics] = web.AppKey("metrics", EdgeMetrics)
TERMINAL: web.RequestKey[Terminal] = web.RequestKey("terminal", Terminal)
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# Longest long poll of GET /v1/instructions (`wait`), in seconds.
MAX_WAIT_S = 30.0
STATIC = Path(__file__).with_name("static")
# The local page: its own script only, nothing from elsewhere, never framed.
PAGE_HEADERS = {**HEADERS, "Content-Security-Policy":
                "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                "connect-src 'self'; frame-ancestors 'none'", "X-Frame-Options": "DENY"}


def _json(reply: Reply) -> web.Response:
    body = reply.raw if reply.raw is not None else orjson.dumps(reply.body)
    return web.Response(body=body, status=reply.status,
                        content_type="application/json", headers={**HEADERS, **reply.headers})


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


@web.middleware
async def access_log(request: web.Request,
                     handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
    started = time.monotonic()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        route = request.match_info.route.resource
        request.app[METRICS].requests.labels(
            route.canonical if route is not None else "other", str(status)).inc()
        terminal = request.get(TERMINAL)
        log.info("request", extra=kv(
            method=request.method, path=request.path, status=status,
            terminal=terminal.terminal_id if terminal else "-",
            ms=round((time.monotonic() - started) * 1000, 1)))


def _peer_cert(request: web.Request) -> tuple[list[str], bytes] | None:
    """The client certificate the TLS handshake verified (its subjectAltName URIs and
    DER bytes); None when the client sent none."""
    transport = request.transport
    tls = transport.get_extra_info("ssl_object") if transport is not None else None
    if tls is None:
        return None
    der = tls.getpeercert(binary_form=True)
    if not der:
        return None
    parsed = tls.getpeercert() or {}
    return [value for kind, value in parsed.get("subjectAltName", ()) if kind == "URI"], der


def _authenticate(request: web.Request, role: str = TERMINAL_ROLE) -> Terminal | Reply:
    """The terminal (or supervisor) of the bearer token or, without one, of the client
    certificate; a refusal when there is none or it has another role than `role`."""
    token = _bearer(request)
    terminals = request.app[TERMINALS]
    cert = _peer_cert(request) if token is None else None
    if token is not None:
        terminal = terminals.authenticate(token)
        refused = error(401, "INVALID_TOKEN", "unknown or revoked token")
    elif cert is not None:
        terminal = terminals.authenticate_cert(*cert)
        refused = error(401, "INVALID_CERTIFICATE", "the client certificate is not a "
                        "terminal's of this site, or not its current one, or revoked")
    else:
        terminal = None
        refused = error(401, "UNAUTHENTICATED",
                        "a terminal token (Bearer) or client certificate is needed")
    if terminal is not None:
        request[TERMINAL] = terminal
        if terminal.role != role:
            return error(403, "WRONG_ROLE", f"this needs a {role}'s token or certificate")
        return terminal
    return Reply(refused.status, refused.body, {"WWW-Authenticate": 'Bearer realm="edge"'})


def _since(request: web.Request) -> int | Reply:
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        return error(400, "INVALID_FIELD", "since: an integer (the `next` of the last answer)")
    return max(0, since)


def scan_handler(kind: ScanKind) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        who = _authenticate(request)
        if isinstance(who, Reply):
            return _json(who)
        wait = request.app[LIMITER].take(who.terminal_id)
        if wait > 0:
            reply = error(429, "RATE_LIMITED", "too many scans from this terminal")
            return _json(Reply(429, reply.body, {"Retry-After": RateLimiter.retry_after(wait)}))
        edge = request.app[EDGE]
        limit = edge.settings.max_scan_bytes
        if request.content_length is not None and request.content_length > limit:
            return _json(error(413, "TOO_LARGE", f"a scan is at most {limit} bytes"))
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _json(error(413, "TOO_LARGE", f"a scan is at most {limit} bytes"))
        except TimeoutError:
            return _json(error(408, "BODY_TIMEOUT", "the body did not arrive in time"))
        began = time.monotonic()
        reply = await edge.scan(kind, who, raw)
        if reply.status == 200:
            source = "offline" if OFFLINE in reply.body.get("warnings", ()) else "central"
            metrics = request.app[METRICS]
            metrics.answers.labels(source, str(reply.body.get("outcome"))).inc()
            metrics.latency.labels(source).observe(time.monotonic() - began)
        return _json(reply)

    return handle


async def instructions(request: web.Request) -> web.Response:
    """The terminal's own instructions after `since` (long poll: up to `wait` seconds
    for one when there is none yet)."""
    who = _authenticate(request)
    if isinstance(who, Reply):
        return _json(who)
    since = _since(request)
    if isinstance(since, Reply):
        return _json(since)
    try:
        wait = min(MAX_WAIT_S, max(0.0, float(request.query.get("wait", "0"))))
    except ValueError:
        return _json(error(400, "INVALID_FIELD", f"wait: seconds, at most {MAX_WAIT_S:g}"))
    found, next_ = await request.app[EDGE].instructions(who.terminal_id, since, wait)
    return _json(Reply(200, {"instructions": found, "next": next_}))


async def alerts(request: web.Request) -> web.Response:
    """The site's local alerts (raised from the snapshot while offline): supervisors."""
    who = _authenticate(request, SUPERVISOR_ROLE)
    if isinstance(who, Reply):
        return _json(who)
    since = _since(request)
    if isinstance(since, Reply):
        return _json(since)
    found, next_ = await request.app[EDGE].alerts(since)
    return _json(Reply(200, {"alerts": found, "next": next_}))


def static_file(name: str, content_type: str
                ) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The local alerts page and its script: the page asks for the supervisor's token
    (kept in the tab's session storage only) and shows GET /v1/alerts."""
    body = (STATIC / name).read_bytes()

    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, headers=PAGE_HEADERS)

    return handle


async def health(request: web.Request) -> web.Response:
    return _json(Reply(200, await request.app[EDGE].health()))


async def metrics_text(request: web.Request) -> web.Response:
    """Prometheus text; the gauges read when scraped. No personal data in any label."""
    metrics, health_now = request.app[METRICS], await request.app[EDGE].health()
    metrics.link_up.set(1 if health_now["site_link"] == "up" else 0)
    for state, n in health_now["stored"].items():
        metrics.stored.labels(state).set(n)
    return web.Response(body=generate_latest(metrics.registry),
                        headers={"Content-Type": CONTENT_TYPE_LATEST})


def make_app(edge: Edge, terminals: TerminalRegistry, limiter: RateLimiter,
             metrics: EdgeMetrics | None = None) -> web.Application:
    # client_max_size: aiohttp refuses a larger body (also a chunked one) while reading.
    app = web.Application(middlewares=[access_log],
                          client_max_size=edge.settings.max_scan_bytes)
    app[EDGE] = edge
    app[TERMINALS] = terminals
    app[LIMITER] = limiter
    app[METRICS] = metrics or EdgeMetrics.create()
    document = orjson.dumps(openapi())

    async def openapi_json(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json", headers=HEADERS)

    app.router.add_post("/v1/scans/traveller", scan_handler("traveller"))
    app.router.add_post("/v1/scans/vehicle", scan_handler("vehicle"))
    app.router.add_get("/v1/instructions", instructions)
    app.router.add_get("/v1/alerts", alerts)
    app.router.add_get("/alerts", static_file("alerts.html", "text/html"))
    app.router.add_get("/alerts.js", static_file("alerts.js", "text/javascript"))
    app.router.add_get("/v1/health", health)
    app.router.add_get("/v1/openapi.json", openapi_json)
    app.router.add_get("/metrics", metrics_text)
    return app


