"""Screening a batch of raw scans against Redis: the one code path of worker and CLI.

A batch costs two round trips at most: one for every index field the batch needs
(with the version check), one for the records behind the candidates found. When
Redis fails, the batch is retried with a bounded backoff until the budget is spent,
then answered `unverified`: a list that cannot be consulted never yields `clear`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, compress
from typing import TYPE_CHECKING, Any, NamedTuple

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from screening.audit.digests import Digester, audit_key
from screening.clearance import Clearances, alert_field, clearable
from screening.clearance import apply as apply_clearances
from screening.core.codec import decode_scan, refusal
from screening.core.decide import (
    blob_refs,
    decide,
    decode_records,
    rejected,
    retroactive,
    unverified,
)
from screening.core.prepare import Prepared, prepare
from screening.deadletters import DEADLETTER_PAYLOAD_BYTES as DEADLETTER_PAYLOAD_BYTES
from screening.deadletters import Sealer, dead_letter, sealer_for
from screening.exceptions import InvalidScan, NoWatchlistLoaded, WatchlistUnavailable
from screening.logs import kv
from screening.models import Alert, CheckResult, DeadLetter, ScanKind, TravellerScan, VehicleScan
from screening.modes.profiles import DORMANT
from screening.settings import Settings
from screening.sites import Sites
from screening.watchlists.store import ListReader

if TYPE_CHECKING:  # prometheus_client is not needed by `screening screen`
    from screening.metrics import Metrics

log = logging.getLogger("screening.engine")
NO_VERSION = "none"


class RawScan(NamedTuple):
    """One message as read (a tuple: one is made per scan, cheaper than a dataclass)."""

    kind: ScanKind
    value: bytes | None
    topic: str = ""
    partition: int | None = None
    offset: int | None = None
    read_at: float = 0.0  # time.monotonic() when read off the wire
    # (code, message) when the scan is refused before decoding: `screening screen`
    # could not tell whether a line is a traveller or a vehicle.
    refused: tuple[str, str] | None = None
    # The site whose scan topic it came on (the worker); None: no site check (`screen`).
    site: str | None = None
    # A scan an edge answered offline and forwarded: the hits (`list:record_id`) its
    # snapshot found. None: answered here first.
    offline_hits: frozenset[str] | None = None


@dataclass(slots=True)
class Screened:
    raw: RawScan
    result: CheckResult | None = None
    alerts: list[Alert] = field(default_factory=list)
    deadletter: DeadLetter | None = None
    scanned_at: datetime | None = None
    # The decoded scan and what it searched, for its audit record (audit/records.py).
    scan: TravellerScan | VehicleScan | None = None
    prepared: Prepared | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dead_letter(raw: RawScan, code: str, message: str, now: datetime,
                 sealer: Sealer) -> DeadLetter:
    return dead_letter(raw.value, code, message, now, sealer=sealer, topic=raw.topic,
                       partition=raw.partition, offset=raw.offset)


def _error_reason(exc: BaseException) -> str:
    """A small fixed set of label values for screening_lookup_errors_total."""
    if isinstance(exc, NoWatchlistLoaded):
        return "no_watchlist"
    if isinstance(exc, TimeoutError | RedisTimeoutError):
        return "timeout"
    if isinstance(exc, WatchlistUnavailable):
        return "unavailable"
    return "redis_error"


class Screener:
    def __init__(self, store: ListReader, settings: Settings,
                 clock: Callable[[], datetime] = utcnow, metrics: Metrics | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.metrics = metrics
        self.last_version = NO_VERSION
        self.last_error: str | None = None
        self.circuit_open = False
        # The declared sites (the worker keeps them current); None: no site check.
        self.sites: Sites | None = None
        self.sealer = sealer_for(settings)
        # Namesake clearances (clearance.py): the worker sets where they are read; the
        # persons' digests need the audit key (none: no alert can be cleared).
        self.clearances: Clearances | None = None
        key = audit_key(settings)
        self.digester = Digester(key) if key is not None else None
        # Lists dormant in the mode in force (modes/profiles.py): the worker sets them
        # from the mode before each batch; anything else screens as in normal mode.
        self.dormant = DORMANT

    async def screen(self, batch: Sequence[RawScan]) -> list[Screened]:
        started = time.monotonic()
        out = [Screened(raw) for raw in batch]
        prepared: list[tuple[Screened, Prepared]] = []
        now = self.clock()
        for item in out:
            scan = None
            try:
                if item.raw.refused is not None:
                    raise refusal(*item.raw.refused, item.raw.value)
                scan = decode_scan(item.raw.kind, item.raw.value,
                                   max_bytes=self.settings.max_scan_bytes)
                item.scanned_at = scan.scanned_at
                item.scan = scan
                site = item.raw.site
                if (site is not None and self.sites is not None
                        and not self.sites.holds(site, scan.checkpoint_id)):
                    raise InvalidScan("SITE_MISMATCH",
                                      f"checkpoint is not one of site {site!r}'s checkpoints",
                                      event_id=scan.event_id, terminal_id=scan.terminal_id,
                                      checkpoint_id=scan.checkpoint_id)
                item.prepared = prepare(scan, self.settings)
                prepared.append((item, item.prepared))
            except InvalidScan as exc:
                item.deadletter = _dead_letter(item.raw, exc.code, exc.message, now, self.sealer)
                item.result = rejected(exc, item.raw.kind, version=self.last_version, now=now)
            except Exception as exc:  # a bug of ours must not stop the stream
                self._failed(item, exc, now, scan=scan)
        if prepared:
            await self._answer(prepared, started)
        return out

    def _failed(self, item: Screened, exc: Exception, now: datetime, scan: Any = None) -> None:
        """A scan our code could not handle: dead-lettered, and answered `unverified`
        (it was not screened, so never `clear`) when its ids are known."""
        log.exception("scan could not be processed", extra=kv(kind=item.raw.kind,
                                                              offset=item.raw.offset))
        item.alerts = []
        item.deadletter = _dead_letter(item.raw, "PROCESSING_ERROR",
                                       f"internal error: {type(exc).__name__}", now,
                                       self.sealer)
        if scan is not None:
            item.result = CheckResult(
                event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                terminal_id=scan.terminal_id, kind=item.raw.kind, outcome="unverified",
                warnings=["PROCESSING_ERROR"], decided_at=now, watchlist_version=self.last_version)

    async def _lookup(self, prepared: list[tuple[Screened, Prepared]],
                      fields: list[tuple[str, str]]) -> tuple[Any, dict[Any, Any], dict[Any, Any]]:
        version, values = await self.store.fetch(fields)
        # Only the look-ups that found something (most find nothing): the lists read
        # answers with .get(lookup, ()), and document_difference walks them all.
        answers = dict(compress(zip(fields, values, strict=True), values))
        # `fields` is every scan's look-ups one after the other (_answer): whether any of
        # a scan's found something is a slice of the values, not a look-up per field.
        at = 0
        for _, p in prepared:
            n = len(p.lookups)
            p.answered = any(values[at:at + n])
            at += n
        refs = list(dict.fromkeys(chain.from_iterable([blob_refs(p, answers)
                                                       for _, p in prepared])))
        blob_values = await self.store.fetch_blobs(version, refs)
        return version, answers, decode_records(dict(zip(refs, blob_values, strict=True)))

    async def _answer(self, prepared: list[tuple[Screened, Prepared]], started: float) -> None:
        """Look up and decide; retry within the budget, then answer `unverified`.

        Once a batch has given up (the circuit is open), the next batches try once
        and give up at once if that fails, so that a long outage answers terminals
        promptly instead of each batch waiting out the whole budget."""
        # Not deduplicated: the scans of a batch share about one look-up in 600, and
        # hashing every look-up cost more than reading those few twice. The answers keep
        # one value per look-up, each read during the one fetch, as any look-up is.
        fields = list(chain.from_iterable([p.lookups for _, p in prepared]))
        deadline = (min((s.raw.read_at for s, _ in prepared if s.raw.read_at), default=started)
                    + self.settings.lookup_budget_s)
        delay = 0.02
        while True:
            remaining = deadline - time.monotonic()
            try:
                version, answers, records = await asyncio.wait_for(
                    self._lookup(prepared, fields), timeout=max(0.05, remaining))
                break
            except (TimeoutError, RedisError, OSError, WatchlistUnavailable) as exc:
                self.last_error = type(exc).__name__
                if self.metrics is not None:
                    self.metrics.lookup_errors.labels(_error_reason(exc)).inc()
                remaining = deadline - time.monotonic()
                if isinstance(exc, NoWatchlistLoaded) or self.circuit_open or remaining <= delay:
                    if not self.circuit_open:
                        log.warning("lists unavailable, answering unverified",
                                    extra=kv(error=type(exc).__name__, scans=len(prepared)))
                    self.circuit_open = not isinstance(exc, NoWatchlistLoaded)
                    now = self.clock()
                    for item, p in prepared:
                        item.result = unverified(p, version=self.last_version, now=now)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.25)
            except Exception as exc:  # a bug of ours must not stop the stream (the agent
                now = self.clock()  # would die and every later scan go unanswered)
                for item, p in prepared:
                    self._failed(item, exc, now, scan=p.scan)
                return
        if self.circuit_open:
            log.warning("lists reachable again", extra=kv(version=version.id))
        self.circuit_open = False
        self.last_version = version.id
        self.last_error = None
        now = self.clock()
        for item, p in prepared:
            try:
                item.result, item.alerts = decide(p, answers, records, version=version.id,
                                                  now=now, threshold=self.settings.name_threshold,
                                                  dormant=self.dormant)
                if item.raw.offline_hits is not None:
                    item.alerts = retroactive(item.alerts, item.raw.offline_hits)
            except Exception as exc:  # a bug of ours must not stop the stream
                self._failed(item, exc, now, scan=p.scan)
        await self._namesakes(prepared, now)

    async def _namesakes(self, prepared: list[tuple[Screened, Prepared]], now: datetime) -> None:
        """Name matches carry the traveller's digest (an analyst clears a namesake by it),
        every traveller's alert its document number's (the console searches by it);
        clearances in force turn a cleared hit into a reminder (clearance.py). Only scans
        with such an alert, which are rare, pay the one look-up."""
        if self.digester is None:
            return
        pending = []
        for item, p in prepared:
            if not item.alerts or item.result is None or not isinstance(p.scan, TravellerScan):
                continue
            if p.document_fields:  # the console's search by a whole document number
                number = self.digester.digest("document_number",
                                              p.document_fields[0].partition("|")[0])
                item.alerts = [a.model_copy(update={"document_key": number})
                               for a in item.alerts]
            key = self.digester.subject(p)
            if key is None:
                continue
            item.alerts = [a.model_copy(update={"subject_key": key})
                           if a.hit.list != "sltd" else a for a in item.alerts]
            if self.clearances is not None and any(clearable(a) for a in item.alerts):
                pending.append(item)
        if not pending or self.clearances is None:
            return
        fields = [alert_field(a) for item in pending for a in item.alerts if clearable(a)]
        try:
            cleared = await asyncio.wait_for(self.clearances.in_force(fields, now),
                                             self.settings.lookup_budget_s)
        except (TimeoutError, RedisError, OSError) as exc:
            log.warning("clearances not read: the referrals stand",
                        extra=kv(error=type(exc).__name__, scans=len(pending)))
            return
        for item in pending:
            assert item.result is not None
            item.result, item.alerts = apply_clearances(item.result, item.alerts, cleared)
