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

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from screening.edge.limits import RateLimiter
from screening.edge.openapi import openapi
from screening.edge.service import OFFLINE, Edge, Reply, error
from screening.edge.terminals import Terminal, TerminalRegistry
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


def _json(reply: Reply) -> web.Response:
    return web.Response(body=orjson.dumps(reply.body), status=reply.status,
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


def _authenticate(request: web.Request) -> Terminal | Reply:
    token = _bearer(request)
    if token is None:
        reply = error(401, "UNAUTHENTICATED", "a terminal token is needed (Bearer)")
    else:
        terminal = request.app[TERMINALS].authenticate(token)
        if terminal is not None:
            request[TERMINAL] = terminal
            return terminal
        reply = error(401, "INVALID_TOKEN", "unknown or revoked token")
    return Reply(reply.status, reply.body, {"WWW-Authenticate": 'Bearer realm="edge"'})


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
    app.router.add_get("/v1/health", health)
    app.router.add_get("/v1/openapi.json", openapi_json)
    app.router.add_get("/metrics", metrics_text)
    return app


