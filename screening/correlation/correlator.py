"""Correlating a screened batch: file its scans, find the patterns, raise their alerts.

Called by the scan agent between screening a batch and publishing it, so a pattern's
alert goes out with the scan that completed it (in its transaction under exactly_once).
Filing is idempotent (a sighting is filed under its event id) and a pattern's alert id
is made from its code and its two events, so a scan replayed after a crash raises the
alert it raised before, with the same id, and never a second one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError

from screening.audit.digests import Digester
from screening.core.engine import Screened
from screening.correlation.cases import key_case
from screening.correlation.rules import (
    MATCHED_ON,
    PRIORITY,
    Finding,
    Windows,
    findings,
    key_ttl_s,
)
from screening.correlation.sightings import Filed, Sighting, filings
from screening.correlation.state import CorrelationState
from screening.logs import kv
from screening.models import Alert, Correlation, CorrelationCode, Hit, Priority, TravellerScan
from screening.models.results import reference_of
from screening.privacy import mask_document
from screening.redis_client import AnyRedis
from screening.settings import Settings
from screening.sites import Sites

log = logging.getLogger("screening.correlation")
_NS = uuid.UUID("0f6f3c1e-7d8a-4e55-9a3b-5c2d1e4f6a70")
# How a pattern's priority is chosen (the incident mode's profile may raise it).
PriorityOf = Callable[[CorrelationCode], Priority]


def correlation_alert_id(code: str, a: str, b: str) -> str:
    """Stable per pattern: the same two events make the same alert, in either order."""
    first, second = sorted((a, b))
    return str(uuid.uuid5(_NS, f"{code}|{first}|{second}"))


def _sighting_json(s: Sighting) -> dict[str, Any]:
    return {"event_id": s.event_id, "checkpoint_id": s.checkpoint_id,
            "terminal_id": s.terminal_id, "site": s.site,
            "scanned_at": datetime.fromtimestamp(s.at, UTC).isoformat()}


def _subject(item: Screened) -> dict[str, Any]:
    """The scan that completed the pattern, as watchlist alerts show a scan (document
    numbers masked but for their last 3 characters)."""
    p = item.prepared
    assert p is not None
    scan = p.scan
    if isinstance(scan, TravellerScan):
        number, state = p.documents[0] if p.documents else (None, None)
        person = p.persons[0] if p.persons else None
        subject: dict[str, Any] = {"document_number": mask_document(number),
                                   "issuing_state": state}
        if person is not None:
            subject.update(surname=person.surname, given_names=person.given_names,
                           date_of_birth=person.date_of_birth, nationality=person.nationality)
        return {k: v for k, v in subject.items() if v is not None}
    return scan.vehicle.model_dump(exclude_none=True)


def correlation_alert(f: Finding, item: Screened, now: datetime,
                      priority: Priority, key: str) -> Alert:
    """`key`: the digest the pattern was found under (the alert's case)."""
    a, b = f.earlier, f.later
    traveller = isinstance(item.scan, TravellerScan)
    return Alert(
        alert_id=correlation_alert_id(f.code, a.event_id, b.event_id),
        event_id=b.event_id, raised_at=now, priority=priority,
        checkpoint_id=b.checkpoint_id, terminal_id=b.terminal_id,
        # `hit` is required since v1: here it names the pattern (category and record id
        # are its code; the list is the one the scanned kind is screened against first).
        hit=Hit(list="sltd" if traveller else "smv", record_id=f.code, score=1.0,
                matched_on=MATCHED_ON[f.code], category=f.code),
        subject=_subject(item),
        record={"code": f.code, "sightings": [_sighting_json(a), _sighting_json(b)]},
        scan_kind="traveller" if traveller else "vehicle",
        kind="correlation", reference=reference_of(b.event_id), case_id=key_case(key),
        correlation=Correlation(code=f.code, event_ids=[a.event_id, b.event_id],
                                checkpoints=[a.checkpoint_id, b.checkpoint_id],
                                explanation=f.explanation))


class Correlator:
    def __init__(self, redis: AnyRedis, settings: Settings, digests: Digester,
                 sites: Callable[[], Sites], metrics: Any = None) -> None:
        self.settings = settings
        self.state = CorrelationState(redis, settings.redis_prefix,
                                      settings.correlation_max_sightings)
        self.digests = digests
        self.sites = sites
        self.metrics = metrics
        self.windows = Windows.of(settings)
        self.priority_of: PriorityOf = PRIORITY.__getitem__
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def _filings(self, items: Sequence[Screened]) -> list[tuple[Screened, Filed]]:
        out = []
        for item in items:
            r, p = item.result, item.prepared
            # Only scans the lists answered: a rejected or unverified one proves nothing.
            if p is None or r is None or item.deadletter is not None:
                continue
            if r.outcome not in ("clear", "hit"):
                continue
            out += [(item, f) for f in filings(p, r, item.raw.site, self.digests)]
        return out

    async def correlate(self, items: Sequence[Screened]) -> list[Alert]:
        """Adds each pattern's alert to the scan that completed it; returns them. Redis
        failing leaves the batch uncorrelated (counted, logged), never unanswered."""
        try:
            return await self._correlate(items)
        except Exception as exc:  # a bug of ours must not stop the stream
            log.exception("correlation failed")
            self._failed(exc, len(items))
            return []

    async def _correlate(self, items: Sequence[Screened]) -> list[Alert]:
        pending = self._filings(items)
        if not pending:
            return []
        doc_window = self.settings.correlation_document_window_h * 3600
        retro = self.settings.retroactive_window_h * 3600
        ttl = [key_ttl_s(f.kind, self.windows, doc_window, retro) for _, f in pending]
        try:
            others = await asyncio.wait_for(
                self.state.observe([f for _, f in pending], ttl, ttl),
                timeout=self.settings.lookup_budget_s)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc, len(pending))
            return []
        sites, now = self.sites(), self.clock()
        raised: dict[str, Alert] = {}
        by_item: dict[int, list[tuple[Finding, str]]] = {}
        for (item, f), seen in zip(pending, others, strict=True):
            by_item.setdefault(id(item), []).extend(
                (x, f.key) for x in findings(f.kind, f.sighting, seen, sites, self.windows))
        for item, _ in pending:
            found = by_item.pop(id(item), None)
            if not found:
                continue
            # Two gates too far apart for one person: not a person trying another gate.
            impossible = {(x.earlier.event_id, x.later.event_id) for x, _ in found
                          if x.code == "DOCUMENT_SIMULTANEOUS_USE"}
            for x, key in found:
                if x.code == "GATE_SHOPPING" and (x.earlier.event_id,
                                                  x.later.event_id) in impossible:
                    continue
                alert = correlation_alert(x, item, now, self.priority_of(x.code), key)
                if alert.alert_id in raised:
                    continue  # found under two keys (a document and its holder)
                raised[alert.alert_id] = alert
                item.alerts.append(alert)
                if self.metrics is not None:
                    self.metrics.correlations.labels(x.code).inc()
                # Counted by the metric; one line each only when debugging (at a busy
                # event they would crowd everything else out of the log).
                log.debug("correlation", extra=kv(code=x.code, alert_id=alert.alert_id,
                                                  event_id=alert.event_id))
        return list(raised.values())

    def _failed(self, exc: BaseException, n: int) -> None:
        log.warning("correlation state unavailable; batch not correlated",
                    extra=kv(error=type(exc).__name__, filings=n))
        if self.metrics is not None:
            self.metrics.correlation_errors.inc()
