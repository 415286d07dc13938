"""Microbenchmark of person matching: what one scan and one candidate cost on one core.

    python eval/bench_persons.py --data /tmp/mockset [--profile]

Reads an evaluation set (notices.ndjson, scans.ndjson from build_set.py or mock_set.py),
indexes the notices in memory as run_eval.py does, then times, per call:

* ``query_keys`` for a new name (name- and query-level caches cleared, token-level caches
  warm: a running worker has met most name tokens, a new combination is the common
  case), for a known name in a new query (another date of birth), and fully cold (every
  cache cleared: tokens never seen before);
* ``score`` per candidate, on each scan's real candidates, profile decoding excluded
  (decide.py decodes a batch's profiles once) and counted apart;
* ``notice_profile`` + ``notice_keys`` per notice (load time).

``--profile`` prints a cProfile of the scan path (keys, then scoring of the candidates).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from screening.matching import (
    name_keys,
    name_spelling,
    name_tokens,
    names,
    normalize,
    person_evidence,
    person_keys,
    person_prefilter,
    readings,
    scan_forms,
    translit,
)
from screening.matching.persons import PersonQuery, notice_keys, notice_profile, query_keys, score

THRESHOLD = 0.88


def _load(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line]


def _queries(scans: list[dict[str, Any]]) -> list[PersonQuery]:
    out = []
    for s in scans:
        for p in s.get("persons") or [s]:
            out.append(PersonQuery(p["surname"], p["given_names"], p["date_of_birth"],
                                   p["nationality"], p["sex"]))  # fmt: skip
    return out


def _clear_all() -> None:
    for module in (name_keys, name_spelling, name_tokens, names, normalize, person_evidence,
                   person_keys, person_prefilter, readings, scan_forms, translit):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--notices", type=int, default=0, help="index only this many (0: all)")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    notices = _load(args.data / "notices.ndjson")
    if args.notices:
        notices = notices[: args.notices]
    scans = _load(args.data / "scans.ndjson")
    queries = _queries(scans)

    t0 = time.perf_counter()
    profiles: dict[str, bytes] = {}
    index: dict[str, list[str]] = defaultdict(list)
    for rec in notices:
        prof = notice_profile(rec)
        profiles[rec["id"]] = orjson.dumps(prof)
        for key in notice_keys(prof):
            index[key].append(rec["id"])
    t_load = (time.perf_counter() - t0) / len(notices)

    _clear_all()
    t0 = time.perf_counter()
    for q in queries:
        _clear_all()
        query_keys(q)
    t_cold_all = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in queries:
        _clear_all()
    t_cold_all -= time.perf_counter() - t0  # the clearing itself is not the matcher's

    for q in queries:
        query_keys(q)  # token caches warm
    keys_of = []
    t_cold = t_known = 0.0
    for q in queries:
        for cached in (person_evidence.prepare, person_keys._name_keys,
                       scan_forms.name_forms_for_keys, scan_forms.name_forms):
            cached.cache_clear()
        t = time.perf_counter()
        keys_of.append(query_keys(q))
        t_cold += time.perf_counter() - t
        person_evidence.prepare.cache_clear()
        t = time.perf_counter()
        query_keys(q)
        t_known += time.perf_counter() - t
    t_warm = 0.0
    for q in queries:
        query_keys(q)
        t = time.perf_counter()
        query_keys(q)
        t_warm += time.perf_counter() - t

    blobs = [(q, profiles[rid]) for q, keys in zip(queries, keys_of, strict=True)
             for rid in sorted({rid for k in keys for rid in index.get(k, ())})]  # fmt: skip
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    for _, blob in blobs:
        orjson.loads(blob)
    t_decode = time.perf_counter() - t0
    gc.enable()
    pairs = [(q, orjson.loads(blob)) for q, blob in blobs]
    gc.collect()
    gc.freeze()  # the 10^5 decoded profiles held here are not a worker's garbage
    by_query: dict[PersonQuery, list[dict[str, Any]]] = defaultdict(list)
    for q, prof in pairs:
        by_query[q].append(prof)
    hits, t_score = 0, 0.0
    for q, profs in by_query.items():
        query_keys(q)  # as in the worker: the scan was prepared when its keys were made
        t = time.perf_counter()
        hits += sum(score(q, prof, THRESHOLD) is not None for prof in profs)
        t_score += time.perf_counter() - t

    n = len(queries)
    us = 1e6
    print(
        f"{len(notices)} notices, {n} queries, {len(pairs)} candidates"
        f" ({len(pairs) / n:.2f} per query), {hits} hits at {THRESHOLD}"
    )
    print(f"query_keys new name (tokens known)   {t_cold / n * us:7.2f} us")
    print(f"query_keys known name, new query     {t_known / n * us:7.2f} us")
    print(f"query_keys fully cold (new tokens)   {t_cold_all / n * us:7.2f} us")
    print(f"query_keys cached                    {t_warm / n * us:7.2f} us")
    print(f"score per candidate                  {t_score / max(len(pairs), 1) * us:7.2f} us")
    print(f"profile decode per candidate         {t_decode / max(len(pairs), 1) * us:7.2f} us")
    print(f"keys per query                       {sum(map(len, keys_of)) / n:7.2f}")
    print(f"notice_profile + notice_keys         {t_load * us:7.1f} us per notice")
    if args.profile:
        person_evidence.prepare.cache_clear()
        prof_run = cProfile.Profile()
        prof_run.enable()
        for q in queries:
            query_keys(q)
        for q, profs in by_query.items():
            for p in profs:
                score(q, p, THRESHOLD)
        prof_run.disable()
        pstats.Stats(prof_run).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
