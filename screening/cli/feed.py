"""`screening watchlists keygen|sign|publish`: a feed's side of signed watchlist data.

The worker applies only updates signed by a trusted feed key, and `watchlists load` reads
only files with a signed manifest (watchlists/signing.py says what is signed and how).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from screening.exceptions import FeedKeyError, InvalidRecord, SignatureRefused
from screening.settings import Settings
from screening.watchlists import signing
from screening.watchlists.updates import parse_update


def add_parsers(wsub: Any) -> None:
    keygen = wsub.add_parser("keygen", help="make a feed signing key and trust its public key")
    keygen.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help=f"folder for the private key ({signing.PRIVATE_KEY_NAME}, mode "
                             "0600); it must not hold one already")
    keygen.add_argument("--keys-file", type=Path, metavar="FILE",
                        help="trusted-keys file to append the public key to (default: "
                             f"DIR/{signing.TRUSTED_KEYS_NAME})")
    keygen.add_argument("--name", default="feed", help="a name for the key in that file")
    keygen.set_defaults(func=run_keygen)

    sign = wsub.add_parser("sign", help="write FILE.sig, the signed manifest `load` requires")
    sign.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sign.set_defaults(func=run_sign)

    publish = wsub.add_parser(
        "publish", help="sign updates (or records, as upserts) and send them to the updates topic")
    publish.add_argument("file", type=Path, metavar="FILE",
                         help="NDJSON of WatchlistUpdates or of records ('-': stdin)")
    publish.add_argument("--delete", action="store_true",
                         help="records are sent as deletes of their list and id")
    publish.set_defaults(func=run_publish)


def signing_key(settings: Settings) -> Any:
    inline = settings.feed_signing_key.get_secret_value() if settings.feed_signing_key else None
    return signing.load_signing_key(settings.feed_signing_key_file, inline)


def trusted_keys(settings: Settings) -> signing.TrustedKeys:
    return signing.load_trusted_keys(settings.feed_keys_file, settings.feed_keys)


def _fail(command: str, message: str) -> int:
    print(f"screening watchlists {command}: {message}", file=sys.stderr)
    return 1


def run_keygen(settings: Settings, args: argparse.Namespace) -> int:
    private = args.out / signing.PRIVATE_KEY_NAME
    keys_file = args.keys_file or args.out / signing.TRUSTED_KEYS_NAME
    if private.exists():
        return _fail("keygen", f"{private} exists; a key is never overwritten")
    key = signing.new_key()
    signing.write_private_key(private, key)
    signing.add_trusted_key(keys_file, key.public_key(), args.name)
    print(f"key_id {signing.key_id_of(key.public_key())}")
    print(f"private key: {private} (mode 0600; keep it with the feed, nowhere else)")
    print(f"public key appended to: {keys_file}")
    print(f"the feed signs with   SCREENING_FEED_SIGNING_KEY_FILE={private.resolve()}")
    print(f"workers and loads use SCREENING_FEED_KEYS_FILE={keys_file.resolve()}")
    return 0


def run_sign(settings: Settings, args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        return _fail("sign", f"no such file: {', '.join(missing)}")
    try:
        key = signing_key(settings)
    except FeedKeyError as exc:
        return _fail("sign", str(exc))
    for path in args.files:
        out = signing.sign_file(path, key)
        manifest = orjson.loads(out.read_bytes())
        print(f"{out}: {manifest['records']} records, sha256 {manifest['sha256'][:16]}…, "
              f"key {manifest['key_id']}")
    return 0


def check_manifests(settings: Settings, paths: list[Path]) -> list[str]:
    """Why each file may not be loaded (empty: all may). Every file is checked before
    any is read into Redis, so a refused set loads nothing."""
    try:
        trusted = trusted_keys(settings)
    except FeedKeyError as exc:
        return [str(exc)]
    if not trusted:
        return ["no trusted feed keys are configured (SCREENING_FEED_KEYS_FILE): no list "
                "can be loaded; `screening watchlists keygen` makes a key"]
    problems = []
    for path in paths:
        try:
            signing.verify_manifest(path, trusted)
        except SignatureRefused as exc:
            problems.append(f"{exc.code}: {exc.message}")
    return problems


def sign_generated(settings: Settings, paths: list[Path]) -> list[Path]:
    """Manifests for freshly generated mock lists, when a signing key is configured."""
    if not (settings.feed_signing_key_file or settings.feed_signing_key):
        return []
    return signing.sign_files(paths, signing_key(settings))


def updates_of(lines: list[bytes], delete: bool, now: datetime) -> list[dict[str, Any]]:
    """Each line as the update to send: updates as given, records as upserts (or deletes),
    all validated first, so that a bad line sends nothing."""
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InvalidRecord(f"not JSON ({exc.msg})", where=f"line {n}") from None
        if not isinstance(data, dict):
            raise InvalidRecord("not a JSON object", where=f"line {n}")
        if "record" not in data:  # a record: its update
            record = {"list": data.get("list"), "id": data.get("id")} if delete else data
            data = {"update_id": uuid.uuid4().hex, "op": "delete" if delete else "upsert",
                    "issued_at": now.isoformat(), "record": record}
        try:
            update = parse_update(data)
        except InvalidRecord as exc:
            raise InvalidRecord(exc.reason, where=f"line {n}") from None
        # What is signed is what is sent: the model's JSON, not the line as typed.
        out.append(update.model_dump(mode="json", exclude_none=True, exclude={"signature"}))
    return out


def run_publish(settings: Settings, args: argparse.Namespace) -> int:
    from screening.kafka_io import producer

    try:
        key = signing_key(settings)
    except FeedKeyError as exc:
        return _fail("publish", str(exc))
    raw = sys.stdin.buffer.read() if str(args.file) == "-" else args.file.read_bytes()
    try:
        updates = updates_of(raw.splitlines(), args.delete, datetime.now(UTC))
    except InvalidRecord as exc:
        return _fail("publish", f"{exc}; nothing sent")
    try:
        trusted = trusted_keys(settings).keys
        if trusted and signing.key_id_of(key.public_key()) not in trusted:
            print("warning: the signing key is not among SCREENING_FEED_KEYS_FILE's keys; "
                  "workers that trust only those will refuse these updates", file=sys.stderr)
    except FeedKeyError:
        pass
    topic = settings.topic(settings.topic_updates)

    async def send() -> None:
        p = producer(settings)
        await p.start()
        try:
            sent = []
            for u in updates:
                body = signing.sign_update(u, key)
                sent.append(await p.send(topic, orjson.dumps(body),
                                         key=f"{u['record']['list']}:{u['record']['id']}".encode()))
            await asyncio.gather(*sent)  # raises when the broker refused one
        finally:
            await p.stop()

    asyncio.run(send())
    print(f"published {len(updates)} signed updates to {topic} "
          f"(key {signing.key_id_of(key.public_key())})")
    return 0
