"""The auditor's query: read the audit topic from a time to the end it had at start.

No consumer group: the partitions are assigned by hand and positioned with
`offsets_for_times` (or at the beginning), so the `auditor` principal needs nothing but
Read on the audit topic, and a query leaves no committed offsets or group behind. It
stops at the end offsets it saw when it started: records written meanwhile belong to
the next query, and a busy topic cannot keep it reading forever.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from screening.exceptions import ConfigurationError
from screening.runtime.clients import refresh_metadata
from screening.security.clients import aiokafka_options
from screening.settings import Settings

# Records read before the progress line shows, and seconds between its updates.
PROGRESS_AFTER = 50_000
PROGRESS_EVERY_S = 2.0
# Seconds without a record before a partition short of its end is given up.
IDLE_LIMIT_S = 10.0


@dataclass
class Criteria:
    """A record matches when it holds a digest of every set, and the actor and time fit."""

    digest_sets: list[set[str]] = field(default_factory=list)
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    actions: set[str] | None = None
    # Drills' records are left out unless asked for (`--exercise`).
    exercise: bool = False

    def matches(self, record: dict[str, Any]) -> bool:
        if self.actions is not None and record.get("action") not in self.actions:
            return False
        if record.get("exercise") and not self.exercise:
            return False
        if self.digest_sets:
            held = set(record.get("query_digests") or ())
            if not all(held & wanted for wanted in self.digest_sets):
                return False
        if self.actor is not None:
            actor = record.get("actor") or {}
            if self.actor not in (actor.get("id"), actor.get("principal")):
                return False
        if self.since is not None or self.until is not None:
            try:
                at = datetime.fromisoformat(str(record.get("at")))
            except ValueError:
                return False
            if self.since is not None and at < self.since:
                return False
            if self.until is not None and at > self.until:
                return False
        return True


class BadQuery(ValueError):
    """Criteria that do not go together (`--dob` without `--name`...)."""


_AGO = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """RFC 3339 (`2026-12-06T21:00:00Z`; a bare date is midnight UTC) or a span ago
    (`90m`, `2h`, `7d`)."""
    m = _AGO.match(text.strip())
    if m:
        return (now or datetime.now(UTC)) - timedelta(
            seconds=float(m.group(1)) * _UNITS[m.group(2)])
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadQuery(f"{text!r}: a time like 2026-12-06T21:00:00Z or a span ago "
                       "like 2h") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_criteria(settings: Settings, *, document: str | None = None,
                   state: str | None = None, name: str | None = None, dob: str | None = None,
                   vin: str | None = None, plate: str | None = None,
                   country: str | None = None, actor: str | None = None,
                   since: datetime | None = None, until: datetime | None = None,
                   actions: set[str] | None = None, exercise: bool = False) -> Criteria:
    """The auditor's question as Criteria, digests computed with the audit key: what
    `screening audit query` and the console's auditor view both ask. Raises BadQuery
    for criteria that do not go together, ConfigurationError without an audit key."""
    from screening.audit.digests import Digester, query_sets, require_key

    if dob and not name:
        raise BadQuery("--dob goes with --name")
    if state and not document:
        raise BadQuery("--state goes with --document")
    if country and not plate:
        raise BadQuery("--country goes with --plate")
    sets: list[set[str]] = []
    if any(v is not None for v in (document, name, vin, plate)):
        sets = query_sets(Digester(require_key(settings)), document=document, state=state,
                          name=name, dob=dob, vin=vin, plate=plate, country=country)
    return Criteria(digest_sets=sets, actor=actor, since=since, until=until, actions=actions,
                    exercise=exercise)


def _progress(read: int, total: int, started: float) -> None:
    took = time.monotonic() - started
    pct = 100.0 * read / total if total else 100.0
    print(f"audit: read {read:,} of {total:,} records ({pct:.0f} %) in {took:.0f} s",
          file=sys.stderr, flush=True)


async def read_records(settings: Settings, criteria: Criteria, *,
                       progress: Callable[[int, int, float], None] | None = _progress,
                       ) -> AsyncIterator[dict[str, Any]]:
    """The matching records, partition by partition in offset order (a record's `at`
    orders them across partitions)."""
    topic = settings.topic(settings.topic_audit)
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                # exactly_once workers write in transactions: not the
                                # records of an aborted one (a crashed worker's).
                                isolation_level="read_committed", max_poll_records=5_000)
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic)
        if parts is None:
            await refresh_metadata(consumer)
            parts = consumer.partitions_for_topic(topic)
        if not parts:
            raise ConfigurationError(f"no audit topic {topic!r} (or no right to read it)")
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts: dict[TopicPartition, int] = await consumer.beginning_offsets(tps)
        if criteria.since is not None:
            ms = int(criteria.since.timestamp() * 1000)
            found = await consumer.offsets_for_times({tp: ms for tp in tps})
            starts = {tp: (found[tp].offset if found.get(tp) is not None else ends[tp])
                      for tp in tps}
        for tp in tps:
            consumer.seek(tp, starts[tp])
        total = sum(max(0, ends[tp] - starts[tp]) for tp in tps)
        pending = {tp for tp in tps if starts[tp] < ends[tp]}
        read, started, shown = 0, time.monotonic(), time.monotonic()
        idle_since = time.monotonic()
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            if batch:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > IDLE_LIMIT_S:
                # Only transaction markers or deleted records left below the end seen.
                pending.clear()
                print(f"audit: nothing more after {IDLE_LIMIT_S:.0f} s below the end "
                      "offsets seen at start; stopping", file=sys.stderr)
            for tp, messages in batch.items():
                for msg in messages:
                    if msg.offset >= ends[tp]:
                        break
                    read += 1
                    try:
                        record = orjson.loads(msg.value or b"")
                    except orjson.JSONDecodeError:
                        continue
                    if isinstance(record, dict) and criteria.matches(record):
                        yield record
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
            now = time.monotonic()
            if progress is not None and read >= PROGRESS_AFTER and now - shown >= PROGRESS_EVERY_S:
                shown = now
                progress(read, total, started)
    finally:
        await consumer.stop()


def describe(record: dict[str, Any]) -> str:
    """One human-readable line: when, what, who, where, the outcome and what was searched
    (the kinds of digest, never a value)."""
    actor = record.get("actor") or {}
    who = f"{actor.get('kind', '?')} {actor.get('id', '?')}"
    if actor.get("principal"):
        who += f" ({actor['principal']})"
    parts = [str(record.get("at", "?")), str(record.get("action", "?")), who]
    for label, name in (("site", "site"), ("checkpoint", "checkpoint_id"),
                        ("event", "event_id"), ("alert", "alert_id"), ("ref", "ref"),
                        ("outcome", "outcome"), ("reason", "reason"),
                        ("lists", "watchlist_version")):
        if record.get(name) not in (None, ""):
            parts.append(f"{label}={record[name]}")
    kinds = sorted({d.partition(":")[0] for d in record.get("query_digests") or ()})
    if kinds:
        parts.append(f"searched={','.join(kinds)}")
    parts.append(f"id={record.get('audit_id', '?')}")
    return "  ".join(parts)


__all__ = ["BadQuery", "Criteria", "build_criteria", "describe", "parse_time", "read_records"]
