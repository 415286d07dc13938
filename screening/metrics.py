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
STEP_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 4 * 3600.0)
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Batches are at most settings.batch_size scans.
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)


# Terminals followed by screening_terminal_last_scan_timestamp_seconds: terminal ids come
# from scans, and a label per id must not grow without bound.
MAX_TERMINALS = 5000

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
    escalations: Counter
    exercise_scans: Counter
    watchlist_loaded: Gauge
    terminal_last_scan: Gauge
    checkpoint_hits: Counter
    alert_steps: Counter
    step_latency: Histogram
    unacknowledged: Gauge
    oldest_unacknowledged: Gauge
    correlations: Counter
    correlation_errors: Counter
    mode: Gauge
    mode_changes: Counter
    forwarded_repeats: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> Metrics:
        r = registry if registry is not None else CollectorRegistry()
        made = cls(
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
            escalations=Counter("screening_alerts_escalated_total",
                                "Critical alerts nobody acted on in time, raised to supervisors",
                                ["priority"], registry=r),
            exercise_scans=Counter("screening_exercise_scans_total",
                                   "Drill scans (marked exercise), kept out of the others",
                                   ["kind", "outcome"], registry=r),
            watchlist_loaded=Gauge("screening_watchlist_loaded_timestamp_seconds",
                                   "When the answering watchlist version was loaded "
                                   "(Unix time)", registry=r),
            terminal_last_scan=Gauge(
                "screening_terminal_last_scan_timestamp_seconds",
                f"When each terminal's last scan was answered (Unix time; at most "
                f"{MAX_TERMINALS} terminals are followed per worker)",
                ["site", "checkpoint", "terminal"], registry=r),
            checkpoint_hits=Counter(
                "screening_checkpoint_hits_total",
                "Scans answered hit, by site and checkpoint (the checkpoints of the "
                "terminals followed: the room's wall)", ["site", "checkpoint"], registry=r),
            alert_steps=Counter("screening_alert_steps_total",
                                "Steps of the hit procedure taken on alerts, by step",
                                ["decision"], registry=r),
            step_latency=Histogram("screening_alert_step_seconds",
                                   "From an alert raised to each step taken on it",
                                   ["decision"], buckets=STEP_BUCKETS, registry=r),
            unacknowledged=Gauge("screening_alerts_unacknowledged",
                                 "Critical referrals no step has been taken on yet (the same "
                                 "on every worker: read from the shared escalation timers)",
                                 registry=r),
            oldest_unacknowledged=Gauge(
                "screening_oldest_unacknowledged_seconds",
                "Age of the oldest critical referral no step has been taken on (0: none)",
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
            forwarded_repeats=Counter(
                "screening_forwarded_repeats_total",
                "Second copies of scans an edge forwarded, not answered again", registry=r),
        )
        # Exported at 0 from the start: "none escalated" is an answer a dashboard shows.
        made.escalations.labels("critical")
        return made


# The edge answers within its budget (settings.edge_budget_s, 300 ms) from the centre, or
# from its snapshot in a few milliseconds: dense from 1 ms to the budget and a little past
# it (a late central answer), sparse beyond, where only a stuck request would sit.
EDGE_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3,
                0.4, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class EdgeMetrics:
    """The edge's metrics (`screening edge`, GET /metrics), from one injected registry."""

    registry: CollectorRegistry
    requests: Counter
    answers: Counter
    latency: Histogram
    link_up: Gauge
    stored: Gauge
    updates: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> EdgeMetrics:
        r = registry if registry is not None else CollectorRegistry()
        return cls(
            registry=r,
            requests=Counter("screening_edge_requests_total",
                             "HTTP requests, by route and status", ["route", "status"],
                             registry=r),
            answers=Counter("screening_edge_answers_total",
                            "Scans answered, by source (central or offline) and outcome",
                            ["source", "outcome"], registry=r),
            latency=Histogram("screening_edge_answer_latency_seconds",
                              "From the request's body read to its answer, by source",
                              ["source"], buckets=EDGE_BUCKETS, registry=r),
            link_up=Gauge("screening_edge_link_up", "1 while the link to the broker is up",
                          registry=r),
            stored=Gauge("screening_edge_stored_scans",
                         "Scans answered offline, by state (pending: to forward)", ["state"],
                         registry=r),
            updates=Counter("screening_edge_snapshot_updates_total",
                            "Live list updates, by result (applied, stale, refused)",
                            ["result"], registry=r),
        )
