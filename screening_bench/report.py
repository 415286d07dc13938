"""The benchmark's figures: percentiles, the machine they ran on, files and a table."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds (nearest-rank), from seconds."""
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)

    def rank(q: float) -> float:
        k = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
        return round(ordered[k] * 1000, 3)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99),
            "max": round(ordered[-1] * 1000, 3)}


# The latency targets, end to end, at half the sustained rate.
TARGET_P50_MS = 5.0
TARGET_P99_MS = 25.0


def meets_targets(run: dict[str, Any]) -> bool:
    """A latency run within the targets, every result in."""
    lat = run["latency_ms"]
    return (not run.get("results_missing") and lat["p50"] <= TARGET_P50_MS
            and lat["p99"] <= TARGET_P99_MS)


def within_targets(runs: list[dict[str, Any]]) -> float | None:
    """The highest rate of a sweep whose run met the targets (None: none did)."""
    rates = [r["rate_scans_per_s"] for r in runs if meets_targets(r)]
    return max(rates) if rates else None


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    redis_version = ""
    try:
        out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True,
                             timeout=5).stdout
        redis_version = out.split("v=", 1)[1].split()[0] if "v=" in out else out.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": mem_gb,
            "python": platform.python_version(), "os": platform.platform(),
            "redis": redis_version, "load_average": os.getloadavg()}


def write(figures: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"bench-{stamp}.json"
    data = orjson.dumps(figures, option=orjson.OPT_INDENT_2) + b"\n"
    path.write_bytes(data)
    (out_dir / "latest.json").write_bytes(data)
    (out_dir / "latest.md").write_text(table(figures))
    return path


def _load(avg: Any) -> str:
    return "/".join(f"{x:.2f}" for x in avg) if avg else "?"


def _split(run: dict[str, Any]) -> str:
    """p50 and p99 up to the worker's decision and after it (older runs: nothing)."""
    before, after = run.get("to_decision_ms"), run.get("after_decision_ms")
    if not before or not after:
        return ""
    return (f"; to decision p50 {before['p50']} / p99 {before['p99']} ms, after it "
            f"p50 {after['p50']} / p99 {after['p99']} ms")


def _quarter(q: Any) -> str:
    if not q:
        return "not run"
    lat = q["latency_ms"]
    return (f"{q['rate_scans_per_s']:,.0f} scans/s: p50 {lat['p50']} ms, p95 {lat['p95']} ms, "
            f"p99 {lat['p99']} ms, max {lat['max']} ms{_split(q)}")


def _sweep(f: dict[str, Any]) -> str:
    runs = f.get("latency_sweep") or []
    if len(runs) < 2:
        return "not run"
    steps = "; ".join(
        f"{r['rate_scans_per_s']:,.0f}/s p50 {r['latency_ms']['p50']:.1f} / p99 "
        f"{r['latency_ms']['p99']:.1f} ms{' (met)' if r['within_targets'] else ''}"
        for r in runs)
    best = f.get("within_targets_scans_per_s")
    verdict = (f"within the targets up to {best:,.0f} scans/s, "
               f"{100 * best / f['throughput_scans_per_s']:.0f} % of the sustained rate"
               if best else "no swept rate within the targets")
    return f"{steps}: {verdict}"


def _scaling(s: dict[str, Any]) -> str:
    if not s:
        return "not run"
    return (f"{s['workers']} workers, {s['partitions']} partitions: "
            f"{s['throughput_scans_per_s']:,.0f} scans/s, {s['speedup_vs_one_worker']:.2f}× "
            f"one worker ({s['cpu_us_per_scan']:,.0f} µs CPU/scan, max RSS {s['rss_mb']:.0f} MB "
            "per worker)")


def _ceiling(f: dict[str, Any]) -> str:
    rate = f.get("kafka_ceiling_scans_per_s")
    if not rate:
        return "not run"
    runs = ", ".join(f"{r:,.0f}" for r in f.get("kafka_ceiling_runs_scans_per_s", []))
    cpu = f.get("kafka_ceiling_cpu_us_per_scan") or 0
    per_core = f", ≈ {1e6 / cpu:,.0f} scans/s per dedicated core" if cpu else ""
    return (f"{rate:,.0f} scans/s (runs {runs}; {cpu:,.1f} µs CPU/scan{per_core}); the worker "
            f"drains at {f['share_of_kafka_ceiling'] * 100:.1f} % of it")


def _security(f: dict[str, Any]) -> str:
    off = f.get("security_off_throughput_scans_per_s")
    if not off:
        return "not measured (screening bench --plaintext-broker URL)"
    on = ", ".join(f"{r:,.0f}" for r in f.get("security_on_runs_scans_per_s", []))
    runs = ", ".join(f"{r:,.0f}" for r in f.get("security_off_runs_scans_per_s", []))
    return (f"{f['security_cost']:.1%} of throughput (medians of interleaved drains): "
            f"{f['security_on_throughput_scans_per_s']:,.0f} secured (runs {on}) against "
            f"{off:,.0f} scans/s off (runs {runs}; "
            f"{f.get('security_off_cpu_us_per_scan', 0):,.0f} µs worker CPU/scan off)")


def _part_cost(f: dict[str, Any], name: str, flag: str, target: str, on_word: str) -> str:
    """A part of the worker (the search audit, correlation) on against off in turns."""
    off = f.get(f"{name}_off_throughput_scans_per_s")
    if not off:
        return f"not measured (screening bench {flag})"
    on = f.get(f"{name}_on_throughput_scans_per_s") or 0
    runs_on = ", ".join(f"{r:,.0f}" for r in f.get(f"{name}_on_runs_scans_per_s", []))
    runs_off = ", ".join(f"{r:,.0f}" for r in f.get(f"{name}_off_runs_scans_per_s", []))
    cpu_on = f.get(f"{name}_on_cpu_us_per_scan") or 0
    cpu_off = f.get(f"{name}_off_cpu_us_per_scan") or 0
    cpu_cost = f.get(f"{name}_cpu_cost")
    return (f"{f[f'{name}_cost']:.1%} of throughput (target {target}): {on:,.0f} scans/s "
            f"{on_word} against {off:,.0f} without (runs {runs_on} / {runs_off}, in turns); "
            f"worker CPU {cpu_on:,.0f} against {cpu_off:,.0f} µs/scan"
            + (f" (+{cpu_cost:.1%})" if cpu_cost is not None else ""))


def _lean(f: dict[str, Any]) -> str:
    """The lean job against the worker, drained in turns (run._lean_figures)."""
    rate = f.get("lean_throughput_scans_per_s")
    if not rate:
        return "not run"
    worker = f["lean_worker_throughput_scans_per_s"]
    runs = ", ".join(f"{r:,.0f}" for r in f.get("lean_runs_scans_per_s", []))
    wruns = ", ".join(f"{r:,.0f}" for r in f.get("lean_worker_runs_scans_per_s", []))
    hits = (f"; hits {f['lean_outcomes'].get('hit', 0):,} (lean, exact keys) against "
            f"{f['lean_worker_outcomes'].get('hit', 0):,} (worker)"
            if f.get("lean_outcomes") and f.get("lean_worker_outcomes") else "")
    return (f"the worker drains at {f['worker_share_of_lean']:.1%} of the lean job's rate "
            f"(goal ≥ 50 %): lean {rate:,.0f} scans/s (runs {runs}; "
            f"{f['lean_cpu_us_per_scan']:,.1f} µs CPU/scan, Redis "
            f"{f['lean_redis_cpu_us_per_scan']:,.1f} µs), worker {worker:,.0f} scans/s (runs "
            f"{wruns}; {f['lean_worker_cpu_us_per_scan']:,.1f} µs CPU/scan, Redis "
            f"{f['lean_worker_redis_cpu_us_per_scan']:,.1f} µs){hits}")


_STAGE_NAMES = {"decode": "decode and validation", "prepare": "prepare",
                "lookup": "look-ups (client side)", "decide": "decide",
                "serialise": "result and alert JSON", "audit": "search audit record",
                "correlation": "correlation keys"}


def _stages(f: dict[str, Any]) -> str:
    st = f.get("worker_stages")
    if not st:
        return "not run"
    parts = ", ".join(f"{_STAGE_NAMES.get(k, k)} {v:,.1f}"
                      for k, v in st["cpu_us_per_scan"].items())
    return (f"{parts}: {st['total_cpu_us_per_scan']:,.1f} µs in all; the rest (Faust's "
            "delivery and acks, the Kafka client, publishing, metrics, correlation's round "
            "trip, garbage collection: the worker's "
            f"{st['worker_drain_cpu_us_per_scan']:,.1f} µs a scan in the "
            f"{st['worker_drain_source']} minus these) {st['rest_cpu_us_per_scan']:,.1f} µs")


def table(f: dict[str, Any]) -> str:
    lat = f["latency_ms"]
    m = f["machine"]
    runs = ", ".join(f"{r:,.0f}" for r in f.get("throughput_runs_scans_per_s", []))
    bruns = ", ".join(f"{r:,.0f}" for r in f.get("baseline_runs_scans_per_s", []))
    rows = [
        ("sustained throughput (median)", f"{f['throughput_scans_per_s']:,.0f} scans/s "
                                          f"({f['workers']} worker(s), {f['partitions']} "
                                          f"partitions; runs {runs})"),
        ("worker CPU per scan", f"{f.get('worker_cpu_us_per_scan', 0):,.0f} µs "
                                f"(≈ {1e6 / f['worker_cpu_us_per_scan']:,.0f} scans/s per "
                                "dedicated core)" if f.get("worker_cpu_us_per_scan") else "n/a"),
        ("services' CPU per scan (drain)",
         f"Redis {f.get('redis_cpu_us_per_scan', 0):,.0f} µs, Kafka broker "
         f"{f.get('kafka_cpu_us_per_scan', 0):,.0f} µs (whole processes: others' load "
         "included)"),
        ("baseline (one scan at a time, awaited look-ups)",
         f"{f['baseline_throughput_scans_per_s']:,.0f} scans/s (runs {bruns}; "
         f"{f.get('baseline_cpu_us_per_scan', 0):,.0f} µs CPU/scan)"),
        ("ratio", f"{f['speedup_vs_baseline']:.1f}×" if f["speedup_vs_baseline"] else "n/a"),
        ("cost of security (SASL_SSL + ACLs, Redis TLS; against plaintext in the same run)",
         _security(f)),
        ("cost of the search audit (a `search` record per scan; against the same drain with "
         "SCREENING_AUDIT_SEARCHES=false in the same run)",
         _part_cost(f, "audit", "--compare-audit", "≤ 10 %", "audited")),
        ("cost of correlation and retroactive screening (against the same drain with "
         "SCREENING_CORRELATION=false in the same run)",
         _part_cost(f, "correlation", "--compare-correlation", "≤ 20 %", "correlated")),
        ("Kafka ceiling (the same drain through a pass-through process: same client, fetch "
         "and output batching, no screening)", _ceiling(f)),
        ("lean job against the worker (issue 25: a hand-written aiokafka job with exact "
         "look-ups only, one Redis round trip a batch; the same backlog, each process "
         "started on it, in turns)", _lean(f)),
        ("worker CPU per scan by stage (offline: the engine's functions over the same "
         "scans in the worker's batches, fresh process, GC off)", _stages(f)),
        (f"latency at {f['latency_rate_scans_per_s']:,.0f} scans/s (half the sustained rate)",
         f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, max {lat['max']} ms "
         f"({f.get('latency_worker_cpu_us_per_scan', 0):,.0f} µs worker CPU/scan in small "
         f"batches{_split(f.get('latency_split') or {})})"),
        ("latency at a quarter of the sustained rate", _quarter(f.get("latency_quarter_rate"))),
        (f"latency sweep (targets: p50 ≤ {TARGET_P50_MS:.0f} ms, p99 ≤ {TARGET_P99_MS:.0f} ms)",
         _sweep(f)),
        ("worker memory (max RSS)", f"{f['worker_rss_mb']:.0f} MB"),
        ("scaling", _scaling(f.get("scaling") or {})),
        ("lists", ", ".join(f"{k} {v:,}" for k, v in f["lists"].items())),
        ("scans", f"{f['scans']:,} (throughput), {f['latency_scans']:,} (latency), "
                  f"{f['baseline_scans']:,} (baseline)"),
        ("machine", f"{m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB, Redis {m['redis']}, "
                    f"load average {_load(f.get('load_average_before'))} before, "
                    f"{_load(m['load_average'])} after (Kafka, Redis, the benchmark and "
                    "the workers share these cores)"),
        ("run at", f["run_at"]),
    ]
    lines = ["| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines) + "\n"
