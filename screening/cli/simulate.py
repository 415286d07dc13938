"""`screening simulate`: checkpoint terminals publishing scans to Kafka (or posting them to
a site's edge over HTTPS) at a chosen rate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
    p.add_argument("--late-notices", type=Path, default=None, metavar="FILE",
                   help="write a red notice (NDJSON records) for each of the first three "
                        "ordinary travellers sent, as a list that learns of them late: "
                        "`screening watchlists publish FILE` then raises retroactive alerts")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--exercise", action="store_true",
                   help="a drill: every scan marked exercise (its results and alerts say so, "
                        "and they stay out of the real statistics and audit queries)")
    p.add_argument("--show", action="store_true",
                   help="the terminals' screens: print each answer that is not PROCEED and "
                        "each instruction the operations room sends (read as the site)")
    p.add_argument("--linger", type=float, default=2.0, metavar="S",
                   help="with --show: seconds to go on showing after the last scan")
    p.add_argument("--edge", default=None, metavar="URL",
                   help="post the scans over HTTPS to this edge (`screening edge`) as one "
                        "terminal instead of publishing them to Kafka")
    p.add_argument("--token-file", type=Path, default=None,
                   help="with --edge: the terminal's token (`screening security add-terminal`)")
    p.add_argument("--ca-file", type=Path, default=None,
                   help="with --edge: the CA that signed the edge's certificate (default: "
                        "the local CA in SCREENING_SECRETS_DIR)")
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
    late = 0  # late notices written (--late-notices)
    if args.edge:
        sink: Sink = EdgeSink(settings, args)
    else:
        sink = KafkaSink(settings, topics)
    await sink.start()
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
                    if (kind == "traveller" and args.late_notices is not None
                            and late < LATE_NOTICES):
                        late += _late_notice(args.late_notices, scan, late)
                if args.exercise:
                    scan["exercise"] = True
                if kind == "traveller":
                    recent.append(scan)
                value = orjson.dumps(scan)
                key = str(scan["terminal_id"]).encode()
            await sink.send(kind, value, key)
            counts[kind] += 1
            sent += 1
            # Pace to the rate: sleep when ahead of schedule.
            ahead = sent / args.rate - (time.monotonic() - started)
            if ahead > 0.001:
                await asyncio.sleep(ahead)
    finally:
        counts.update(await sink.stop())
    return counts


LATE_NOTICES = 3


def _late_notice(path: Path, scan: dict[str, Any], n: int) -> int:
    """Appends a red notice on `scan`'s holder to `path` (1), unless the holder lacks
    what retroactive screening keys a person by: a full date of birth and a nationality
    (0). Only ordinary travellers: a scan designed to hit was screened against a record."""
    holder = scan.get("holder") or {}
    dob, nationality = holder.get("date_of_birth") or "", holder.get("nationality")
    if len(dob) != 10 or not nationality or not holder.get("surname"):
        return 0
    record = {"list": "notice", "id": f"N-LATE-{scan['event_id'][:8]}-{n}", "colour": "red",
              "names": [{"surname": holder["surname"],
                         "given_names": holder.get("given_names") or ""}],
              "date_of_birth": dob, "nationalities": [nationality], "action": "arrest",
              "owner": "DEMO-NCB"}
    with path.open("ab") as f:
        f.write(orjson.dumps(record) + b"\n")
    return 1


def screen_line(topic_kind: str, message: dict[str, Any]) -> str | None:
    """What a terminal's screen shows of an answer or an instruction, or None for a plain
    PROCEED. No personal data: the reference is what the officer quotes."""
    drill = " [EXERCISE]" if message.get("exercise") else ""
    who = f"{message.get('checkpoint_id', '')}/{message.get('terminal_id', '?')}".lstrip("/")
    if topic_kind == "instruction":
        text = f" \"{message['text']}\"" if message.get("text") else ""
        return (f"{who:<16} INSTRUCTION {message.get('instruction')} ref="
                f"{message.get('reference') or '-'} by={message.get('by')}{text}{drill}")
    instruction = message.get("instruction") or "PROCEED"
    if instruction == "PROCEED":
        return None
    return (f"{who:<16} {instruction:<16} ref={message.get('reference') or '-'} "
            f"({message.get('outcome')}){drill}")


async def show(settings: Settings, args: argparse.Namespace, until: asyncio.Event) -> None:
    """The site's results and instructions, as its terminals read them (committed only)."""
    from screening.kafka_io import consumer
    from screening.security.roles import site_topics

    site = site_topics(settings, args.site)
    kinds = {site.results: "result", site.instructions: "instruction"}
    cons = consumer(settings, *kinds, isolation_level="read_committed")
    await cons.start()
    try:
        while not until.is_set():
            batch = await cons.getmany(timeout_ms=300)
            for tp, msgs in batch.items():
                for m in msgs:
                    try:
                        line = screen_line(kinds[tp.topic], orjson.loads(m.value))
                    except (orjson.JSONDecodeError, KeyError, TypeError):
                        continue
                    if line:
                        print(line, flush=True)
    finally:
        await cons.stop()


async def simulate_and_show(settings: Settings, args: argparse.Namespace) -> dict[str, int]:
    if not args.show or args.edge:  # a kiosk on an edge shows its instructions itself
        return await simulate(settings, args)
    done = asyncio.Event()
    screens = asyncio.create_task(show(settings, args, done))
    try:
        counts = await simulate(settings, args)
        await asyncio.sleep(args.linger)  # answers and instructions still on their way
        return counts
    finally:
        done.set()
        await screens


class Sink:
    async def start(self) -> None: ...

    async def send(self, kind: str, value: bytes, key: bytes) -> None: ...

    async def stop(self) -> dict[str, int]:
        return {}


class KafkaSink(Sink):
    """Scans published to the site's scan topics (as the site's principal)."""

    def __init__(self, settings: Settings, topics: dict[str, str]) -> None:
        from screening.kafka_io import producer  # aiokafka: only for commands using Kafka

        self.topics = topics
        self.producer = producer(settings)

    async def start(self) -> None:
        await self.producer.start()

    async def send(self, kind: str, value: bytes, key: bytes) -> None:
        await self.producer.send(self.topics[kind], value=value, key=key)

    async def stop(self) -> dict[str, int]:
        try:
            await self.producer.flush()
        finally:
            await self.producer.stop()
        return {}


class EdgeSink(Sink):
    """Scans posted to an edge over keep-alive HTTPS as one terminal (its token); the
    edge sets the terminal and checkpoint ids, so the scans' own are left out."""

    # Requests in flight at once: the rate is kept by the loop, not by waiting answers.
    IN_FLIGHT = 64

    def __init__(self, settings: Settings, args: argparse.Namespace) -> None:
        from screening.security.secretsdir import SecretsDir

        if args.token_file is None:
            raise SystemExit("screening simulate: --edge needs --token-file")
        self.url = args.edge.rstrip("/")
        self.token = args.token_file.read_text(encoding="utf-8").strip()
        self.ca = args.ca_file or SecretsDir(Path(settings.secrets_dir)).ca_cert
        self.answers: dict[str, int] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(self.IN_FLIGHT)
        self.session: Any = None
        # The terminal's instructions (GET /v1/instructions, long poll): shown with --show.
        self.show = bool(getattr(args, "show", False))
        self.instructions = 0
        self.since = 0
        self.poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        import ssl

        import aiohttp

        context = ssl.create_default_context(cafile=str(self.ca))
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, limit=self.IN_FLIGHT),
            headers={"Authorization": f"Bearer {self.token}",
                     "Content-Type": "application/json"})
        self.poller = asyncio.create_task(self._follow_instructions())

    async def _instructions(self, wait_s: float) -> None:
        async with self.session.get(f"{self.url}/v1/instructions",
                                    params={"since": self.since, "wait": wait_s}) as resp:
            if resp.status != 200:
                raise RuntimeError(f"instructions: HTTP {resp.status}")
            page = orjson.loads(await resp.read())
        for message in page["instructions"]:
            self.instructions += 1
            line = screen_line("instruction", message)
            if self.show and line:
                print(line, flush=True)
        self.since = page["next"]

    async def _follow_instructions(self) -> None:
        while True:
            try:
                await self._instructions(20.0)
            except asyncio.CancelledError:
                raise
            except Exception:  # the edge restarting, a reset: try again shortly
                await asyncio.sleep(1.0)

    async def send(self, kind: str, value: bytes, key: bytes) -> None:
        try:
            scan = orjson.loads(value)
        except orjson.JSONDecodeError:
            scan = None
        if isinstance(scan, dict):
            scan.pop("terminal_id", None)
            scan.pop("checkpoint_id", None)
            value = orjson.dumps(scan)
        await self.slots.acquire()
        task = asyncio.create_task(self._post(kind, value))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, kind: str, value: bytes) -> None:
        try:
            async with self.session.post(f"{self.url}/v1/scans/{kind}", data=value) as resp:
                body = orjson.loads(await resp.read())
            if resp.status == 200:
                name = body["outcome"] + ("_offline" if "OFFLINE" in body["warnings"] else "")
            else:
                name = f"http_{resp.status}"
        except Exception as exc:  # a refused connection, a reset: counted, not fatal
            name = type(exc).__name__
        finally:
            self.slots.release()
        self.answers[name] = self.answers.get(name, 0) + 1

    async def stop(self) -> dict[str, int]:
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.poller is not None:
            self.poller.cancel()
            await asyncio.gather(self.poller, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._instructions(0.0)  # the last ones
        await self.session.close()
        return {**{f"answered_{k}": v for k, v in sorted(self.answers.items())},
                "instructions": self.instructions}


def again_elsewhere(earlier: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`earlier`'s document and holder, now, at the checkpoint and terminal of `other`
    (another scan just made): one document at two gates at once."""
    if other["checkpoint_id"] == earlier["checkpoint_id"]:
        return other
    return {**earlier, "event_id": other["event_id"], "scanned_at": other["scanned_at"],
            "checkpoint_id": other["checkpoint_id"], "terminal_id": other["terminal_id"]}


def run(settings: Settings, args: argparse.Namespace) -> int:
    counts = asyncio.run(simulate_and_show(settings, args))
    print(", ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)
    return 0
