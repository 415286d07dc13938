"""`screening alerts tail`: alerts as they arrive, readable for an analyst."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

import orjson

from screening.privacy import VEHICLE_IDS, mask_document, mask_value, mask_vehicle_ids
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
    tail.add_argument("--no-decisions", dest="decisions", action="store_false",
                      help="alerts only; by default each decision is printed too, with who "
                           "decided and when")
    tail.add_argument("--unmask", action="store_true",
                      help="show names, VINs and plates whole (document numbers stay "
                           "masked); recorded on the audit topic")
    tail.set_defaults(func=run_tail)


def masked(alert: dict[str, Any]) -> dict[str, Any]:
    """The alert with the subject's and the record's VIN and plate masked, and the
    subject's names and date of birth (what `--json` prints without `--unmask`)."""
    out = dict(alert)
    for part in ("subject", "record"):
        fields = out.get(part)
        if isinstance(fields, dict):
            vehicle = mask_vehicle_ids(fields)
            out[part] = {k: (v if k in VEHICLE_IDS or part != "subject" else mask_value(k, v))
                         for k, v in vehicle.items()}
    return out


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
            elif key in VEHICLE_IDS and not unmask:
                value = mask_document(value)
            shown.append(f"{key}={value}")
    head = f"{prio.upper():<8}"
    if colour:
        head = f"{COLOURS.get(prio, '')}{head}{RESET}"
    # What the gate was told, what the record asks and whose it is: first, as the officer
    # on the radio asks for them; then the marks that change how to read the line.
    gate = (f"{alert.get('instruction') or 'REFER_SECONDARY'} "
            f"action={alert.get('action') or '-'} owner={alert.get('owner') or '-'} "
            f"ref={alert.get('reference') or '-'}")
    marks = "".join(f" [{m}]" for m, on in (
        ("ESCALATED " + str(alert.get("escalated_at", ""))[:19], alert.get("escalated_at")),
        ("EXERCISE", alert.get("exercise")),
        ("POSSIBLE", alert.get("tier") == "possible"),
        ("CLEARED NAMESAKE", alert.get("cleared_until"))) if on)
    why = ",".join(hit.get("matched_on", []))
    alias = f" alias={hit['matched_alias']!r}" if hit.get("matched_alias") and unmask else ""
    penalties = " ".join(f"-{p['amount']}:{p['reason']}" for p in hit.get("penalties", []))
    penalties += "".join(f" +{b['amount']}:{b['reason']}" for b in hit.get("bonuses", []))
    if hit.get("name_similarity") is not None:  # score = min(1, name - penalties + bonuses)
        penalties = f"name={hit['name_similarity']:.2f} {penalties}"
    return (f"{alert.get('raised_at', '')[:23]} {head} {gate}{marks} {hit.get('list', '?')}/"
            f"{hit.get('category', '?')} record={hit.get('record_id', '?')} "
            f"score={hit.get('score', 0):.2f} on={why}{alias} "
            f"at={alert.get('checkpoint_id', '?')}/{alert.get('terminal_id', '?')} "
            f"{' '.join(shown)}{(' adjustments: ' + penalties.strip()) if penalties else ''}")


def case_suffix(alert: Any, cases: dict[str, int]) -> str:
    """` case=ID sighting=N`: the sightings of one record or person numbered within their
    case, as they arrive (`cases` counts them)."""
    case = alert.get("case_id") if isinstance(alert, dict) else None
    if not case:
        return ""
    cases[case] = cases.get(case, 0) + 1
    return f" case={case} sighting={cases[case]}"


def format_decision(decision: dict[str, Any], *, colour: bool) -> str:
    """A decision's line: which alert, what was decided, who decided (the analyst the
    console signed in, the actor of its `alert_decided` audit record) and when."""
    head = f"{'DECIDED':<8}"
    if colour:
        head = f"\033[1m{head}{RESET}"
    note = " note" if decision.get("note") else ""  # the note itself may be personal
    role = f" ({decision['role']})" if decision.get("role") else ""
    # Why (a reason code), the second analyst of a four-eyes confirmation, and which step
    # an undo took back: what the room needs to read a decision without the console.
    extra = "".join(f" {label}={decision[key]}" for key, label in (
        ("reason", "reason"), ("second_analyst", "second"), ("undoes", "undoes"))
        if decision.get(key))
    return (f"{str(decision.get('decided_at', ''))[:23]} {head} "
            f"alert={decision.get('alert_id', '?')} {decision.get('decision', '?')} "
            f"by={decision.get('analyst', '?')}{role}{extra} "
            f"at={decision.get('decided_at', '?')}{note}")


async def tail(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from screening.kafka_io import consumer  # aiokafka: only for the commands that use Kafka

    decisions_topic = settings.topic(settings.topic_decisions)
    topics = [settings.topic(settings.topic_alerts)]
    if getattr(args, "decisions", True):
        topics.append(decisions_topic)
    cons = consumer(settings, *topics, from_beginning=args.from_beginning,
                    isolation_level="read_committed")
    await cons.start()
    seen = 0
    cases: dict[str, int] = {}
    colour = out.isatty()
    try:
        async for msg in cons:
            try:
                alert = orjson.loads(msg.value)
            except orjson.JSONDecodeError:
                continue
            if msg.topic == decisions_topic:
                if isinstance(alert, dict):
                    out.write((orjson.dumps(alert).decode() if args.json else
                               format_decision(alert, colour=colour)) + "\n")
                    out.flush()
                continue
            if args.json:
                shown = alert if args.unmask else masked(alert)
                out.write(orjson.dumps(shown).decode() + "\n")
            else:
                out.write(format_alert(alert, colour=colour, unmask=args.unmask)
                          + case_suffix(alert, cases) + "\n")
            out.flush()
            seen += 1
            if args.limit is not None and seen >= args.limit:
                break
    finally:
        await cons.stop()
    return 0


def run_tail(settings: Settings, args: argparse.Namespace) -> int:
    if args.unmask:
        _audit_unmask(settings)
    return asyncio.run(tail(settings, args))


def _audit_unmask(settings: Settings) -> None:
    """Unmasking is on the record: an `unmask` audit record names who, when and as
    which principal, before anything is shown (refused: nothing is shown)."""
    import getpass
    import uuid
    from datetime import UTC, datetime

    from screening.audit.emit import can_write, write
    from screening.audit.records import service_record

    if not can_write(settings):
        raise SystemExit("alerts tail --unmask: unmasking is audited, and no Kafka "
                         "credentials are configured to write the audit record")
    now = datetime.now(UTC)
    who = getpass.getuser()
    record = service_record("unmask", ("alerts-tail", who, now.isoformat(), uuid.uuid4().hex),
                            at=now, actor_id=who, principal=settings.kafka_username,
                            kind="analyst", outcome="alerts_tail")
    asyncio.run(write(settings, [(who.encode(), record)]))
