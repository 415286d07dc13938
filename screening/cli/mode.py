"""`screening mode show|set incident --profile P|set normal|keygen` (contract v2 "Modes").

`set` signs the change with the supervisor's key (SCREENING_CONTROL_SIGNING_KEY_FILE),
sends it to `screening.control` (the `console` principal may) and writes a
`mode_changed` audit record; every worker applies it within a second and audits that
it did. `show` reads the topic as workers do (a principal that may read it).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from screening.exceptions import FeedKeyError
from screening.modes.control import KEY, ModeRefused, ModeState, make_change, read_change
from screening.modes.profiles import PROFILES
from screening.settings import Settings
from screening.watchlists import signing

PRIVATE_KEY_NAME = "control-signing.key"
TRUSTED_KEYS_NAME = "control-keys.jsonl"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("mode", help="show or switch the mode: normal or incident")
    msub = p.add_subparsers(dest="mode_command", required=True, metavar="ACTION")
    show = msub.add_parser("show", help="the mode in force")
    show.add_argument("--json", action="store_true", help="the change in force, as JSON")
    show.set_defaults(func=run_show)
    set_ = msub.add_parser("set", help="switch to incident (with a profile) or to normal")
    set_.add_argument("mode", choices=("incident", "normal"))
    set_.add_argument("--profile", choices=sorted(PROFILES),
                      help="incident only: what the incident changes")
    set_.add_argument("--by", default=None, help="who switches (default: the OS user)")
    set_.set_defaults(func=run_set)
    keygen = msub.add_parser("keygen", help="make a supervisor signing key and trust it")
    keygen.add_argument("--out", required=True, type=Path, metavar="DIR")
    keygen.add_argument("--name", default="supervisor")
    keygen.set_defaults(func=run_keygen)


def _fail(message: str) -> int:
    print(f"screening mode: {message}", file=sys.stderr)
    return 1


def run_set(settings: Settings, args: argparse.Namespace) -> int:
    if args.mode == "incident" and args.profile is None:
        return _fail("set incident needs --profile " + "|".join(sorted(PROFILES)))
    if args.mode == "normal" and args.profile is not None:
        return _fail("set normal takes no --profile")
    by = args.by or getpass.getuser()
    try:
        raw = make_change(args.mode, args.profile, by, settings)
    except (FeedKeyError, ModeRefused) as exc:
        return _fail(str(exc))
    asyncio.run(send(settings, raw))
    from screening.audit.emit import analyst_record, emit

    change = orjson.loads(raw)
    record = analyst_record("mode_changed", by, principal=settings.kafka_username,
                            outcome="requested", at=datetime.fromisoformat(change["issued_at"]))
    record = record.model_copy(update={
        "ref": f"mode:{args.mode};profile:{args.profile or '-'};by:{by}"})
    emit(settings, [(KEY, record)], "mode_changed")
    print(f"mode set: {args.mode}" + (f", profile {args.profile}" if args.profile else ""))
    return 0


async def send(settings: Settings, raw: bytes) -> None:
    from screening.kafka_io import producer

    p = producer(settings, linger_ms=0)
    await p.start()
    try:
        await p.send_and_wait(settings.topic(settings.topic_control), raw, key=KEY)
    finally:
        await p.stop()


async def current(settings: Settings) -> ModeState:
    """The mode in force: every change on the topic, verified and applied in order."""
    from aiokafka import TopicPartition

    from screening.kafka_io import consumer
    from screening.modes.control import trusted_keys
    from screening.runtime.clients import refresh_metadata

    state, trusted = ModeState(), trusted_keys(settings)
    topic = settings.topic(settings.topic_control)
    c = consumer(settings, group_id=None, auto_offset_reset="earliest")
    await c.start()
    try:
        await refresh_metadata(c)
        tps = [TopicPartition(topic, p) for p in sorted(c.partitions_for_topic(topic) or {0})]
        c.assign(tps)
        await c.seek_to_beginning(*tps)
        ends = await c.end_offsets(tps)

        async def behind() -> bool:
            return any([await c.position(tp) < ends[tp] for tp in tps])

        while await behind():
            for msgs in (await c.getmany(timeout_ms=1000)).values():
                for m in msgs:
                    try:
                        state.offer(*read_change(m.value, trusted, datetime.now(UTC),
                                                 settings.update_max_ahead_s))
                    except ModeRefused:
                        continue
    finally:
        await c.stop()
    return state


def run_show(settings: Settings, args: argparse.Namespace) -> int:
    state = asyncio.run(current(settings))
    if args.json:
        print(state.change.model_dump_json(exclude_none=True))
    else:
        print(state.describe())
    return 0


def run_keygen(settings: Settings, args: argparse.Namespace) -> int:
    private = args.out / PRIVATE_KEY_NAME
    if private.exists():
        return _fail(f"{private} exists; a key is never overwritten")
    key = signing.new_key()
    signing.write_private_key(private, key)
    keys_file = args.out / TRUSTED_KEYS_NAME
    signing.add_trusted_key(keys_file, key.public_key(), args.name)
    print(f"key_id {signing.key_id_of(key.public_key())}")
    print(f"the supervisor signs with SCREENING_CONTROL_SIGNING_KEY_FILE={private.resolve()}")
    print(f"workers trust             SCREENING_CONTROL_KEYS_FILE={keys_file.resolve()}")
    return 0
