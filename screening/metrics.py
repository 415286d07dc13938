"""Every Prometheus metric of the worker, built from one injected registry.

Latency buckets: a terminal's officer waits for the answer, and the budget is tens of
milliseconds end to end (p50 ≤ 5 ms, p99 ≤ 25 ms at half the sustained rate), with
2 s as the hard ceiling past which a scan is answered `unverified`. The buckets are
dense from 0.5 ms to 50 ms, where the budget is judged, and sparse up to 10 s, so
that a backlog (lag) still shows where it sits.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0,
)
# Watchlist updates are judged against p99 ≤ 100 ms from issue to applied.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Batches are at most settings.batch_size scans.
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    scans: Counter
    hits: Counter
    alerts: Counter
    deadletters: Counter
    warnings: Counter
    decision_latency: Histogram
    processing_latency: Histogram
    batch_size: Histogram
    lookup_errors: Counter
    watchlist_version: Gauge
    watchlist_records: Gauge
    updates: Counter
    updates_refused: Counter
    update_latency: Histogram
    consumer_lag: Gauge
    correlations: Counter
    correlation_errors: Counter
    mode: Gauge
    mode_changes: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> Metrics:
        r = registry if registry is not None else CollectorRegistry()
        return cls(
            registry=r,
            scans=Counter("screening_scans_total", "Scans answered, by kind and outcome",
                          ["kind", "outcome"], registry=r),
            hits=Counter("screening_hits_total", "Watchlist hits, by list and category",
                         ["list", "category"], registry=r),
            alerts=Counter("screening_alerts_total", "Alerts raised, by priority",
                           ["priority"], registry=r),
            deadletters=Counter("screening_deadletters_total", "Inputs dead-lettered, by reason",
                                ["topic", "reason"], registry=r),
            warnings=Counter("screening_warnings_total", "Warnings attached to results, by code",
                             ["code"], registry=r),
            decision_latency=Histogram(
                "screening_decision_latency_seconds",
                "From scanned_at (terminal clock) to the result produced",
                ["kind"], buckets=LATENCY_BUCKETS, registry=r),
            processing_latency=Histogram(
                "screening_processing_latency_seconds",
                "From the scan read off Kafka to its result produced (worker-internal)",
                ["kind"], buckets=LATENCY_BUCKETS, registry=r),
            batch_size=Histogram("screening_batch_size_scans",
                                 "Scans screened per Redis round trip",
                                 ["kind"], buckets=BATCH_BUCKETS, registry=r),
            lookup_errors=Counter("screening_lookup_errors_total",
                                  "Failed watchlist look-ups (Redis errors, timeouts, no lists)",
                                  ["reason"], registry=r),
            watchlist_version=Gauge("screening_watchlist_version_info",
                                    "The watchlist version answering (value 1)", ["version"],
                                    registry=r),
            watchlist_records=Gauge("screening_watchlist_records", "Records loaded, by list",
                                    ["list"], registry=r),
            updates=Counter("screening_watchlist_updates_total",
                            "Live updates, by list, op and result",
                            ["list", "op", "result"], registry=r),
            updates_refused=Counter(
                "screening_watchlist_updates_refused_total",
                "Live updates refused and alerted: UNSIGNED_UPDATE, BAD_SIGNATURE (unknown key "
                "or wrong signature), ISSUED_AHEAD (dated ahead of the worker's clock), "
                "REPLAYED_UPDATE (applied already, sent again)",
                ["reason"], registry=r),
            update_latency=Histogram("screening_watchlist_update_latency_seconds",
                                     "From an update's issued_at to applied in Redis",
                                     buckets=UPDATE_BUCKETS, registry=r),
            consumer_lag=Gauge("screening_consumer_lag_messages",
                               "Messages behind the end of each partition", ["topic", "partition"],
                               registry=r),
            correlations=Counter("screening_correlations_total",
                                 "Correlation alerts raised, by code", ["code"], registry=r),
            correlation_errors=Counter(
                "screening_correlation_errors_total",
                "Batches whose correlation state could not be read or written (their scans "
                "were answered, uncorrelated)", registry=r),
            mode=Gauge("screening_mode_info", "The mode in force (1), with its profile",
                       ["mode", "profile"], registry=r),
            mode_changes=Counter("screening_mode_changes_total",
                                 "Mode changes read, by result and code", ["result", "code"],
                                 registry=r),
        )
