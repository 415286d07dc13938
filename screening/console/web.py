"""The console's web server: sign-in, the page, server-sent events and decisions.

Every route but sign-in, static assets and the health check needs a session. POSTs
need the CSRF token of the page that sent them (HMAC of a SameSite=Strict cookie) and,
when the browser says where it comes from, our own origin.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import orjson
from aiohttp import web
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from screening.console.auth import InvalidUsers, LoginThrottle, Sessions, Signer, parse_users
from screening.console.auth import verify_password as _verify_password
from screening.console.feed import Feed, display_decision
from screening.console.i18n import LANGUAGES, negotiate
from screening.console.pages import STATIC, asset, console_page, login_page
from screening.models import AlertDecision
from screening.settings import Settings

log = logging.getLogger("screening.console")

SESSION_COOKIE = "scr_session"
CSRF_COOKIE = "scr_csrf"
LANG_COOKIE = "scr_lang"
_CSRF_COOKIE_FORMAT = re.compile(r"^[A-Za-z0-9_-]{43}$")
# Line breaks stay in a note; other control characters are how log injection starts.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
KEEPALIVE_S = 15.0
PUBLISH_TIMEOUT_S = 10.0
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: Chromium then sends "Origin: null" on our own form posts.
    "Referrer-Policy": "same-origin",
}


@dataclass
class Console:
    settings: Settings
    console: Settings
    feed: Feed
    signer: Signer
    sessions: Sessions
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


CONSOLE = web.AppKey("console", Console)


def _console(request: web.Request) -> Console:
    return request.app[CONSOLE]


def _analyst(request: web.Request) -> str | None:
    return _console(request).sessions.analyst(request.cookies.get(SESSION_COOKIE))


def _lang(request: web.Request) -> str:
    return negotiate(request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language"))


def _set_cookie(request: web.Request, resp: web.StreamResponse, name: str, value: str, *,
                max_age: int | None = None, samesite: str = "Strict") -> None:
    resp.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite=samesite,
                    secure=_console(request).console.console_secure_cookies)


def _csrf(request: web.Request, resp: web.StreamResponse, *, rotate: bool = False) -> str:
    """The page's CSRF token; issues the cookie it is derived from when missing."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if rotate or not _CSRF_COOKIE_FORMAT.match(cookie):
        cookie = secrets.token_urlsafe(32)
        _set_cookie(request, resp, CSRF_COOKIE, cookie)
    return _console(request).signer.csrf_token(cookie)


def _post_allowed(request: web.Request, token: str | None) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return False
    return _console(request).signer.check_csrf(request.cookies.get(CSRF_COOKIE), token)


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _error(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


async def _headers(request: web.Request, resp: web.StreamResponse) -> None:
    resp.headers.update(HEADERS)
    if "Cache-Control" not in resp.headers:
        resp.headers["Cache-Control"] = "no-store"


async def index(request: web.Request) -> web.StreamResponse:
    analyst = _analyst(request)
    if analyst is None:
        return _see_other("/login")
    resp = _html("")
    resp.text = console_page(_lang(request), _csrf(request, resp), analyst)
    return resp


def _login_response(request: web.Request, error_key: str | None, status: int) -> web.Response:
    resp = _html("", status)
    resp.text = login_page(_lang(request), _csrf(request, resp), error_key)
    return resp


async def login_form(request: web.Request) -> web.StreamResponse:
    if _analyst(request) is not None:
        return _see_other("/")
    return _login_response(request, None, 200)


async def login(request: web.Request) -> web.StreamResponse:
    c = _console(request)
    form = await request.post()
    if not _post_allowed(request, str(form.get("csrf", ""))):
        return _login_response(request, "signin.expired", 403)
    name = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    if c.throttle.locked(name):
        return _login_response(request, "signin.locked", 429)
    encoded = c.sessions.users.get(name)
    # scrypt takes ~0.1 s of CPU: off the event loop, so live pages keep flowing.
    if not await asyncio.to_thread(_verify_password, password, encoded):
        c.throttle.failed(name)
        # Unknown names are not logged: people type passwords into the name field.
        log.warning("sign-in refused", extra={"kv": {"analyst": name if encoded else "?"}})
        return _login_response(request, "signin.failed", 401)
    c.throttle.succeeded(name)
    resp = _see_other("/")
    _set_cookie(request, resp, SESSION_COOKIE, c.sessions.issue(name),
                max_age=c.console.console_session_ttl_s)
    _csrf(request, resp, rotate=True)  # a token seen before sign-in is not kept after it
    log.info("analyst signed in", extra={"kv": {"analyst": name}})
    return resp


async def logout(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    if not _post_allowed(request, str(form.get("csrf", ""))):
        return _error(403, "csrf")
    resp = _see_other("/login")
    resp.del_cookie(SESSION_COOKIE, path="/")
    log.info("analyst signed out", extra={"kv": {"analyst": _analyst(request) or "?"}})
    return resp


async def set_language(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    if not _post_allowed(request, str(form.get("csrf", ""))):
        return _error(403, "csrf")
    lang = str(form.get("lang", ""))
    if lang not in LANGUAGES:
        return _error(400, "unknown language")
    resp = _see_other("/login" if form.get("next") == "/login" else "/")
    _set_cookie(request, resp, LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return resp


async def session_info(request: web.Request) -> web.StreamResponse:
    analyst = _analyst(request)
    if analyst is None:
        return _error(401, "not signed in")
    return web.json_response({"analyst": analyst})


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: a snapshot of recent alerts, then each alert and decision live."""
    if _analyst(request) is None:
        return _error(401, "not signed in")
    hub = _console(request).feed.hub
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    # Subscribed before the snapshot is taken, so nothing falls between the two; the page
    # keys alerts by id, so what arrives in both is shown once.
    queue = hub.subscribe()
    try:
        await resp.write(b"retry: 2000\nevent: snapshot\ndata: " +
                         _console(request).feed.snapshot() + b"\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
            except TimeoutError:
                if _analyst(request) is None:
                    break  # signed out elsewhere, expired or revoked: the page must sign in
                await resp.write(b": keepalive\n\n")  # also finds pages that went away
                continue
            if event is None:
                break
            await resp.write(event.encode())
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        hub.unsubscribe(queue)
    return resp


async def decide(request: web.Request) -> web.StreamResponse:
    """Confirm or dismiss: the decision is published, and shown when read back."""
    c = _console(request)
    analyst = _analyst(request)
    if analyst is None:
        return _error(401, "not signed in")
    if not _post_allowed(request, request.headers.get("X-CSRF-Token")):
        return _error(403, "csrf")
    if request.content_type != "application/json":
        return _error(415, "expected application/json")
    try:
        body = orjson.loads(await request.read())
        alert_id, choice = str(body["alert_id"]), str(body["decision"])
        note = _CONTROL.sub("", str(body.get("note", "")))
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error(400, "expected alert_id, decision and note")
    if c.feed.alert(alert_id) is None:
        return _error(404, "unknown alert")
    if c.feed.decision(alert_id) is not None:
        return _error(409, "already decided")
    try:
        decision = AlertDecision(alert_id=alert_id, decision=choice,
                                 analyst=analyst, decided_at=datetime.now(UTC), note=note)
    except ValidationError as exc:
        return _error(400, "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()))
    try:
        await asyncio.wait_for(c.feed.publish_decision(decision), PUBLISH_TIMEOUT_S)
    except (KafkaError, TimeoutError) as exc:
        log.error("decision not published", extra={"kv": {"alert_id": alert_id,
                                                          "error": repr(exc)}})
        return _error(503, "the decisions topic cannot be reached")
    log.info("decision recorded", extra={"kv": {"alert_id": alert_id, "decision": choice,
                                                "analyst": analyst}})
    return web.json_response(display_decision(decision), status=202)


async def static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(body=asset(name), content_type=STATIC[name],
                        headers={"Cache-Control": "no-cache"})


async def no_icon(request: web.Request) -> web.StreamResponse:
    return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})


async def health(request: web.Request) -> web.StreamResponse:
    feed = _console(request).feed
    return web.json_response({"ok": True, "reading": feed.ready.is_set(),
                              "pages": len(feed.hub),
                              "future_decisions_ignored": feed.future_decisions})


def create_app(settings: Settings, console: Settings, *,
               feed: Feed | None = None) -> web.Application:
    """The aiohttp application; the feed starts and stops with it."""
    users = parse_users(console.console_users.get_secret_value())
    if not users:
        raise InvalidUsers("no analysts: set SCREENING_CONSOLE_USERS to name:hash entries "
                           "(hashes from `screening console hash-password`)")
    if console.console_session_secret is not None:
        key = console.console_session_secret.get_secret_value().encode()
    else:
        log.warning("no SCREENING_CONSOLE_SESSION_SECRET: sessions end when the console stops")
        key = secrets.token_bytes(32)
    signer = Signer(key)
    feed = feed or Feed(settings, lookback=console.console_lookback,
                        max_alerts=console.console_max_alerts)
    app = web.Application(client_max_size=64 * 1024)
    app[CONSOLE] = Console(settings=settings, console=console, feed=feed, signer=signer,
                           sessions=Sessions(signer, users, console.console_session_ttl_s))
    app.add_routes([
        web.get("/", index),
        web.get("/login", login_form),
        web.post("/login", login),
        web.post("/logout", logout),
        web.post("/lang", set_language),
        web.get("/api/session", session_info),
        web.post("/api/decisions", decide),
        web.get("/events", events),
        web.get("/static/{name}", static),
        web.get("/healthz", health),
        web.get("/favicon.ico", no_icon),
    ])
    app.on_response_prepare.append(_headers)

    async def start_feed(_: web.Application) -> None:
        await feed.start()

    async def end_streams(_: web.Application) -> None:
        feed.hub.close_all()

    async def stop_feed(_: web.Application) -> None:
        await feed.stop()

    app.on_startup.append(start_feed)
    app.on_shutdown.append(end_streams)
    app.on_cleanup.append(stop_feed)
    return app


async def serve(settings: Settings, console: Settings,
                stop: asyncio.Event | None = None) -> None:
    """Serves until `stop` is set (the command line sets it on SIGINT or SIGTERM)."""
    app = create_app(settings, console)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, console.console_host, console.console_port)
        await site.start()
        log.info("console serving", extra={"kv": {
            "url": f"http://{console.console_host}:{console.console_port}/"}})
        await (stop or asyncio.Event()).wait()
    finally:
        await runner.cleanup()
