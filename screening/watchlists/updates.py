"""Live watchlist updates: applied in order per key, idempotently, to every live version.

An update is written to a journal (a Redis stream) in the same transaction that reads
which versions are live; a bulk load replays the journal into its new version, so an
update that arrives during a load holds in the new version too.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from screening.exceptions import InvalidRecord
from screening.logs import kv
from screening.models import Alert, Hit, RecordRef, WatchlistUpdate
from screening.watchlists.base import OnError
from screening.watchlists.batch import WriteOp
from screening.watchlists.generic import ref_of
from screening.watchlists.indexer import change_ops
from screening.watchlists.registry import LIST_NAMES
from screening.watchlists.signing import TrustedKeys, verify_update
from screening.watchlists.store import Version, WatchlistStore

log = logging.getLogger("screening.watchlists.updates")

JOURNAL_MAXLEN = 200_000
# How long where each applied update came from is kept (by its issued_at), to tell a
# replay (the same signed update sent again, at another offset: it would re-apply an old
# delete to a version bulk-loaded since, which has no stamp for the record) from a
# redelivery (the same offset, after a restart; harmless). Longer than the updates
# topic's retention, so that only a copy kept outside Kafka for over a month is not caught.
REPLAY_WINDOW_S = 35 * 86400


def parse_update(raw: bytes | str | dict) -> WatchlistUpdate:
    try:
        if isinstance(raw, dict):
            return WatchlistUpdate.model_validate(raw)
        return WatchlistUpdate.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "update"
        raise InvalidRecord(f"{loc}: {first['msg']}") from None


def read_update(raw: bytes, trusted: TrustedKeys) -> WatchlistUpdate:
    """An update off the topic, verified against the trusted feed keys, then validated.

    InvalidRecord for what is not an update at all; SignatureRefused (UNSIGNED_UPDATE,
    BAD_SIGNATURE) for one that no trusted key vouches for. The signature is checked on
    the JSON object as received and the model is built from that same object, so what
    is applied is what was signed."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        parse_update(raw)  # raises with pydantic's own words ("Invalid JSON: ...")
        raise InvalidRecord("update: not JSON") from None  # never applied unverified
    if not isinstance(data, dict):
        raise InvalidRecord("update: not a JSON object")
    verify_update(data, trusted)
    return parse_update(data)


_CODE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _code(value: Any) -> str | None:
    """An id from an unverified input, only when it cannot carry anything but an id."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None


def integrity_alert(raw: bytes, code: str, message: str, now: datetime, *, topic: str,
                    partition: int | None, offset: int | None,
                    key_id: str | None = None) -> Alert:
    """A `high` alert saying an update was refused: which record it claimed to change
    (list and id, codes only) and where it sits, none of the record's personal fields.
    The alert id is stable per message, so a redelivery raises no second alert."""
    claimed: Mapping[str, Any] = {}
    try:
        data = orjson.loads(raw)
        if isinstance(data, dict):
            claimed = data
    except orjson.JSONDecodeError:
        pass
    record = claimed.get("record") if isinstance(claimed.get("record"), dict) else {}
    assert isinstance(record, dict)
    lst, rid = _code(record.get("list")), _code(record.get("id"))
    where = f"{topic}:{partition}:{offset}"
    update_id = _code(claimed.get("update_id"))
    return Alert(
        alert_id="integrity-" + hashlib.sha256(where.encode()).hexdigest()[:24],
        event_id=update_id or where, raised_at=now, priority="high",
        checkpoint_id="", terminal_id="", kind="integrity",
        # `hit` is required since v1: here it names the record the update claimed to change.
        hit=Hit(list=lst if lst in LIST_NAMES else "sltd",
                record_id=rid or "", score=0.0, matched_on=[], category=code),
        subject={"topic": topic, "partition": partition, "offset": offset},
        record={"list": lst, "id": rid, "op": _code(claimed.get("op")),
                "update_id": update_id, "key_id": _code(key_id), "refused": code,
                "reason": message})


@dataclass(frozen=True, slots=True)
class Applied:
    update: WatchlistUpdate
    applied: bool  # False when an equal or newer update for the key was applied already
    replay_of: str | None = None  # where the update first came, when this is a replay of it


def _stamp(u: WatchlistUpdate) -> bytes:
    return f"{u.issued_at.timestamp():.6f}|{u.update_id}".encode()


def _order(stamp: bytes) -> tuple[float, str]:
    """What a stamp sorts by. Compared as numbers: as text, an update of 1999
    ("915148800.0") sorted after one of 2026 ("1764374400.0")."""
    when, _, update_id = stamp.decode().partition("|")
    return float(when), update_id


async def _journal_and_versions(store: WatchlistStore,
                                updates: Sequence[WatchlistUpdate]) -> list[Version]:
    """Journal the updates and read the live versions atomically (one MULTI on one slot)."""
    async with store.redis.pipeline(transaction=True) as pipe:
        for u in updates:
            pipe.xadd(store.keys.journal, {"u": u.model_dump_json()}, maxlen=JOURNAL_MAXLEN,
                      approximate=True)
        pipe.get(store.keys.current)
        pipe.get(store.keys.loading)
        replies = await pipe.execute()
    versions = []
    for raw in replies[-2:]:
        if raw is not None:
            versions.append(await store.cached_version(raw.decode()))
    return versions


async def _apply_to(store: WatchlistStore, version: Version, updates: Sequence[WatchlistUpdate],
                    *, force: bool, on_error: OnError = None,
                    also: Sequence[WriteOp] = ()) -> list[bool]:
    """Apply to one version; only the newest update per key in the batch is applied.

    SLTD changes, the stamps that make updates idempotent and `also` go in one write:
    an SLTD-only batch costs four round trips (stamps, ids, documents, write)."""
    refs = [u.key for u in updates]
    seen = await _read_seen(store, version, refs)
    newest: dict[str, int] = {}
    for i, u in enumerate(updates):
        newest[u.key] = i
    applied = [False] * len(updates)
    upserts, deletes, stamps = [], [], {}
    for key, i in newest.items():
        u = updates[i]
        last = seen.get(key)
        if not force and last is not None and _order(_stamp(u)) <= _order(last):
            continue
        applied[i] = True
        stamps[key] = _stamp(u)
        if u.op == "upsert":
            upserts.append(u.record)
        else:
            deletes.append((u.record.list, u.record.id))
    ops, _ = await change_ops(store, version, upserts, deletes, on_error=on_error)
    ops += [("s", version.key(store.data_keys, "seen", ref), ref, "", stamp)
            for ref, stamp in stamps.items()]
    await store.batch.write([*ops, *also])
    return applied


async def _read_seen(store: WatchlistStore, version: Version, refs: list[str]) -> dict[str, bytes]:
    keys = [version.key(store.data_keys, "seen", ref) for ref in refs]
    values = await store.batch.read(keys, refs)
    return {ref: v for ref, v in zip(refs, values, strict=True) if v is not None}


def _applied_at(store: WatchlistStore, u: WatchlistUpdate) -> tuple[str, str]:
    """(hash, field) remembering where `u` came from."""
    return (store.keys.applied(u.issued_at.astimezone(UTC).strftime("%Y%m%d")),
            f"{u.key}|{_stamp(u).decode()}")


async def _replays(store: WatchlistStore, updates: Sequence[WatchlistUpdate],
                   origins: Sequence[str]) -> list[str | None]:
    """For each update, where it first came when that was elsewhere (a replay), else None.
    Also remembers where each first came (the control keys share one slot: one call)."""
    async with store.redis.pipeline(transaction=False) as pipe:
        for u, origin in zip(updates, origins, strict=True):
            key, fld = _applied_at(store, u)
            pipe.hget(key, fld)
            pipe.hsetnx(key, fld, origin)
            pipe.expireat(key, int(u.issued_at.timestamp()) + 86400 + REPLAY_WINDOW_S)
        replies = await pipe.execute()
    out: list[str | None] = []
    for origin, first in zip(origins, replies[::3], strict=True):
        before = first.decode() if isinstance(first, bytes) else first
        out.append(before if before is not None and before != origin else None)
    return out


async def apply_updates(store: WatchlistStore, updates: Sequence[WatchlistUpdate],
                        on_error: OnError = None,
                        origins: Sequence[str] | None = None) -> list[Applied]:
    """Apply a batch of updates (in their order) to every live version.

    With `origins` (where each update came from: topic:partition:offset), an update that
    came before from elsewhere is a replay: it is neither journalled nor applied, and is
    returned with `replay_of` set."""
    if not updates:
        return []
    replayed: dict[int, str] = {}
    if origins is not None:
        for i, first in enumerate(await _replays(store, updates, origins)):
            if first is not None:
                replayed[i] = first
        if replayed:
            kept = [u for i, u in enumerate(updates) if i not in replayed]
            done = iter(await apply_updates(store, kept, on_error))
            return [Applied(u, False, replayed[i]) if i in replayed else next(done)
                    for i, u in enumerate(updates)]
    versions = await _journal_and_versions(store, updates)
    applied = [False] * len(updates)
    # When each list last changed, written with the current version's changes.
    stamp = datetime.now(UTC).isoformat()
    touched: list[WriteOp] = [("s", store.keys.last_update, lst, "", stamp)
                              for lst in sorted({u.record.list for u in updates})]
    for n, version in enumerate(versions):
        for i, ok in enumerate(await _apply_to(store, version, updates, force=False,
                                               on_error=on_error,
                                               also=touched if n == 0 else ())):
            applied[i] = applied[i] or ok
    return [Applied(u, a) for u, a in zip(updates, applied, strict=True)]


async def replay_journal(store: WatchlistStore, version: Version, position: bytes) -> int:
    """Re-apply journalled updates after `position` to `version`, in journal order."""
    entries = await store.journal_since(position)
    updates = []
    for entry_id, raw in entries:
        try:
            updates.append(parse_update(raw))
        except InvalidRecord as exc:
            # Journalled under a laxer model (before a rule such as the years of dates
            # was added): what the topic now refuses is not replayed either, and one such
            # entry must not stop a bulk load.
            log.warning("journalled update skipped", extra=kv(entry=entry_id.decode(),
                                                                reason=exc.reason))
    for start in range(0, len(updates), 500):
        await _apply_to(store, version, updates[start:start + 500], force=True,
                        on_error=lambda record, exc: None)
    return len(updates)


__all__ = ["Applied", "RecordRef", "apply_updates", "integrity_alert", "parse_update",
           "read_update", "ref_of", "replay_journal"]

