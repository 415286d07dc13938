"""The compiled core against its Python reference on the same scans, in one process,
alternating (CPU time, garbage collector off, medians of the rounds): decoding one at a
time and in batches, MRZ parsing, and preparation as a whole (prepare.py with the
reference functions put back in place of the compiled ones).

    python eval/bench_native.py SCANS.ndjson [--rounds 5]

Run from the source tree (PYTHONPATH=.). Figures: bench/results/native.md.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screening.cli.screen import infer_kind
from screening.core import prepare as prepare_module
from screening.core.codec import _py_decode_scan, decode_scan, decode_scans
from screening.exceptions import InvalidScan
from screening.matching import mrz
from screening.settings import Settings

REFERENCE = prepare_module.REFERENCES
COMPILED = {name: getattr(prepare_module, name) for name in REFERENCE}


# try/except rather than contextlib.suppress in the timed loops: a context manager a
# scan would be timed too.


def cpu(fn: Callable[[], Any]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scans")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    big = settings.max_scan_bytes
    lines = [ln for ln in Path(args.scans).read_bytes().split(b"\n") if ln.strip()]
    kinds = [infer_kind(ln, "auto") for ln in lines]
    pairs = [(k, ln) for (k, refused), ln in zip(kinds, lines, strict=True) if refused is None]
    scans = []
    for k, ln in pairs:
        try:
            scans.append(decode_scan(k, ln, max_bytes=big))
        except InvalidScan:
            pass
    texts = [(s.document.mrz, s.scanned_at.date()) for s in scans
             if getattr(getattr(s, "document", None), "mrz", None)]
    by_kind: dict[str, list[bytes]] = {}
    for k, ln in pairs:
        by_kind.setdefault(k, []).append(ln)

    def decode_each(fn: Callable[..., Any]) -> Callable[[], None]:
        def run() -> None:
            for k, ln in pairs:
                try:
                    fn(k, ln, max_bytes=big)
                except InvalidScan:
                    pass
        return run

    def decode_batches() -> None:
        for k, group in by_kind.items():
            for i in range(0, len(group), 1000):
                decode_scans(k, group[i:i + 1000], max_bytes=big)  # type: ignore[arg-type]

    def parse(fn: Callable[..., Any]) -> Callable[[], None]:
        def run() -> None:
            for text, today in texts:
                try:
                    fn(text, today=today)
                except mrz.MrzFormatError:
                    pass
        return run

    def prepare_all(functions: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            for name, fn in functions.items():
                setattr(prepare_module, name, fn)
            for s in scans:
                try:
                    prepare_module.prepare(s, settings)
                except InvalidScan:
                    pass
            for name, fn in COMPILED.items():
                setattr(prepare_module, name, fn)
        return run

    cases = {
        "decode, reference (orjson + model_validate)": (decode_each(_py_decode_scan), len(pairs)),
        "decode, compiled, one call a scan": (decode_each(decode_scan), len(pairs)),
        "decode, compiled, one call per 1000": (decode_batches, len(pairs)),
        "parse_mrz, reference": (parse(mrz._py_parse_mrz), len(texts)),
        "parse_mrz, compiled": (parse(mrz.parse_mrz), len(texts)),
        "prepare, reference functions": (prepare_all(REFERENCE), len(scans)),
        "prepare, compiled functions": (prepare_all(COMPILED), len(scans)),
    }
    gc.collect()
    gc.disable()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (fn, n) in cases.items():
            times[name].append(cpu(fn) / n * 1e6)
    print(f"{len(pairs)} scans ({len(texts)} MRZs), {args.rounds} rounds, CPU µs per item, "
          "median (min-max):")
    for name, values in times.items():
        print(f"  {name:45s} {statistics.median(values):7.2f}  "
              f"({min(values):.2f}-{max(values):.2f})")


if __name__ == "__main__":
    main()
