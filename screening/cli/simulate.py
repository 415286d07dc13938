"""`screening simulate`: checkpoint terminals publishing scans to Kafka at a chosen rate."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import orjson

from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("simulate", help="publish simulated terminal scans to Kafka")
    p.add_argument("--rate", type=float, default=100.0, help="scans per second (default 100)")
    p.add_argument("--duration", type=float, default=30.0, help="seconds to run (default 30)")
    p.add_argument("--count", type=int, default=None, help="stop after this many scans")
    p.add_argument("--hit-share", type=float, default=0.05,
                   help="share of scans designed to hit a list (default 0.05)")
    p.add_argument("--vehicle-share", type=float, default=0.3,
                   help="share of scans that are vehicles (default 0.3)")
    p.add_argument("--malformed-share", type=float, default=0.0,
                   help="share of malformed scans (default 0)")
    p.add_argument("--lists", type=Path, nargs="*", default=None, metavar="FILE",
                   help="watchlist files to design hits from (default: sample the loaded lists)")
    p.add_argument("--site", default="default",
                   help="publish as this site's terminals, on its scan topics (default: the "
                        "v1 topics of site `default`)")
    p.add_argument("--checkpoint", action="append", default=[], metavar="ID",
                   help="the site's checkpoint ids (repeatable; default SITE-CP-01..08)")
    p.add_argument("--correlation-share", type=float, default=0.0,
                   help="fraction of travellers whose document is presented again at "
                        "another checkpoint moments later (DOCUMENT_SIMULTANEOUS_USE)")
    p.add_argument("--seed", type=int, default=None)
    p.set_defaults(func=run)


async def simulate(settings: Settings, args: argparse.Namespace) -> dict[str, int]:
    from screening.mockdata.scans import ScanFactory, sample_from_files
    from screening.security.roles import DEFAULT_SITE, site_topics
    from screening.watchlists.sample import sample_from_redis

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    if args.lists:
        sample = sample_from_files(args.lists, per_list=500, seed=seed)
    else:
        sample = await sample_from_redis(settings, per_list=500, seed=seed)
    site = site_topics(settings, args.site)
    checkpoints = args.checkpoint or (
        None if args.site == DEFAULT_SITE else [f"{args.site}-CP-{c:02d}" for c in range(1, 9)])
    factory = ScanFactory(seed=seed, sample=sample, checkpoint_ids=checkpoints)
    rng = random.Random(seed)
    topics = {"traveller": site.traveller, "vehicle": site.vehicle}
    counts = {"traveller": 0, "vehicle": 0, "designed_hits": 0, "malformed": 0,
              "designed_correlations": 0}
    recent: deque[dict[str, Any]] = deque(maxlen=50)  # travellers just sent
    from screening.kafka_io import producer  # aiokafka: only for the commands that use Kafka

    prod = producer(settings)
    await prod.start()
    try:
        started = time.monotonic()
        sent = 0
        limit = args.count if args.count is not None else int(args.rate * args.duration)
        while sent < limit and time.monotonic() - started < args.duration:
            kind = "vehicle" if rng.random() < args.vehicle_share else "traveller"
            value: bytes
            if rng.random() < args.malformed_share:
                value = factory.malformed()
                counts["malformed"] += 1
                key = b"malformed-terminal"
            else:
                if rng.random() < args.hit_share:
                    scan, _, _ = (factory.vehicle_hit() if kind == "vehicle"
                                  else factory.traveller_hit())
                    counts["designed_hits"] += 1
                elif (kind == "traveller" and recent
                      and rng.random() < args.correlation_share):
                    scan = again_elsewhere(rng.choice(recent), factory.traveller())
                    counts["designed_correlations"] += 1
                else:
                    scan = factory.vehicle() if kind == "vehicle" else factory.traveller()
                if kind == "traveller":
                    recent.append(scan)
                value = orjson.dumps(scan)
                key = str(scan["terminal_id"]).encode()
            await prod.send(topics[kind], value=value, key=key)
            counts[kind] += 1
            sent += 1
            # Pace to the rate: sleep when ahead of schedule.
            ahead = sent / args.rate - (time.monotonic() - started)
            if ahead > 0.001:
                await asyncio.sleep(ahead)
        await prod.flush()
    finally:
        await prod.stop()
    return counts


def again_elsewhere(earlier: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`earlier`'s document and holder, now, at the checkpoint and terminal of `other`
    (another scan just made): one document at two gates at once."""
    if other["checkpoint_id"] == earlier["checkpoint_id"]:
        return other
    return {**earlier, "event_id": other["event_id"], "scanned_at": other["scanned_at"],
            "checkpoint_id": other["checkpoint_id"], "terminal_id": other["terminal_id"]}


def run(settings: Settings, args: argparse.Namespace) -> int:
    counts = asyncio.run(simulate(settings, args))
    print(", ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)
    return 0
