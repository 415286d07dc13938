"""`screening deadletters show`: dead letters with their payloads opened, for an admin.

Only `admin` may read the dead-letter topic (ACLs), and only a holder of the dead-letter
key can open a payload: the topic itself keeps ids, reasons, sizes and digests."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import orjson

from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("deadletters", help="inputs that could not be processed (admin)")
    dsub = p.add_subparsers(dest="deadletters_command", required=True, metavar="ACTION")
    show = dsub.add_parser("show", help="print dead letters with their payloads opened")
    show.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    show.add_argument("--json", action="store_true", help="one JSON object a line")
    show.set_defaults(func=run_show)


async def _read(settings: Settings, limit: int) -> list[dict[str, Any]]:
    from aiokafka import TopicPartition

    from screening.kafka_io import admin, consumer

    topic = settings.topic(settings.topic_deadletter)
    client = admin(settings)
    await client.start()
    try:
        [described] = await client.describe_topics([topic])
    finally:
        await client.close()
    parts = [TopicPartition(topic, p["partition"]) for p in described.get("partitions", [])]
    if not parts:
        return []
    c = consumer(settings, group=None, enable_auto_commit=False)
    await c.start()
    try:
        c.assign(parts)
        ends = await c.end_offsets(parts)
        begins = await c.beginning_offsets(parts)
        for tp in parts:  # the newest `limit` of each partition
            c.seek(tp, max(begins[tp], ends[tp] - limit))
        out: list[dict[str, Any]] = []

        async def behind() -> bool:
            for tp in parts:
                if await c.position(tp) < ends[tp]:
                    return True
            return False

        while await behind():
            batch = await c.getmany(timeout_ms=1000)
            for messages in batch.values():
                out.extend(orjson.loads(m.value) for m in messages if m.value)
        out.sort(key=lambda d: d.get("received_at", ""))
        return out[-limit:]
    finally:
        await c.stop()


def run_show(settings: Settings, args: argparse.Namespace) -> int:
    from screening.deadletters import open_payload, sealer_for

    sealer = sealer_for(settings)
    letters = asyncio.run(_read(settings, args.limit))
    for letter in letters:
        try:
            payload = (open_payload(letter, sealer.key) if sealer.key is not None
                       else b"<no dead-letter key: SCREENING_DEADLETTER_KEY_FILE>")
        except Exception as exc:  # a payload sealed under another key, or withheld
            payload = f"<cannot open: {type(exc).__name__}>".encode()
        if args.json:
            sys.stdout.buffer.write(orjson.dumps({**letter, "payload": payload.decode(
                "utf-8", "replace")}) + b"\n")
        else:
            reason = letter.get("reason", {})
            print(f"{letter.get('received_at')} {reason.get('code')} {letter.get('topic')}"
                  f"[{letter.get('partition')}]@{letter.get('offset')} "
                  f"{letter.get('payload_bytes')} B: {reason.get('message')}\n  "
                  + payload.decode("utf-8", "replace")[:2000])
    print(f"{len(letters)} dead letter(s)", file=sys.stderr)
    return 0
