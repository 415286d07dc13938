"""Two trees' bulk loads of the same files, compared key for key.

    python -m screening_bench.load_identity --other /work/main FILE... [--workers N]
        [--scans SCANS.ndjson]

Each tree loads the files (screening.watchlists.loader.load_files) under a prefix of its
own into one redis-server of the check's own (screening_bench.watchlists.own_redis);
every key either wrote is then read back (strings, hashes, sets, lists, sorted sets)
and the two compared with the prefix and the version id put aside. The version's
metadata (its creation time) and the sample of records (drawn at random) are not the
layout's and are left out. Exit status 1 and the first differences listed when any key
differs: a change meant to leave what a load stores as it was shows that it did.
With --scans, each tree's `screening screen` also screens the scans against its own load,
and the results (less their time and version id) are compared line for line.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from screening_bench.watchlists import own_redis

# A tree's load, run by that tree's interpreter path (its code, its compiled core).
_LOAD = """
import asyncio, json, sys
from pathlib import Path
from redis.asyncio import Redis
from screening.watchlists.loader import load_files
from screening.watchlists.store import WatchlistStore

async def main(port, prefix, workers, paths):
    redis = Redis(port=port)
    report = await load_files(WatchlistStore(redis, prefix), [Path(p) for p in paths],
                              grace_s=0, workers=workers)
    await redis.aclose()
    print(json.dumps({"version": report.version, "counts": report.counts,
                      "errors": report.error_count}))

w = None if sys.argv[3] == "auto" else int(sys.argv[3])
asyncio.run(main(int(sys.argv[1]), sys.argv[2], w, sys.argv[4:]))
"""

# Keys that differ by nature between two loads of the same files.
_NOT_LAYOUT = (":meta:", ":sample:", ":current", ":load", ":journal", ":retired")


def load_with(tree: str, extra_path: str, port: int, prefix: str, workers: str,
              files: list[str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (tree, extra_path) if p)
    out = subprocess.run([sys.executable, "-c", _LOAD, str(port), prefix, workers, *files],
                         env=env, cwd=tree, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# Fields of a result that say when or from which load, not what.
_NOT_VERDICT = ("decided_at", "watchlist_version")


def screen_with(tree: str, extra_path: str, port: int, prefix: str, scans: str) -> list[Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"PYTHONPATH": os.pathsep.join(p for p in (tree, extra_path) if p),
                "SCREENING_REDIS_URL": f"redis://127.0.0.1:{port}/0",
                "SCREENING_REDIS_PREFIX": prefix, "SCREENING_REDIS_USERNAME": "",
                "SCREENING_REDIS_PASSWORD": "", "SCREENING_REDIS_CA_FILE": "",
                "SCREENING_REDIS_CLUSTER": "false"})
    env = {k: v for k, v in env.items() if v != ""}
    with open(scans, "rb") as fh:
        out = subprocess.run([sys.executable, "-m", "screening", "screen"], stdin=fh, env=env,
                             cwd=tree, capture_output=True, check=True)
    results = []
    for line in out.stdout.splitlines():
        result = json.loads(line)
        for name in _NOT_VERDICT:
            result.pop(name, None)
        results.append(result)
    return results


async def contents(redis: Redis, prefix: str, version: str) -> dict[str, Any]:
    """Every key of the prefix (version id and prefix put aside) -> its contents."""
    out: dict[str, Any] = {}
    for pattern in (f"{prefix}:*", f"{{{prefix}}}:*"):
        async for raw in redis.scan_iter(match=pattern, count=1000):
            key = raw.decode() if isinstance(raw, bytes) else raw
            if any(part in key for part in _NOT_LAYOUT):
                continue
            found = await redis.type(raw)
            kind = found.decode() if isinstance(found, bytes) else found
            if kind == "string":
                value: Any = await redis.get(raw)
            elif kind == "hash":
                value = sorted((await redis.hgetall(raw)).items())
            elif kind == "set":
                value = sorted(await redis.smembers(raw))
            elif kind == "list":
                value = await redis.lrange(raw, 0, -1)
            elif kind == "zset":
                value = await redis.zrange(raw, 0, -1, withscores=True)
            else:
                value = kind
            name = key.replace(version, "V").replace(prefix, "P", 1)
            out[name] = (kind, value)
    return out


async def compare(port: int, a: tuple[str, str], b: tuple[str, str]) -> list[str]:
    redis = Redis(port=port)
    try:
        left, right = await contents(redis, *a), await contents(redis, *b)
    finally:
        await redis.aclose()
    diffs = [f"only in the first: {k}" for k in sorted(left.keys() - right.keys())]
    diffs += [f"only in the second: {k}" for k in sorted(right.keys() - left.keys())]
    diffs += [f"differs: {k}" for k in sorted(left.keys() & right.keys()) if left[k] != right[k]]
    print(f"keys compared: {len(left.keys() & right.keys())} (first {len(left)}, "
          f"second {len(right)})", file=sys.stderr)
    return diffs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screening_bench.load_identity",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("files", nargs="+", help="NDJSON files to load")
    p.add_argument("--other", required=True, help="the other tree (e.g. /work/main)")
    p.add_argument("--other-path", default="", help="added to the other tree's PYTHONPATH")
    p.add_argument("--this", default=str(Path(__file__).resolve().parents[1]),
                   help="this tree (default: the one this module is in)")
    p.add_argument("--this-path", default="", help="added to this tree's PYTHONPATH "
                   "(e.g. its .native-build)")
    p.add_argument("--workers", default="0", help="loader processes, or auto (default 0)")
    p.add_argument("--scans", help="scans (NDJSON) each tree's `screening screen` screens "
                   "against its load, results compared")
    args = p.parse_args(argv)
    files = [str(Path(f).resolve()) for f in args.files]
    with tempfile.TemporaryDirectory() as tmp, own_redis(Path(tmp)) as port:
        first = load_with(args.other, args.other_path, port, "idA", args.workers, files)
        second = load_with(args.this, args.this_path, port, "idB", args.workers, files)
        print(f"other: {first['counts']} errors {first['errors']}; this: {second['counts']} "
              f"errors {second['errors']}", file=sys.stderr)
        diffs = asyncio.run(compare(port, ("idA", first["version"]),
                                    ("idB", second["version"])))
        if args.scans:
            a = screen_with(args.other, args.other_path, port, "idA", args.scans)
            b = screen_with(args.this, args.this_path, port, "idB", args.scans)
            hits = sum(1 for r in a if r.get("hits"))
            print(f"scans screened: {len(a)} and {len(b)}, {hits} with hits", file=sys.stderr)
            diffs += [f"scan result {n} differs" for n, (x, y) in
                      enumerate(itertools.zip_longest(a, b)) if x != y]
    if first["counts"] != second["counts"] or first["errors"] != second["errors"]:
        diffs.insert(0, "counts or errors differ")
    for line in diffs[:20]:
        print(line)
    print("identical" if not diffs else f"{len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
