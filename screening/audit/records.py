"""Audit records as the worker and the commands write them: stable ids, nothing personal.

`audit_id` is derived from the identity of what is audited, never from a clock or a
random number: a scan at topic T, partition P, offset O is the same search however often
a crash makes the worker screen it again, so its record carries the same id (consumers
keep the first record of an id, as they keep the first result of an event). A scan
without a position (none in the worker) falls back to its event_id.

Records are built as dicts and encoded with orjson: one is written per scan, and
validating a pydantic model for each cost more than the rest of the record together.
`tests/unit/audit` checks that every shape built here validates as `AuditRecord`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from screening.audit.digests import Digester
from screening.models import AuditRecord
from screening.security.roles import site_principal
from screening.settings import Settings


def audit_id(action: str, *identity: object) -> str:
    """128 bits of SHA-256 over the action and the input's identity, as 32 hex digits."""
    text = "\x1f".join(str(part) for part in (action, *identity))
    return hashlib.sha256(text.encode()).hexdigest()[:32]



if TYPE_CHECKING:  # (the engine imports the audit's digests)
    from screening.core.engine import Screened

def search_id(item: Screened, event_id: str) -> str:
    """audit_id("search", topic, partition, offset), spelt out: one is made per scan."""
    raw = item.raw
    if raw.offset is not None:
        text = f"search\x1f{raw.topic}\x1f{raw.partition}\x1f{raw.offset}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]
    return audit_id("search", "event", event_id)


class SearchAudit:
    """One `search` record per answered scan: (key, value) for the audit topic."""

    def __init__(self, digester: Digester, settings: Settings) -> None:
        self.digester = digester
        self.settings = settings
        self._principals: dict[str, str] = {}

    def record(self, item: Screened) -> tuple[bytes, bytes] | None:
        r = item.result
        if r is None:  # no event_id could be read: nothing to key a search by
            return None
        d = self.digester
        if item.prepared is not None:
            digests = d.of_prepared(item.prepared)
        elif item.scan is not None:
            digests = d.of_scan(item.scan, self.settings)
        else:
            digests = []
        site = item.raw.site
        # (A refused scan may name no terminal: its id is then unknown, not empty.)
        actor: dict[str, Any] = {"kind": "terminal", "id": r.terminal_id or "unknown"}
        if site is not None:
            principal = self._principals.get(site)
            if principal is None:
                principal = self._principals[site] = site_principal(site)
            actor["principal"] = principal  # the only principal that may write its topic
        record: dict[str, Any] = {
            "audit_id": search_id(item, r.event_id),
            "at": r.decided_at,
            "action": "search",
            "actor": actor,
            "site": site,
            "checkpoint_id": r.checkpoint_id,
            "event_id": r.event_id,
            "outcome": r.outcome,
            "watchlist_version": r.watchlist_version,
            "query_digests": digests,
        }
        if item.alerts:
            record["alert_id"] = item.alerts[0].alert_id
        if r.exercise:
            record["exercise"] = True
        if item.deadletter is not None:
            record["reason"] = item.deadletter.reason.code
        return r.event_id.encode(), orjson.dumps(record)


def service_record(action: str, identity: tuple[object, ...], *, at: datetime, actor_id: str,
                   principal: str | None, kind: str = "service", **fields: Any) -> AuditRecord:
    """Any other action (list loads, live updates, the console's): validated, as they
    are few. `identity` makes the id stable for a replay of the same input."""
    return AuditRecord(audit_id=audit_id(action, *identity), at=at, action=action,
                       actor={"kind": kind, "id": actor_id, "principal": principal},
                       **fields)


def encode(record: AuditRecord) -> bytes:
    return record.model_dump_json(exclude_none=True).encode()


__all__ = ["SearchAudit", "audit_id", "encode", "search_id", "service_record"]
