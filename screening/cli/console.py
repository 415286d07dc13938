"""`screening console`: the analysts' web console; `users` manages who may sign in, as
what and for which sites; `hash-password` makes an inline entry; `sessions` ends them."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import signal
import sys
from typing import Any

from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("console", help="serve the analysts' web console",
                       description="Serve the analysts' console (SCREENING_CONSOLE_* settings).")
    p.add_argument("--host", default=None, help="bind address (default: settings, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: settings, 8080)")
    p.set_defaults(func=run)
    csub = p.add_subparsers(dest="console_command", metavar="[ACTION]")
    h = csub.add_parser("hash-password",
                        help="read a password on stdin, print its hash for SCREENING_CONSOLE_USERS")
    h.add_argument("--user", default=None, help="print a whole `user:hash` entry")
    h.set_defaults(func=run_hash_password)
    s = csub.add_parser("sessions", help="list or end analysts' sessions (administrators)",
                        description="Sessions live in Redis: run with the console's settings "
                                    "(`screening security client-config console --format env`).")
    ssub = s.add_subparsers(dest="sessions_command", required=True, metavar="ACTION")
    ls = ssub.add_parser("list", help="live sessions, of one analyst or of every analyst")
    ls.add_argument("user", nargs="?", default=None, help="analyst name (default: all)")
    ls.set_defaults(func=run_sessions)
    rv = ssub.add_parser("revoke", help="end every session of an analyst, on every console")
    rv.add_argument("user", help="analyst name")
    rv.set_defaults(func=run_sessions)
    u = csub.add_parser("users", help="add, remove or list console users and their roles",
                        description="Edits SCREENING_CONSOLE_USERS_FILE; running consoles "
                                    "follow it on their next request.")
    usub = u.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    ua = usub.add_parser("add", help="add a user, or replace one's role, sites and password; "
                                     "the password is asked for, or read from stdin")
    ua.add_argument("user", help="user name: 1-64 letters, digits or ._@-")
    ua.add_argument("--role", required=True, choices=("analyst", "supervisor", "auditor"),
                    help="analyst: alerts of --site; supervisor: every site; auditor: the "
                         "audit view only")
    ua.add_argument("--site", action="append", default=[], metavar="SITE",
                    help="a site whose alerts an analyst sees (repeatable; '*': every site)")
    ua.add_argument("--keep-password", action="store_true",
                    help="an existing user's role and sites change, their password stays")
    ua.set_defaults(func=run_users)
    ur = usub.add_parser("remove", help="remove a user: their open pages end at once")
    ur.add_argument("user", help="user name")
    ur.set_defaults(func=run_users)
    ul = usub.add_parser("list", help="users, roles and sites (never a hash)")
    ul.set_defaults(func=run_users)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from aiokafka.errors import KafkaError

    from screening.console import serve
    from screening.console.auth import InvalidUsers

    overrides = {k: v for k, v in (("console_host", args.host), ("console_port", args.port))
                 if v is not None}
    console = settings.model_copy(update=overrides)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, console, stop)

    try:
        asyncio.run(main())
    except InvalidUsers as exc:
        print(f"screening console: {exc}", file=sys.stderr)
        return 2
    except KafkaError as exc:
        print(f"screening console: Kafka at {settings.broker} cannot be reached ({exc})",
              file=sys.stderr)
        return 1
    return 0


def run_hash_password(settings: Settings, args: argparse.Namespace) -> int:
    from screening.console.auth import USERNAME, hash_password

    if args.user is not None and not USERNAME.match(args.user):
        print("screening console hash-password: --user must be 1-64 letters, digits or ._@-",
              file=sys.stderr)
        return 2
    password = _read_password("screening console hash-password")
    if password is None:
        return 1
    encoded = hash_password(password)
    print(f"{args.user}:{encoded}" if args.user else encoded)
    return 0


def run_sessions(settings: Settings, args: argparse.Namespace) -> int:
    """Open pages of a revoked analyst end within a second (the stream checks its session)."""
    from datetime import UTC, datetime

    from redis.exceptions import RedisError

    from screening.console.sessions import SessionStore
    from screening.console.users import InvalidUsers, UserStore
    from screening.redis_client import make_redis

    async def main() -> int:
        redis = make_redis(settings)
        store = SessionStore(redis, settings.redis_prefix, settings.console_session_ttl_s)
        try:
            if args.sessions_command == "revoke":
                ended = await store.revoke(args.user)
                print(f"{args.user}: {ended} session(s) ended")
                return 0
            if args.user is not None:
                names = [args.user]
            else:
                names = sorted(UserStore(settings.console_users.get_secret_value(),
                                         settings.console_users_file))
            for name in names:
                for session in await store.of(name):
                    created = datetime.fromtimestamp(session.created, UTC).isoformat(
                        timespec="seconds")
                    expires = datetime.fromtimestamp(session.expires, UTC).isoformat(
                        timespec="seconds")
                    # The id is a hash of the cookie's token: showing it gives nobody a way in.
                    print(f"{name}\t{session.id[:12]}\t{session.address}\t"
                          f"signed in {created}\texpires {expires}")
            return 0
        finally:
            await redis.aclose()

    try:
        return asyncio.run(main())
    except InvalidUsers as exc:
        print(f"screening console sessions: {exc}", file=sys.stderr)
        return 2
    except RedisError as exc:
        print(f"screening console sessions: Redis cannot be reached ({type(exc).__name__}: "
              f"{exc})", file=sys.stderr)
        return 1


def _read_password(what: str) -> str | None:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print(f"{what}: the passwords differ", file=sys.stderr)
            return None
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print(f"{what}: empty password", file=sys.stderr)
        return None
    return password


def run_users(settings: Settings, args: argparse.Namespace) -> int:
    from screening.console.auth import hash_password
    from screening.console.users import (
        ALL_SITES,
        USERNAME,
        InvalidUsers,
        User,
        parse_users,
        read_users_file,
        write_users_file,
    )
    from screening.security.roles import SITE_ID

    what = f"screening console users {args.users_command}"
    path = settings.console_users_file
    try:
        inline = parse_users(settings.console_users.get_secret_value())
        users = read_users_file(path) if path is not None else {}
    except InvalidUsers as exc:
        print(f"{what}: {exc}", file=sys.stderr)
        return 2
    if args.users_command == "list":
        for name, user in sorted((inline | users).items()):
            scope = "" if user.role == "auditor" else ",".join(sorted(user.sites))
            source = "SCREENING_CONSOLE_USERS" if name in inline else str(path)
            note = "  (no role given: analyst of every site)" if user.legacy else ""
            print(f"{name}\t{user.role}\t{scope or '-'}\t{source}{note}")
        return 0
    if path is None:
        print(f"{what}: set SCREENING_CONSOLE_USERS_FILE (the file this command edits)",
              file=sys.stderr)
        return 2
    name = args.user
    if name in inline:
        print(f"{what}: {name} is in SCREENING_CONSOLE_USERS: change it there",
              file=sys.stderr)
        return 2
    if args.users_command == "remove":
        if users.pop(name, None) is None:
            print(f"{what}: no user {name} in {path}", file=sys.stderr)
            return 1
        write_users_file(path, users)
        print(f"{name}: removed; their sessions end at their next request")
        return 0
    if not USERNAME.match(name):
        print(f"{what}: the name must be 1-64 letters, digits or ._@-", file=sys.stderr)
        return 2
    sites = {site.strip() for site in args.site if site.strip()}
    bad = [site for site in sites if site != ALL_SITES and not SITE_ID.fullmatch(site)]
    if bad:
        print(f"{what}: not a site id: {', '.join(sorted(bad))}", file=sys.stderr)
        return 2
    if args.role == "analyst" and not sites:
        print(f"{what}: an analyst needs --site (one or more; '*' for every site)",
              file=sys.stderr)
        return 2
    if args.role != "analyst" and sites:
        print(f"{what}: --site is for analysts (a supervisor has every site, an auditor "
              "none)", file=sys.stderr)
        return 2
    if args.keep_password:
        if name not in users:
            print(f"{what}: --keep-password: no user {name} in {path}", file=sys.stderr)
            return 1
        encoded = users[name].encoded
    else:
        password = _read_password(what)
        if password is None:
            return 1
        encoded = hash_password(password)
    granted = frozenset({ALL_SITES}) if args.role == "supervisor" else frozenset(sites)
    users[name] = User(name, encoded, args.role, granted)
    write_users_file(path, users)
    shown = "" if args.role == "auditor" else f" of {', '.join(sorted(granted))}"
    print(f"{name}: {args.role}{shown}, in {path}")
    return 0
