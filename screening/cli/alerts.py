"""`screening alerts tail`: alerts as they arrive, readable for an analyst."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

import orjson

from screening.privacy import mask_value
from screening.settings import Settings

COLOURS = {"critical": "\033[1;31m", "high": "\033[33m", "medium": "\033[36m", "low": "\033[37m"}
RESET = "\033[0m"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("alerts", help="analysts' view of alerts")
    asub = p.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    tail = asub.add_parser("tail", help="print alerts as they arrive")
    tail.add_argument("--from-beginning", action="store_true", help="start at the oldest alert")
    tail.add_argument("--limit", type=int, default=None, help="stop after this many alerts")
    tail.add_argument("--json", action="store_true", help="print the alert JSON as received")
    tail.add_argument("--unmask", action="store_true",
                      help="show names whole (document numbers stay masked)")
    tail.set_defaults(func=run_tail)


def format_alert(alert: dict[str, Any], *, colour: bool, unmask: bool) -> str:
    hit = alert.get("hit", {})
    subject = alert.get("subject", {})
    prio = str(alert.get("priority", "?"))
    shown = []
    for key in ("surname", "given_names", "date_of_birth", "nationality", "document_number",
                "issuing_state", "vin", "plate", "plate_country"):
        if key in subject:
            value = subject[key]
            if key in ("surname", "given_names", "date_of_birth") and not unmask:
                value = mask_value(key, value)
            shown.append(f"{key}={value}")
    head = f"{prio.upper():<8}"
    if colour:
        head = f"{COLOURS.get(prio, '')}{head}{RESET}"
    why = ",".join(hit.get("matched_on", []))
    alias = f" alias={hit['matched_alias']!r}" if hit.get("matched_alias") and unmask else ""
    penalties = " ".join(f"-{p['amount']}:{p['reason']}" for p in hit.get("penalties", []))
    penalties += "".join(f" +{b['amount']}:{b['reason']}" for b in hit.get("bonuses", []))
    if hit.get("name_similarity") is not None:  # score = min(1, name - penalties + bonuses)
        penalties = f"name={hit['name_similarity']:.2f} {penalties}"
    return (f"{alert.get('raised_at', '')[:23]} {head} {hit.get('list', '?')}/"
            f"{hit.get('category', '?')} record={hit.get('record_id', '?')} "
            f"score={hit.get('score', 0):.2f} on={why}{alias} "
            f"at={alert.get('checkpoint_id', '?')}/{alert.get('terminal_id', '?')} "
            f"{' '.join(shown)}{(' adjustments: ' + penalties.strip()) if penalties else ''}")


async def tail(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from screening.kafka_io import consumer  # aiokafka: only for the commands that use Kafka

    cons = consumer(settings, settings.topic(settings.topic_alerts),
                    from_beginning=args.from_beginning)
    await cons.start()
    seen = 0
    colour = out.isatty()
    try:
        async for msg in cons:
            try:
                alert = orjson.loads(msg.value)
            except orjson.JSONDecodeError:
                continue
            if args.json:
                out.write(msg.value.decode() + "\n")
            else:
                out.write(format_alert(alert, colour=colour, unmask=args.unmask) + "\n")
            out.flush()
            seen += 1
            if args.limit is not None and seen >= args.limit:
                break
    finally:
        await cons.stop()
    return 0


def run_tail(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(tail(settings, args))
