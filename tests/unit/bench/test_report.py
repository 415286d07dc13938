"""The benchmark's latency sweep: which rates met the targets, and the table's row."""

from __future__ import annotations

from typing import Any

from screening_bench.report import meets_targets, table, within_targets


def run(rate: float, p50: float, p99: float, missing: int = 0) -> dict[str, Any]:
    return {"rate_scans_per_s": rate, "results_missing": missing,
            "latency_ms": {"p50": p50, "p95": p99, "p99": p99, "max": p99}}


def test_a_run_meets_the_targets_only_with_both_percentiles_and_every_result() -> None:
    assert meets_targets(run(1000, 5.0, 25.0))
    assert not meets_targets(run(1000, 5.1, 10.0))
    assert not meets_targets(run(1000, 3.0, 25.1))
    assert not meets_targets(run(1000, 3.0, 10.0, missing=1))


def test_the_highest_rate_within_the_targets_is_reported() -> None:
    # The tail is noisy: a lower rate may miss where a higher one met.
    sweep = [run(500, 3.0, 30.0), run(1000, 4.0, 9.0), run(1500, 6.0, 20.0)]
    assert within_targets(sweep) == 1000
    assert within_targets([run(500, 9.0, 30.0)]) is None


def figures(**extra: Any) -> dict[str, Any]:
    f: dict[str, Any] = {
        "throughput_scans_per_s": 4000.0, "throughput_runs_scans_per_s": [4000.0],
        "workers": 1, "partitions": 4, "worker_cpu_us_per_scan": 120.0,
        "baseline_throughput_scans_per_s": 400.0, "speedup_vs_baseline": 10.0,
        "latency_ms": {"p50": 7.0, "p95": 20.0, "p99": 40.0, "max": 60.0},
        "latency_rate_scans_per_s": 2000.0, "worker_rss_mb": 150.0, "lists": {"sltd": 1},
        "scans": 1, "latency_scans": 1, "baseline_scans": 1, "run_at": "now",
        "machine": {"cores": 2, "cpu": "x", "memory_gb": 1, "redis": "7",
                    "load_average": [0, 0, 0]}}
    f.update(extra)
    return f


def test_the_table_names_the_rates_that_met_and_the_best() -> None:
    sweep = [dict(run(500, 3.0, 9.0), within_targets=True),
             dict(run(2000, 7.0, 40.0), within_targets=False)]
    text = table(figures(latency_sweep=sweep, within_targets_scans_per_s=500.0))
    row = next(line for line in text.splitlines() if "latency sweep" in line)
    assert "500/s p50 3.0 / p99 9.0 ms (met)" in row
    assert "2,000/s p50 7.0 / p99 40.0 ms;" not in row and "2,000/s p50 7.0 / p99 40.0 ms:" in row
    assert "up to 500 scans/s, 12 % of the sustained rate" in row
    none = table(figures(latency_sweep=[sweep[1], sweep[1]], within_targets_scans_per_s=None))
    assert "no swept rate within the targets" in none
    assert "| latency sweep (targets: p50 ≤ 5 ms, p99 ≤ 25 ms) | not run |" in table(figures())


def test_the_table_sets_the_worker_against_the_kafka_ceiling() -> None:
    text = table(figures(kafka_ceiling_scans_per_s=80000.0,
                         kafka_ceiling_runs_scans_per_s=[79000.0, 80000.0, 81000.0],
                         kafka_ceiling_cpu_us_per_scan=5.0, share_of_kafka_ceiling=0.05))
    row = next(line for line in text.splitlines() if "Kafka ceiling" in line)
    assert "80,000 scans/s (runs 79,000, 80,000, 81,000; 5.0 µs CPU/scan" in row
    assert "200,000 scans/s per dedicated core" in row and "at 5.0 % of it" in row
    assert "Kafka ceiling" in table(figures()) and "| not run |" in table(figures())


def test_the_table_sets_the_worker_against_the_lean_job_drained_in_turns() -> None:
    text = table(figures(
        lean_throughput_scans_per_s=40000.0, lean_runs_scans_per_s=[39000.0, 40000.0],
        lean_cpu_us_per_scan=20.0, lean_redis_cpu_us_per_scan=3.0,
        lean_outcomes={"clear": 95, "hit": 5}, lean_worker_throughput_scans_per_s=8000.0,
        lean_worker_runs_scans_per_s=[8000.0, 7000.0], lean_worker_cpu_us_per_scan=120.0,
        lean_worker_redis_cpu_us_per_scan=20.0, lean_worker_outcomes={"clear": 92, "hit": 8},
        worker_share_of_lean=0.2))
    row = next(line for line in text.splitlines() if line.startswith("| lean job"))
    assert "the worker drains at 20.0% of the lean job's rate (goal ≥ 50 %)" in row
    assert "lean 40,000 scans/s (runs 39,000, 40,000; 20.0 µs CPU/scan" in row
    assert "worker 8,000 scans/s (runs 8,000, 7,000; 120.0 µs CPU/scan" in row
    assert "hits 5 (lean, exact keys) against 8 (worker)" in row
    assert next(line for line in table(figures()).splitlines()
                if line.startswith("| lean job")).endswith("| not run |")


def test_the_table_gives_the_workers_cpu_by_stage_and_the_rest_of_a_drain() -> None:
    stages = {"cpu_us_per_scan": {"decode": 10.0, "prepare": 40.0, "lookup": 8.0,
                                  "decide": 20.0, "serialise": 3.0, "audit": 9.0,
                                  "correlation": 7.0},
              "total_cpu_us_per_scan": 90.0, "worker_drain_cpu_us_per_scan": 130.0,
              "worker_drain_source": "lean pairs", "rest_cpu_us_per_scan": 40.0}
    row = next(line for line in table(figures(worker_stages=stages)).splitlines()
               if "by stage" in line)
    assert "decode and validation 10.0, prepare 40.0, look-ups (client side) 8.0" in row
    assert "search audit record 9.0, correlation keys 7.0: 90.0 µs in all" in row
    assert "90.0 µs in all" in row and "130.0 µs a scan in the lean pairs" in row
    assert row.endswith("40.0 µs |")
