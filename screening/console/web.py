"""The console's web server: sign-in, the pages, server-sent events and decisions.

Every route but sign-in, static assets and the health check needs a session, looked up
in Redis on every request, and the role and sites of its user, looked up in the user
store on every request (users.py): analysts and supervisors get alerts (an analyst
only their sites', scope.py), auditors the audit view and nothing else. An open event
stream looks again every SESSION_CHECK_S and ends when its session has, or when its
user's role or sites changed. Opening an alert and showing its VIN or plate are
recorded on the audit before anything is sent. POSTs need the CSRF token of the page
that sent them (HMAC of a SameSite=Strict cookie) and, when the browser says where it
comes from, our own origin. Sign-in is rate-limited per address and per address and
name (limits.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from redis.exceptions import RedisError

from screening.console.auth import Sessions, Signer
from screening.console.auth import verify_password as _verify_password
from screening.console.feed import Event, Feed
from screening.console.i18n import LANGUAGES, negotiate
from screening.console.ledger import OpenLedger
from screening.console.limits import Limits, LoginLimiter, Refused, client_address
from screening.console.pages import STATIC, asset, console_page, login_page
from screening.console.room import Room
from screening.console.scope import SiteMap
from screening.console.sessions import Session, SessionStore
from screening.console.users import InvalidUsers, User, UserStore
from screening.redis_client import make_redis
from screening.settings import Settings

log = logging.getLogger("screening.console")

SESSION_COOKIE = "scr_session"
CSRF_COOKIE = "scr_csrf"
LANG_COOKIE = "scr_lang"
# Over HTTPS the cookies are named __Host-...: browsers then accept them only Secure, for
# path / and from this very host, so a sibling domain cannot plant one (session fixation,
# CSRF cookie injection).
HOST_PREFIX = "__Host-"
_CSRF_COOKIE_FORMAT = re.compile(r"^[A-Za-z0-9_-]{43}$")
# Line breaks stay in a note; other control characters are how log injection starts.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
KEEPALIVE_S = 15.0
# How often an open event stream checks that its session still exists: a stream must end
# within 1 s of sign-out or revocation on any replica. One GET per open page per check.
SESSION_CHECK_S = 0.25
PUBLISH_TIMEOUT_S = 10.0
# Longest a page's event stream waits for the feed's look-back before its snapshot.
READY_WAIT_S = 20.0
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
    limiter: LoginLimiter
    redis: Any
    sites: SiteMap
    # Claims and pending four-eyes confirmations, shared by replicas in Redis.
    room: Room
    # Closed with the app when create_app made the client.
    owns_redis: bool = field(default=False)


CONSOLE = web.AppKey("console", Console)
_SESSION: web.RequestKey[Session | None] = web.RequestKey("session", Session | None)  # type: ignore[arg-type]
_USER: web.RequestKey[User | None] = web.RequestKey("user", User | None)  # type: ignore[arg-type]


def _console(request: web.Request) -> Console:
    return request.app[CONSOLE]


async def _session(request: web.Request) -> Session | None:
    """The request's session, looked up once per request."""
    if _SESSION not in request:
        request[_SESSION] = await _console(request).sessions.current(
            _cookie(request, SESSION_COOKIE))
    session: Session | None = request[_SESSION]
    return session


async def _analyst(request: web.Request) -> str | None:
    session = await _session(request)
    return session.analyst if session is not None else None


async def _user(request: web.Request) -> User | None:
    """The signed-in user's entry as it is now: role and sites are looked up on every
    request (the store follows its file), never remembered from sign-in."""
    if _USER not in request:
        session = await _session(request)
        request[_USER] = (_console(request).sessions.users.get(session.analyst)
                          if session is not None else None)
    user: User | None = request[_USER]
    return user


def _visible(c: Console, user: User, alert: dict[str, Any] | None) -> bool:
    """May `user` see `alert`: its site (from its checkpoint) is one of theirs, or they
    supervise; an alert of no known site is a supervisor's only."""
    return alert is not None and user.may_see(c.sites.site_of_alert(alert))


async def _may_see_alerts(request: web.Request) -> User | web.Response:
    user = await _user(request)
    if user is None:
        return _error(401, "not signed in")
    if not user.sees_alerts:
        return _error(403, "this role sees no alerts")
    return user


def _address(request: web.Request) -> str:
    return client_address(request.remote, request.headers.get("X-Forwarded-For"),
                          _console(request).console.console_trusted_proxy_hops)


def _cookie_name(request: web.Request, name: str) -> str:
    return HOST_PREFIX + name if _console(request).console.console_secure_cookies else name


def _cookie(request: web.Request, name: str) -> str | None:
    return request.cookies.get(_cookie_name(request, name))


def _lang(request: web.Request) -> str:
    return negotiate(_cookie(request, LANG_COOKIE), request.headers.get("Accept-Language"))


def _set_cookie(request: web.Request, resp: web.StreamResponse, name: str, value: str, *,
                max_age: int | None = None, samesite: str = "Strict") -> None:
    resp.set_cookie(_cookie_name(request, name), value, max_age=max_age, path="/",
                    httponly=True, samesite=samesite,
                    secure=_console(request).console.console_secure_cookies)


def _csrf(request: web.Request, resp: web.StreamResponse, session: Session | None = None, *,
          rotate: bool = False) -> str:
    """The page's CSRF token (bound to `session` on pages shown signed in); issues the
    cookie it is derived from when missing."""
    cookie = _cookie(request, CSRF_COOKIE) or ""
    if rotate or not _CSRF_COOKIE_FORMAT.match(cookie):
        cookie = secrets.token_urlsafe(32)
        _set_cookie(request, resp, CSRF_COOKIE, cookie)
    return _console(request).signer.csrf_token(cookie, session.id if session else "")


async def _post_allowed(request: web.Request, token: str | None, *,
                        signed_in: bool = True) -> bool:
    """Our origin and the page's token; `signed_in` posts need a token of a page shown
    in this session (sign-in itself and the language choice are made signed out too)."""
    # Browsers that send Sec-Fetch-Site say outright whether another site sent the post.
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return False
    session = await _session(request) if signed_in else None
    return _console(request).signer.check_csrf(_cookie(request, CSRF_COOKIE), token,
                                               session.id if session else "")


async def _audit(request: web.Request, action: str, analyst: str, *,
                 alert_id: str | None = None, outcome: str | None = None,
                 site: str | None = None, checkpoint_id: str | None = None,
                 reason: str | None = None, ref: str | None = None,
                 query_digests: list[str] | None = None) -> None:
    """The act on the audit trail (contract v2): who, what, when; never a password, and
    for a failed sign-in the name only when it is an analyst's (as the log does)."""
    from screening.audit.emit import analyst_record

    c = _console(request)
    await c.feed.publish_audit(analyst_record(
        action, analyst or "?", principal=c.settings.kafka_username, alert_id=alert_id,
        outcome=outcome, site=site, checkpoint_id=checkpoint_id, reason=reason, ref=ref,
        query_digests=query_digests))


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


@web.middleware
async def _store_down(request: web.Request, handler: Any) -> web.StreamResponse:
    """Without Redis nobody can be told apart: 503, never a page without a session."""
    try:
        resp: web.StreamResponse = await handler(request)
        return resp
    except RedisError as exc:
        log.error("session store unreachable", extra={"kv": {"error": type(exc).__name__}})
        if request.path == "/login":
            return _login_response(request, "signin.unavailable", 503)
        return _error(503, "the session store cannot be reached")


async def index(request: web.Request) -> web.StreamResponse:
    session, user = await _session(request), await _user(request)
    if session is None or user is None:
        return _see_other("/login")
    if not user.sees_alerts:
        return _see_other("/audit")
    resp = _html("")
    resp.text = console_page(_lang(request), _csrf(request, resp, session), session.analyst,
                             user.role)
    return resp


def _login_response(request: web.Request, error_key: str | None, status: int) -> web.Response:
    resp = _html("", status)
    resp.text = login_page(_lang(request), _csrf(request, resp), error_key)
    return resp


async def login_form(request: web.Request) -> web.StreamResponse:
    if await _analyst(request) is not None:
        return _see_other("/")
    return _login_response(request, None, 200)


async def login(request: web.Request) -> web.StreamResponse:
    c = _console(request)
    form = await request.post()
    token = str(form.get("csrf", ""))
    # Made on the login page (signed out), or on a console page (switching analyst).
    if not (await _post_allowed(request, token, signed_in=False)
            or await _post_allowed(request, token)):
        return _login_response(request, "signin.expired", 403)
    name = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    address = _address(request)
    entry = c.sessions.users.get(name)
    encoded = entry.encoded if entry is not None else None
    # Unknown names are not logged: people type passwords into the name field.
    shown = name if encoded else "?"
    attempt = await c.limiter.begin(address, name)
    if isinstance(attempt, Refused):
        log.warning("sign-in refused: too many attempts", extra={"kv": {
            "analyst": shown, "address": address, "limit": attempt.reason}})
        resp = _login_response(request, "signin.locked", 429)
        resp.headers["Retry-After"] = str(attempt.retry_after_s)
        return resp
    if attempt.delay_s > 0:
        await asyncio.sleep(attempt.delay_s)  # a much-guessed name: slower, never locked
    # scrypt takes ~0.1 s of CPU: off the event loop, so live pages keep flowing.
    if not await asyncio.to_thread(_verify_password, password, encoded):
        await c.limiter.failed(attempt)
        log.warning("sign-in refused", extra={"kv": {"analyst": shown, "address": address}})
        await _audit(request, "sign_in_failed", shown, outcome="refused")
        return _login_response(request, "signin.failed", 401)
    await c.limiter.succeeded(attempt)
    # A session the browser brought is ended, never carried over (session fixation).
    await c.sessions.end(_cookie(request, SESSION_COOKIE))
    resp = _see_other("/")
    _set_cookie(request, resp, SESSION_COOKIE, await c.sessions.issue(name, address),
                max_age=c.console.console_session_ttl_s)
    _csrf(request, resp, rotate=True)  # a token seen before sign-in is not kept after it
    log.info("analyst signed in", extra={"kv": {"analyst": name, "address": address}})
    await _audit(request, "sign_in", name, outcome="ok")
    return resp


async def logout(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    if not await _post_allowed(request, str(form.get("csrf", ""))):
        return _error(403, "csrf")
    # Ended in Redis: every open stream of this session, on every replica, ends with it.
    session = await _console(request).sessions.end(_cookie(request, SESSION_COOKIE))
    resp = _see_other("/login")
    resp.del_cookie(_cookie_name(request, SESSION_COOKIE), path="/")
    _csrf(request, resp, rotate=True)
    log.info("analyst signed out",
             extra={"kv": {"analyst": session.analyst if session else "?"}})
    if session is not None:
        await _audit(request, "sign_out", session.analyst, outcome="ok")
    return resp


async def set_language(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    # The login page's form is made signed out; the console page's in the session.
    if not await _post_allowed(request, str(form.get("csrf", "")),
                               signed_in=form.get("next") != "/login"):
        return _error(403, "csrf")
    lang = str(form.get("lang", ""))
    if lang not in LANGUAGES:
        return _error(400, "unknown language")
    resp = _see_other("/login" if form.get("next") == "/login" else "/")
    _set_cookie(request, resp, LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return resp


async def session_info(request: web.Request) -> web.StreamResponse:
    user = await _user(request)
    if user is None:
        return _error(401, "not signed in")
    return web.json_response({"analyst": user.name, "role": user.role,
                              "sites": sorted(user.sites)})


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: a snapshot of recent alerts, then each alert and decision live,
    for as long as the session lasts (checked every SESSION_CHECK_S, events or not), only
    those of the user's sites. The stream ends when the user's role or sites change: the
    page reconnects and is sent what the new scope allows (or nothing, refused)."""
    allowed = await _may_see_alerts(request)
    if isinstance(allowed, web.Response):
        return allowed
    user, scope = allowed, allowed.scope()
    c = _console(request)

    def visible(event: Event) -> bool:
        return user.may_see(c.sites.site_of(event.checkpoint))
    cookie = _cookie(request, SESSION_COOKIE)
    hub = c.feed.hub
    loop = asyncio.get_running_loop()
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    # A console still reading its look-back (just restarted) would send a partial
    # snapshot: the page would count what it missed wrongly. Waited for, within reason.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(c.feed.ready.wait(), READY_WAIT_S)
    # Subscribed before the snapshot is taken, so nothing falls between the two; the page
    # keys alerts by id, so what arrives in both is shown once.
    queue = hub.subscribe()
    try:
        await resp.write(b"retry: 2000\nevent: snapshot\ndata: " + c.feed.snapshot(
            lambda a: _visible(c, user, a),
            extra=c.room.snapshot(lambda a: _visible(c, user, c.feed.alert(a)))) + b"\n\n")
        check_at = loop.time() + SESSION_CHECK_S
        keepalive_at = loop.time() + KEEPALIVE_S
        while True:
            wait = max(0.0, min(check_at, keepalive_at) - loop.time())
            ticked = False
            try:
                event = await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                event, ticked = None, True
            now = loop.time()
            if now >= check_at:
                try:
                    now_user = await c.sessions.current_user(cookie)
                except RedisError:
                    now_user = None  # cannot tell: fail closed (the page reconnects)
                if now_user is None:
                    break  # signed out, expired, revoked: the page must sign in again
                if now_user[1].scope() != scope:
                    break  # role or sites changed: reconnect under the new scope
                user = now_user[1]
                check_at = now + SESSION_CHECK_S
            if ticked:
                if now >= keepalive_at:
                    await resp.write(b": keepalive\n\n")  # also finds pages that went away
                    keepalive_at = now + KEEPALIVE_S
                continue
            if event is None:
                break  # the hub ended this page (fell behind, or the console stops)
            if event.everyone or visible(event):
                await resp.write(event.encode())
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        hub.unsubscribe(queue)
    return resp


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
               feed: Feed | None = None, redis: Any = None) -> web.Application:
    """The aiohttp application; the feed starts and stops with it. Sessions and sign-in
    limits are kept in Redis (`settings`' Redis, as the `console` user in deployment)."""
    users = UserStore(console.console_users.get_secret_value(), console.console_users_file,
                      on_error=lambda e: log.error("console users not read: their sessions "
                                                   "are refused", extra={"kv": {"error": e}}))
    if not users:
        raise InvalidUsers("no analysts: set SCREENING_CONSOLE_USERS or "
                           "SCREENING_CONSOLE_USERS_FILE (`screening console users add`)")
    for user in users.values():
        if user.legacy:
            log.warning("console user without a role: an analyst of every site", extra={
                "kv": {"analyst": user.name, "fix": "screening console users add"}})
    if console.console_session_secret is not None:
        key = console.console_session_secret.get_secret_value().encode()
    else:
        log.warning("no SCREENING_CONSOLE_SESSION_SECRET: sessions end when the console stops")
        key = secrets.token_bytes(32)
    signer = Signer(key)
    owns_redis = redis is None
    redis = make_redis(settings) if redis is None else redis
    feed = feed or Feed(settings, lookback=console.console_lookback,
                        max_alerts=console.console_max_alerts,
                        instance=console.console_instance
                        or f"{socket.gethostname()}.{console.console_port}",
                        ledger=OpenLedger(redis, settings.redis_prefix))
    store = SessionStore(redis, settings.redis_prefix, console.console_session_ttl_s)
    limits = Limits(per_address=console.console_signin_per_address,
                    per_pair=console.console_signin_per_address_name,
                    name_free=console.console_signin_name_free,
                    name_max_delay_s=console.console_signin_name_max_delay_s)
    app = web.Application(client_max_size=64 * 1024, middlewares=[_store_down])
    sites = SiteMap(settings, redis, console.console_sites_refresh_s)
    room = Room(redis, settings.redis_prefix, feed, claim_ttl_s=console.console_claim_ttl_s)
    app[CONSOLE] = Console(settings=settings, console=console, feed=feed, signer=signer,
                           sessions=Sessions(signer, users, store),
                           limiter=LoginLimiter(redis, settings.redis_prefix, key, limits),
                           redis=redis, sites=sites, room=room, owns_redis=owns_redis)
    # Handlers of their own modules, which use this one's request helpers.
    from screening.console.alert_acts import unmask_alert, view_alert
    from screening.console.audit_view import audit_view, search_audit
    from screening.console.cases import case_timeline, open_cases
    from screening.console.claims import claim_alert, release_alert
    from screening.console.clearances import clear_namesake, list_clearances, revoke_clearance
    from screening.console.procedure import decide, procedure_rules, undo
    from screening.console.search import search
    from screening.console.sites_api import sites_of_checkpoints

    app.add_routes([
        web.get("/", index),
        web.get("/audit", audit_view),
        web.post("/api/audit", search_audit),
        web.post("/api/alerts/{alert_id}/view", view_alert),
        web.post("/api/alerts/{alert_id}/unmask", unmask_alert),
        web.post("/api/alerts/{alert_id}/clear", clear_namesake),
        web.post("/api/alerts/{alert_id}/claim", claim_alert),
        web.delete("/api/alerts/{alert_id}/claim", release_alert),
        web.post("/api/alerts/{alert_id}/undo", undo),
        web.get("/api/procedure", procedure_rules),
        web.get("/api/search", search),
        web.get("/api/cases", open_cases),
        web.get("/api/cases/{case_id}", case_timeline),
        web.get("/api/clearances", list_clearances),
        web.post("/api/clearances/revoke", revoke_clearance),
        web.get("/login", login_form),
        web.post("/login", login),
        web.post("/logout", logout),
        web.post("/lang", set_language),
        web.get("/api/session", session_info),
        web.get("/api/sites", sites_of_checkpoints),
        web.post("/api/decisions", decide),
        web.get("/events", events),
        web.get("/static/{name}", static),
        web.get("/healthz", health),
        web.get("/favicon.ico", no_icon),
    ])
    app.on_response_prepare.append(_headers)

    async def start_feed(_: web.Application) -> None:
        await sites.load()  # before the first page: alerts have their sites at once
        sites.start()
        await feed.start()
        try:
            await room.refresh()  # claims and pending confirmations before the first page
        except RedisError as exc:
            log.warning("claims not read at start", extra={"kv": {"error": type(exc).__name__}})
        room.start()

    async def end_streams(_: web.Application) -> None:
        feed.hub.close_all()

    async def stop_feed(_: web.Application) -> None:
        await room.stop()
        await sites.stop()
        await feed.stop()
        if owns_redis:
            await redis.aclose()

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
