"""A quick run of `screening bench` keeps the benchmark working; its speed is not judged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from screening.settings import Settings
from tests.support.services import env_for, screening_cmd

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_bench_runs_end_to_end_and_writes_its_figures(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        screening_cmd("bench", "--scans", "600", "--latency-scans", "300",
                      "--baseline-scans", "100", "--repeats", "1", "--scale-workers", "2",
                      "--sltd", "2000", "--notices", "300",
                      "--smv", "500", "--out", str(out), "--json", "--timeout", "240"),
        env=env_for(settings), capture_output=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    figures = orjson.loads(done.stdout.splitlines()[-1])
    for key in ("throughput_scans_per_s", "baseline_throughput_scans_per_s", "worker_rss_mb"):
        assert figures[key] > 0, key
    assert set(figures["latency_ms"]) == {"p50", "p95", "p99", "max"}
    assert figures["latency_results_missing"] == 0
    assert figures["worker_cpu_us_per_scan"] > 0
    assert figures["kafka_ceiling_scans_per_s"] > 0 and figures["share_of_kafka_ceiling"] > 0
    assert len(figures["kafka_ceiling_runs_scans_per_s"]) == 1
    # The lean job and the worker drained in turns: every scan answered by each, the
    # lean job's exact keys finding some of the designed hits, the worker more.
    assert figures["lean_throughput_scans_per_s"] > 0 and figures["worker_share_of_lean"] > 0
    lean, worker = figures["lean_outcomes"], figures["lean_worker_outcomes"]
    assert sum(lean.values()) == sum(worker.values()) == 600
    assert 0 < lean.get("hit", 0) <= worker.get("hit", 0)
    stages = figures["worker_stages"]
    assert stages["answered"] == 600 and all(v > 0 for v in stages["cpu_us_per_scan"].values())
    assert stages["rest_cpu_us_per_scan"] == round(
        stages["worker_drain_cpu_us_per_scan"] - stages["total_cpu_us_per_scan"], 1)
    assert figures["scaling"]["workers"] == 2 and figures["scaling"]["throughput_scans_per_s"] > 0
    assert figures["latency_ms"]["p50"] <= figures["latency_ms"]["max"]
    # No --rate: a sweep up to half the sustained rate, the last run being that half.
    sweep = figures["latency_sweep"]
    assert [round(r["rate_scans_per_s"] / sweep[-1]["rate_scans_per_s"], 2) for r in sweep] \
        == [0.25, 0.5, 0.75, 1.0]
    assert sweep[-1]["rate_scans_per_s"] == figures["latency_rate_scans_per_s"]
    assert all(r["results_missing"] == 0 for r in sweep)
    assert "within_targets_scans_per_s" in figures
    assert (out / "latest.json").exists() and (out / "latest.md").read_text().startswith("|")
