"""`screening bench`: throughput and latency through Kafka, against a baseline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("bench", help="benchmark the worker end to end (see README)")
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scans", type=int, default=60_000, help="scans for the throughput run")
    p.add_argument("--latency-scans", type=int, default=None,
                   help="scans for each latency run (default: 10 s at its rate)")
    p.add_argument("--baseline-scans", type=int, default=3_000, help="scans for the baseline")
    p.add_argument("--rate", type=float, default=None,
                   help="latency-run rate in scans/s (default: an eighth, a quarter, three "
                        "eighths and half the sustained throughput)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--repeats", type=int, default=3,
                   help="throughput and baseline drains, median reported (default 3)")
    p.add_argument("--scale-workers", type=int, default=2,
                   help="also drain with this many workers on as many times the partitions "
                        "(default 2; 0 skips)")
    p.add_argument("--partitions", type=int, default=4, help="partitions per topic (default 4)")
    p.add_argument("--sltd", type=int, default=100_000)
    p.add_argument("--notices", type=int, default=20_000)
    p.add_argument("--smv", type=int, default=50_000)
    p.add_argument("--full-lists", action="store_true",
                   help="10 million SLTD, 120,000 notices, 1 million vehicles")
    p.add_argument("--hit-share", type=float, default=0.05)
    p.add_argument("--plaintext-broker", default=None, metavar="URL",
                   help="also drain the same scans through a broker started without "
                        "security (and Redis's plain port), for the cost of security in "
                        "the same run (`make bench` starts one on 19092)")
    p.add_argument("--plaintext-redis", default="redis://127.0.0.1:6379/0", metavar="URL",
                   help="Redis URL without TLS for that comparison (default: the plain port)")
    p.add_argument("--compare-audit", action="store_true",
                   help="also drain the same scans with the search audit off "
                        "(SCREENING_AUDIT_SEARCHES=false), for its cost in the same run")
    p.add_argument("--compare-correlation", action="store_true",
                   help="also drain the same scans with correlation off "
                        "(SCREENING_CORRELATION=false), for its cost in the same run")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--no-ceiling", action="store_true",
                   help="skip the Kafka ceiling (the same drain through a pass-through "
                        "process that reads and answers scans without screening them)")
    p.add_argument("--no-lean", action="store_true",
                   help="skip the lean job (a hand-written aiokafka job with exact look-ups "
                        "only, screening_bench/lean.py) drained in turns with the worker, "
                        "each started on the same backlog")
    p.add_argument("--no-stages", action="store_true",
                   help="skip the worker's CPU per scan by stage (screening_bench/stages.py, "
                        "the engine's functions offline over the same scans)")
    p.add_argument("--out", type=Path, default=Path("bench/results"),
                   help="folder for the figures (default bench/results)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")


def run(settings: Settings, args: argparse.Namespace) -> int:
    # The benchmark is a package of the repository beside the product (screening_bench),
    # imported only here: an installation without it still has every other command.
    try:
        from screening_bench.run import main
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("screening_bench"):
            raise
        print("screening bench: the benchmark (package screening_bench) is not installed; "
              "it comes with the repository: `pip install -e .` in a checkout",
              file=sys.stderr)
        return 2
    return main(settings, args)
