"""Writing the odd audit record from a command or the console (not the worker's scans).

`watchlists load` writes `list_loaded`. It runs with the worker's Redis user, and its
record goes out with the Kafka credentials its environment configures, on purpose:

- in a deployment the load runs as `client-config worker --format env` gives it, so the
  record is written by the `worker` principal, which may already write the audit topic.
  No new principal and no new grant: a load is the worker service's operation on its own
  lists (the same Redis user), and giving a separate "loader" principal Kafka rights
  would widen the ACL table for one record a day;
- the record's actor names the command (`service watchlists-load`) and that principal,
  so the auditor sees who loaded, whichever credentials were used (`admin` can too);
- with no Kafka credentials configured (a Redis-only environment, a laptop) it writes
  nothing, and says so on stderr and in the log: a load is not refused for want of an
  audit (the lists it loads are signed and checked), but the gap is never silent.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from screening.audit.records import encode, service_record
from screening.exceptions import ConfigurationError
from screening.logs import kv
from screening.models import AuditRecord
from screening.settings import Settings

log = logging.getLogger("screening.audit")
# A command waits this long for the broker before it gives up writing its record.
SEND_TIMEOUT_S = 15.0


def can_write(settings: Settings) -> bool:
    """Kafka is configured for this process: credentials for a secured broker, or a
    plaintext development broker."""
    return settings.kafka_security == "plaintext" or settings.kafka_username is not None


async def write(settings: Settings, records: Sequence[tuple[bytes | None, AuditRecord]],
                ) -> None:
    from screening.kafka_io import producer

    p = producer(settings, linger_ms=0, request_timeout_ms=int(SEND_TIMEOUT_S * 1000))
    await asyncio.wait_for(p.start(), SEND_TIMEOUT_S)
    try:
        topic = settings.topic(settings.topic_audit)
        # A missing topic (or one this principal may not see) is said at once: a send
        # would wait for its metadata until the timeout.
        metadata = await p.client.fetch_all_metadata()
        if topic not in metadata.topics():
            raise ConfigurationError(f"no audit topic {topic!r} visible to this principal")
        for key, record in records:
            await asyncio.wait_for(p.send_and_wait(topic, encode(record), key=key),
                                   SEND_TIMEOUT_S)
    finally:
        await p.stop()


def emit(settings: Settings, records: Sequence[tuple[bytes | None, AuditRecord]],
         what: str) -> bool:
    """Writes the records (from synchronous command code); False, said on stderr and in
    the log, when they could not be."""
    if not can_write(settings):
        reason = "no Kafka credentials configured (SCREENING_KAFKA_USERNAME)"
    else:
        try:
            asyncio.run(write(settings, records))
            return True
        except Exception as exc:  # the broker away, no right to write: said, not raised
            reason = f"{type(exc).__name__}: {exc}"[:300]
    log.error("no audit record could be written", extra=kv(action=what, reason=reason))
    print(f"audit: no {what} audit record could be written: {reason}", file=sys.stderr)
    return False


def list_loaded(settings: Settings, *, version: str, previous: str | None,
                counts: dict[str, int], files: int) -> AuditRecord:
    """The record of a bulk load; its id is the version's (one load makes one version)."""
    return service_record(
        "list_loaded", (settings.topic_prefix, version), at=datetime.now(UTC),
        actor_id="watchlists-load", principal=settings.kafka_username, outcome="ok",
        watchlist_version=version, ref=f"previous:{previous or 'none'};files:{files}",
        counts=dict(counts))


def analyst_record(action: str, analyst: str, *, principal: str | None,
                   alert_id: str | None = None, outcome: str | None = None,
                   at: datetime | None = None, site: str | None = None,
                   checkpoint_id: str | None = None, reason: str | None = None,
                   ref: str | None = None,
                   query_digests: list[str] | None = None) -> AuditRecord:
    """What an analyst did in the console (sign_in, sign_in_failed, sign_out,
    alert_decided, a search with the keyed digests of what was searched, ...). The id
    covers the analyst, the alert and the moment: each such act is its own record (none
    is replayed from an input)."""
    at = at or datetime.now(UTC)
    return service_record(action, (analyst, alert_id, outcome, at.isoformat()), at=at,
                          actor_id=analyst, principal=principal, kind="analyst",
                          alert_id=alert_id, outcome=outcome, site=site,
                          checkpoint_id=checkpoint_id, reason=reason, ref=ref,
                          query_digests=query_digests or [])


__all__ = ["analyst_record", "can_write", "emit", "list_loaded", "write"]
