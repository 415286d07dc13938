"""`screening audit query`: the auditor's tool (contract v2, "Audit").

It computes the digests of what it is asked about with the audit key and the worker's
own code (audit/digests.py), then reads the audit topic as the `auditor` principal
(`client-config auditor --format env`) from --from to the end it saw at start.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any

import orjson

from screening.settings import Settings


def when(text: str) -> datetime:
    """RFC 3339 (`2026-12-06T21:00:00Z`; a bare date is midnight UTC) or a span ago
    (`90m`, `2h`, `7d`)."""
    from screening.audit.query import BadQuery, parse_time

    try:
        return parse_time(text)
    except BadQuery as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: Any) -> None:
    p = sub.add_parser("audit", help="the audit trail: who searched what, when (auditor)")
    asub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    q = asub.add_parser(
        "query", help="audit records by document, name, VIN, plate, actor and time; digests "
                      "computed here with SCREENING_AUDIT_KEY_FILE, topic read as the auditor")
    q.add_argument("--document", metavar="NUM", help="a document number searched")
    q.add_argument("--state", metavar="CC", help="its issuing state (without: any state)")
    q.add_argument("--name", metavar="'SURNAME, GIVEN'", help="a name searched")
    q.add_argument("--dob", metavar="D", help="with --name: the date of birth searched "
                                              "(YYYY-MM-DD, YYYY-MM or YYYY, as scanned)")
    q.add_argument("--vin", metavar="V", help="a VIN searched")
    q.add_argument("--plate", metavar="P", help="a plate searched")
    q.add_argument("--country", metavar="CC", help="its country (without: any country)")
    q.add_argument("--actor", metavar="ID", help="a terminal, analyst or service id, or a "
                                                 "principal")
    q.add_argument("--action", action="append", default=None, metavar="ACTION",
                   help="only these actions (repeatable): search, list_loaded, ...")
    q.add_argument("--from", dest="since", type=when, default=None, metavar="T",
                   help="from this time (RFC 3339, or a span ago: 2h); default: the start")
    q.add_argument("--to", dest="until", type=when, default=None, metavar="T",
                   help="up to this time")
    q.add_argument("--json", action="store_true", help="one JSON record a line")
    q.add_argument("--exercise", action="store_true",
                   help="include drills' records (scans marked exercise), left out by default")
    q.set_defaults(func=run_query)


def run_query(settings: Settings, args: argparse.Namespace) -> int:
    from screening.audit.query import BadQuery, build_criteria, describe, read_records
    from screening.exceptions import ConfigurationError

    try:
        criteria = build_criteria(
            settings, document=args.document, state=args.state, name=args.name, dob=args.dob,
            vin=args.vin, plate=args.plate, country=args.country, actor=args.actor,
            since=args.since, until=args.until,
            actions=set(args.action) if args.action else None, exercise=args.exercise)
    except (BadQuery, ConfigurationError) as exc:
        print(f"audit query: {exc}", file=sys.stderr)
        return 2

    async def go() -> int:
        n = 0
        out = sys.stdout
        async for record in read_records(settings, criteria):
            n += 1
            if args.json:
                out.buffer.write(orjson.dumps(record) + b"\n")
            else:
                out.write(describe(record) + "\n")
        out.flush()
        return n

    try:
        found = asyncio.run(go())
    except ConfigurationError as exc:
        print(f"audit query: {exc}", file=sys.stderr)
        return 2
    print(f"audit: {found} record(s) matched", file=sys.stderr)
    return 0
