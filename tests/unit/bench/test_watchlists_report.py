"""The watchlist benchmark's report: a part skipped by this run keeps the last figures."""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson

from screening_bench.watchlists import _keep_skipped, markdown

MACHINE = {"cores": 2, "cpu": "x", "memory_gb": 1, "redis": "7", "python": "3.11",
           "load_average": [0.1, 0.2, 0.3]}
MEMORY = [{"set": "1 M", "list": "sltd", "records": 1000, "bytes_per_record": 44.0,
           "sampled_bytes_per_record": 43.0, "load_seconds": 1.0, "load_records_per_s": 1000,
           "workers": None, "redis_cpu_us_per_record": 2.6, "loader_cpu_us_per_record": 1.9,
           "server_config": {"hash-max-listpack-entries": "512"}}]
LATENCY = [{"scan_rate_target": 5000.0, "scan_rate_sent": 4999, "scans_screened": 10,
            "scans_sent": 10, "updates_applied": 6, "updates_sent": 6, "sltd_records": 1000,
            "p50_ms": 5.0, "p99_ms": 50.0}]


def _args(**kw: bool) -> argparse.Namespace:
    return argparse.Namespace(no_memory=kw.get("no_memory", False),
                              no_latency=kw.get("no_latency", False))


def test_a_latency_only_run_keeps_the_last_memory_figures(tmp_path: Path) -> None:
    previous = tmp_path / "watchlists.json"
    previous.write_bytes(orjson.dumps({"run_at": "2026-11-28T01:00:00+00:00",
                                       "machine": MACHINE, "memory": MEMORY,
                                       "update_latency": []}))
    figures = {"run_at": "2026-11-29T07:00:00+00:00", "machine": MACHINE, "memory": [],
               "update_latency": LATENCY}
    _keep_skipped(figures, previous, _args(no_memory=True))
    assert figures["memory"] == MEMORY
    assert figures["memory_run_at"] == "2026-11-28T01:00:00+00:00"
    text = markdown(figures)
    assert "Kept from the run of 2026-11-28T01:00:00+00:00" in text
    assert "| 1 M | sltd | 1,000 | 44.0 |" in text
    assert "| 5,000 | 4,999 |" in text


def test_a_full_run_replaces_everything(tmp_path: Path) -> None:
    previous = tmp_path / "watchlists.json"
    previous.write_bytes(orjson.dumps({"run_at": "old", "memory": MEMORY,
                                       "update_latency": LATENCY}))
    figures = {"run_at": "new", "machine": MACHINE, "memory": [], "update_latency": []}
    _keep_skipped(figures, previous, _args())
    assert figures["memory"] == [] and "memory_run_at" not in figures
    assert "Kept from" not in markdown(figures)


def test_a_run_of_some_lists_keeps_the_other_lists_rows(tmp_path: Path) -> None:
    previous = tmp_path / "watchlists.json"
    smv = {**MEMORY[0], "list": "smv", "records": 500}
    notice_old = {**MEMORY[0], "list": "notice", "records": 20, "load_records_per_s": 1}
    previous.write_bytes(orjson.dumps({"run_at": "2026-11-28T01:00:00+00:00",
                                       "memory": [MEMORY[0], notice_old, smv],
                                       "update_latency": LATENCY}))
    notice_new = {**notice_old, "load_records_per_s": 9}
    figures = {"run_at": "new", "machine": MACHINE, "memory": [notice_new],
               "update_latency": []}
    args = argparse.Namespace(no_memory=False, no_latency=True, lists=["notice"])
    _keep_skipped(figures, previous, args)
    assert [r["list"] for r in figures["memory"]] == ["sltd", "notice", "smv"]
    assert figures["memory"][1]["load_records_per_s"] == 9  # this run's, not the old
    text = markdown(figures)
    assert "Rows of sltd, smv kept from the run of 2026-11-28T01:00:00+00:00" in text
    assert "measured notice only" in text
