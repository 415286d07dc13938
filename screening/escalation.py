"""Escalation: a critical alert nobody acknowledged in time is raised to the supervisors.

The timers live in Redis, beside the lists every worker already shares, not in a
worker's memory: a sorted set of alert ids by the moment they fall due, and a hash of the
alerts as raised (to publish them again, marked). They survive a worker's restart and
need no rebalancing between workers; every worker's tick claims due alerts with one
script, which moves each claim's deadline forward by a lease, so that two workers never
escalate the same alert and a worker that dies between claim and publish leaves it to
the next tick after the lease. The alert is published again, same id, with
`escalated_at` = the moment it fell due (a repeat after a crash is identical), then
forgotten. Any step of the hit procedure on an alert (a decision on
`screening.alert-decisions`) stops its timer.

Keys (hash-tagged with the deployment's prefix, one slot in a Redis Cluster):
`{prefix}:escalation:due` (ZSET alert id -> due, ms since the epoch) and
`{prefix}:escalation:alerts` (HASH alert id -> the alert's JSON).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from screening.models import Alert

# How long a claimed escalation is left to its claimer before another tick takes it.
LEASE_MS = 10_000
# Alerts escalated per tick at most (a burst is spread over a few ticks).
PER_TICK = 100

# KEYS: due, alerts. ARGV: now_ms, lease_ms, limit. Returns [id, due, json, ...] of the
# alerts due, each moved forward by the lease (claimed).
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0,
                       tonumber(ARGV[3]))
local out = {}
for i = 1, #due, 2 do
  local id, at = due[i], due[i + 1]
  redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
  local body = redis.call('HGET', KEYS[2], id)
  if body then
    local first = redis.call('HGET', KEYS[2], id .. ':due') or at
    redis.call('HSETNX', KEYS[2], id .. ':due', at)
    table.insert(out, id)
    table.insert(out, first)
    table.insert(out, body)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
"""


def escalates(alert: Alert) -> bool:
    """Critical alerts that asked the gate to act (not possible matches, not reminders)."""
    return alert.priority == "critical" and alert.tier == "referral"


class Escalations:
    def __init__(self, redis: Any, prefix: str, after_s: float) -> None:
        self.redis = redis
        self.after_ms = int(after_s * 1000)
        self.due_key = f"{{{prefix}}}:escalation:due"
        self.alerts_key = f"{{{prefix}}}:escalation:alerts"
        self._claim = redis.register_script(_CLAIM)

    async def watch(self, alerts: Iterable[Alert]) -> int:
        """Starts the timers of the alerts that escalate (not again for one known: a scan
        screened twice raises the same alert id). Returns how many were watched."""
        chosen = [a for a in alerts if escalates(a)]
        if not chosen:
            return 0
        # In this order (a pipeline without MULTI, as a Redis Cluster client sends one):
        # a timer never exists without the alert it is to publish.
        pipe = self.redis.pipeline(transaction=False)
        for a in chosen:
            due = int(a.raised_at.timestamp() * 1000) + self.after_ms
            pipe.hsetnx(self.alerts_key, a.alert_id, a.model_dump_json(exclude_none=True))
            pipe.zadd(self.due_key, {a.alert_id: due}, nx=True)
        await pipe.execute()
        return len(chosen)

    async def settle(self, alert_ids: Iterable[str]) -> None:
        """A step was taken on these alerts: their timers stop."""
        ids = list(alert_ids)
        if ids:
            pipe = self.redis.pipeline(transaction=False)
            pipe.zrem(self.due_key, *ids)
            pipe.hdel(self.alerts_key, *ids, *(f"{i}:due" for i in ids))
            await pipe.execute()

    async def claim(self, now: datetime) -> list[Alert]:
        """The alerts due by `now`, claimed, each with `escalated_at` set."""
        now_ms = int(now.timestamp() * 1000)
        raw = await self._claim(keys=[self.due_key, self.alerts_key],
                                args=[now_ms, LEASE_MS, PER_TICK])
        out = []
        for i in range(0, len(raw), 3):
            due = datetime.fromtimestamp(int(float(raw[i + 1])) / 1000, UTC)
            alert = Alert.model_validate_json(raw[i + 2])
            out.append(alert.model_copy(update={"escalated_at": due}))
        return out

    async def pending(self) -> int:
        return int(await self.redis.zcard(self.due_key))

    async def waiting(self, now: datetime) -> tuple[int, float]:
        """How many alerts wait for a first step, and the oldest one's age in seconds
        (0 without any): what the room's wall shows."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard(self.due_key)
        pipe.zrange(self.due_key, 0, 0, withscores=True)
        count, first = await pipe.execute()
        if not first:
            return int(count), 0.0
        raised_ms = float(first[0][1]) - self.after_ms
        return int(count), max(0.0, now.timestamp() - raised_ms / 1000)
