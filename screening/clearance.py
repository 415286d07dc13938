"""Namesake clearance: a traveller an analyst found to be not the person a record names is
let through at their next scans, until a chosen time, with a reminder to the analysts.

A clearance holds one person against one record: the person as a keyed digest of name,
date of birth and document (audit/digests.py `Digester.subject`; the alert carries it as
`subject_key`), so another traveller with the same name, or the same name on another
passport, is still referred. Only name matches can be cleared: a document listed as
stolen is not a namesake. The console writes clearances (analysts, after dismissing the
alert; supervisors list and revoke them), every act audited; workers read them for the
rare scan that hits a person list, in one extra round trip. A clearance that cannot be
read is not applied: the referral stands (fail closed).

Redis: one hash, `{prefix}:clearances`, field `<subject_key>|<list>|<record_id>`, value
JSON {until, by, role, alert_id, at, note}; expired ones are ignored, and dropped when
listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson

from screening.models import Alert, CheckResult


def clearances_key(prefix: str) -> str:
    return f"{{{prefix}}}:clearances"


def field_of(subject_key: str, list_name: str, record_id: str) -> str:
    return f"{subject_key}|{list_name}|{record_id}"


def clearable(alert: Alert | Mapping[str, Any]) -> bool:
    """A name match of a traveller whose person digest is known."""
    data = alert.model_dump() if isinstance(alert, Alert) else alert
    hit = data.get("hit") or {}
    on = hit.get("matched_on") or []
    return bool(data.get("subject_key")) and hit.get("list") != "sltd" and "name" in on \
        and "document_number" not in on


def alert_field(alert: Alert) -> str:
    assert alert.subject_key is not None
    return field_of(alert.subject_key, alert.hit.list, alert.hit.record_id)


def still_valid(raw: bytes | str | None, now: datetime) -> datetime | None:
    """The clearance's end when it holds at `now`, else None (none, expired, unreadable)."""
    if not raw:
        return None
    try:
        until = datetime.fromisoformat(str(orjson.loads(raw)["until"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    return until if until > now else None


def apply(result: CheckResult, alerts: list[Alert],
          cleared: Mapping[str, datetime]) -> tuple[CheckResult, list[Alert]]:
    """The result and alerts once the clearances in force (`cleared`: field -> until)
    are applied: a cleared hit leaves the gate's answer, and its alert becomes a
    low-priority reminder for analysts only. Hits that remain keep the referral."""
    if not cleared:
        return result, alerts
    out, gone = [], set()
    for alert in alerts:
        until = cleared.get(alert_field(alert)) if clearable(alert) else None
        if until is None:
            out.append(alert)
            continue
        gone.add((alert.hit.list, alert.hit.record_id))
        out.append(alert.model_copy(update={
            "priority": "low", "cleared_until": until, "instruction": "PROCEED",
            "tier": "possible"}))
    hits = [h for h in result.hits if (h.list, h.record_id) not in gone]
    if len(hits) == len(result.hits):  # the cleared alerts were not the gate's (possible)
        return result, out
    if hits:
        return result.model_copy(update={"hits": hits}), out
    if result.outcome != "hit" or "LIST_UNAVAILABLE" in result.warnings:
        # A list that could not be consulted is never a PROCEED.
        return result.model_copy(update={"hits": [], "outcome": "unverified",
                                          "instruction": "REFER_SECONDARY"}), out
    return result.model_copy(update={"hits": [], "outcome": "clear",
                                      "instruction": "PROCEED"}), out


class Clearances:
    """The clearances in Redis (the worker reads; the console writes, lists, revokes)."""

    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.key = clearances_key(prefix)

    async def in_force(self, fields: Iterable[str], now: datetime) -> dict[str, datetime]:
        wanted = list(dict.fromkeys(fields))
        if not wanted:
            return {}
        values = await self.redis.hmget(self.key, wanted)
        found = {f: still_valid(v, now) for f, v in zip(wanted, values, strict=True)}
        return {f: until for f, until in found.items() if until is not None}

    async def grant(self, field: str, entry: Mapping[str, Any]) -> None:
        await self.redis.hset(self.key, field, orjson.dumps(dict(entry)))

    async def revoke(self, field: str) -> bool:
        return bool(await self.redis.hdel(self.key, field))

    async def listed(self, now: datetime) -> list[dict[str, Any]]:
        """Those in force, soonest to end first; expired ones are dropped."""
        entries = await self.redis.hgetall(self.key)
        out, expired = [], []
        for raw_field, raw in entries.items():
            field = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
            if still_valid(raw, now) is None:
                expired.append(field)
                continue
            subject, list_name, record_id = field.split("|", 2)
            out.append(orjson.loads(raw) | {"field": field, "subject_key": subject,
                                            "list": list_name, "record_id": record_id})
        if expired:
            await self.redis.hdel(self.key, *expired)
        return sorted(out, key=lambda e: str(e["until"]))
