"""`screening purge --before T`: delete what is kept about people after the event."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from screening.cli.audit import when
from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("purge", help="after the event: delete records older than a time from "
                                     "the topics the deployment owns, and retired list "
                                     "versions (admin; audited)")
    p.add_argument("--before", type=when, required=True, metavar="T",
                   help="a time (2026-12-06T21:00:00Z) or a span ago (7d)")
    p.add_argument("--dry-run", action="store_true", help="say what would go, delete nothing")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from screening.audit.emit import write
    from screening.audit.records import service_record
    from screening.redis_client import make_redis
    from screening.security.provision import admin_client
    from screening.security.purge import PurgeReport, purge_topics, purged_topics
    from screening.security.secretsdir import principal_settings, redis_user_settings
    from screening.sites import load_registry
    from screening.watchlists.store import WatchlistStore

    admin_settings = redis_user_settings(principal_settings(settings, "admin"), "admin")
    report = PurgeReport()

    async def redis_part() -> list[str]:
        redis = make_redis(admin_settings)
        try:
            sites = (await load_registry(redis, settings)).ids()
            report.records = purge_topics(admin_client(admin_settings),
                                          purged_topics(settings, sites), args.before,
                                          dry_run=args.dry_run)
            if args.dry_run:
                return []
            return await WatchlistStore(redis, settings.redis_prefix).collect_retired(
                all_retired=True)
        finally:
            await redis.aclose()

    report.versions = asyncio.run(redis_part())
    verb = "would delete" if args.dry_run else "deleted"
    for topic, n in sorted(report.records.items()):
        print(f"purge: {verb} {n:,} records of {topic}", file=sys.stderr)
    print(f"purge: {verb} {report.total:,} records older than {args.before.isoformat()}; "
          f"{len(report.versions)} retired list version(s) dropped", file=sys.stderr)
    if args.dry_run:
        return 0
    now = datetime.now(UTC)
    record = service_record(
        "purge", ("purge", args.before.isoformat(), now.isoformat(), uuid.uuid4().hex),
        at=now, actor_id="screening-purge", principal="admin", outcome="ok",
        ref=f"before:{args.before.isoformat()};records:{report.total};"
            f"versions:{len(report.versions)}")
    asyncio.run(write(admin_settings, [(b"purge", record)]))
    print(f"purge: recorded on {settings.topic(settings.topic_audit)}", file=sys.stderr)
    return 0
