"""Many hash reads or writes in one Redis call per node, by Lua script.

A pipeline of thousands of HGETs costs tens of microseconds each in redis-py's
reply handling; one script call that returns an array costs a fraction of that.
On a Redis Cluster the keys are grouped by the node that serves them and the
scripts carry `allow-cross-slot-keys` (Redis ≥ 7.0), so a batch still costs one
call per node.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, ResponseError

from screening.redis_client import AnyRedis

# Arguments travel packed in one string, NUL-separated: redis-py packs each argument
# in Python (microseconds apiece), so thousands of them cost more than the look-up.
# NUL cannot occur in keys, fields or values: scans, records and ids refuse control
# characters. Keys are not declared (numkeys 0); calls are routed to the node serving
# them, and `allow-cross-slot-keys` lets one call touch many slots of that node.
_SPLIT = """
local function split(s)
  local out, pos = {}, 1
  while true do
    local i = string.find(s, '\\0', pos, true)
    if not i then out[#out + 1] = string.sub(s, pos); return out end
    out[#out + 1] = string.sub(s, pos, i - 1)
    pos = i + 1
  end
end
"""

# Read pairs (key, field); an empty field means GET the key (the version pointer).
_READ = "#!lua flags=allow-cross-slot-keys,no-writes" + _SPLIT + """
local a = split(ARGV[1])
local out = {}
for i = 1, #a, 2 do
  local key, field = a[i], a[i + 1]
  if field == '' then
    out[#out + 1] = redis.call('GET', key)
  else
    out[#out + 1] = redis.call('HGET', key, field)
  end
end
return out
"""

# Write ops, five parts each: op, key, field, id, value.
#   p: put entry `value` for record `id` into the field's entry list (replacing its old one)
#   d: remove record `id`'s entry from the field's entry list (the field goes when empty)
#   s: HSET field value          x: HDEL field
_WRITE = "#!lua flags=allow-cross-slot-keys" + _SPLIT + """
local RS = '\\30'
local function others(cur, id)
  local out = {}
  if cur then
    for item in string.gmatch(cur, '[^\\30]+') do
      local rid = string.match(item, '^[^\\31]*')
      if rid ~= id then out[#out + 1] = item end
    end
  end
  return out
end
local a = split(ARGV[1])
for i = 1, #a, 5 do
  local op, key, field, id, value = a[i], a[i + 1], a[i + 2], a[i + 3], a[i + 4]
  if op == 's' then
    redis.call('HSET', key, field, value)
  elseif op == 'x' then
    redis.call('HDEL', key, field)
  else
    local cur = redis.call('HGET', key, field)
    if op == 'p' then
      if not cur then
        redis.call('HSET', key, field, value)
      else
        local out = others(cur, id)
        out[#out + 1] = value
        redis.call('HSET', key, field, table.concat(out, RS))
      end
    elseif cur then
      local out = others(cur, id)
      if #out == 0 then
        redis.call('HDEL', key, field)
      else
        redis.call('HSET', key, field, table.concat(out, RS))
      end
    end
  end
end
return #a / 5
"""

# Arguments per script call: big enough to amortise, small enough not to stall Redis.
CHUNK = 4000

WriteOp = tuple[str, str, str, str, str | bytes]  # (op, key, field, id, value)


class BatchOps:
    def __init__(self, redis: AnyRedis) -> None:
        self.redis = redis
        self.cluster = isinstance(redis, RedisCluster)
        self._sha: dict[str, str] = {}

    async def _call(self, name: str, source: str, packed: bytes, node: Any = None) -> Any:
        for attempt in range(2):
            sha = self._sha.get(name)
            if sha is None:
                sha = self._sha[name] = await self.redis.script_load(source)
            try:
                if node is not None:
                    return await self.redis.execute_command(  # type: ignore[union-attr]
                        "EVALSHA", sha, 0, packed, target_nodes=node)
                return await self.redis.execute_command("EVALSHA", sha, 0, packed)
            except NoScriptError:
                self._sha.pop(name, None)  # Redis restarted or failed over
                if attempt:
                    raise
            except ResponseError as exc:
                if "NOSCRIPT" not in str(exc) or attempt:
                    raise
                self._sha.pop(name, None)
        raise AssertionError("unreachable")

    def _by_node(self, keys: Sequence[str]) -> dict[Any, list[int]]:
        groups: dict[Any, list[int]] = defaultdict(list)
        assert isinstance(self.redis, RedisCluster)
        for i, key in enumerate(keys):
            groups[self.redis.get_node_from_key(key).name].append(i)
        return groups

    def _node(self, name: Any) -> Any:
        assert isinstance(self.redis, RedisCluster)
        return self.redis.get_node(node_name=name)

    async def read(self, keys: Sequence[str], fields: Sequence[str]) -> list[bytes | None]:
        """HGET keys[i] fields[i] for every i (GET where the field is empty)."""
        if not keys:
            return []
        if not self.cluster:
            out: list[bytes | None] = []
            for start in range(0, len(keys), CHUNK):
                out += await self._call("read", _READ, _pack_pairs(keys[start:start + CHUNK],
                                                                   fields[start:start + CHUNK]))
            return out
        result: list[bytes | None] = [None] * len(keys)

        async def one(node_name: Any, idx: list[int]) -> None:
            for start in range(0, len(idx), CHUNK):
                part = idx[start:start + CHUNK]
                values = await self._call("read", _READ,
                                          _pack_pairs([keys[i] for i in part],
                                                      [fields[i] for i in part]),
                                          node=self._node(node_name))
                for i, v in zip(part, values, strict=True):
                    result[i] = v

        await asyncio.gather(*(one(n, idx) for n, idx in self._by_node(keys).items()))
        return result

    async def write(self, ops: Sequence[WriteOp]) -> None:
        """Apply write ops in order (per node on a cluster: order holds per key)."""
        if not ops:
            return
        if not self.cluster:
            for start in range(0, len(ops), CHUNK):
                await self._write_chunk(ops[start:start + CHUNK], None)
            return
        groups = self._by_node([op[1] for op in ops])

        async def one(node_name: Any, idx: list[int]) -> None:
            for start in range(0, len(idx), CHUNK):
                await self._write_chunk([ops[i] for i in idx[start:start + CHUNK]],
                                        self._node(node_name))

        await asyncio.gather(*(one(n, idx) for n, idx in groups.items()))

    async def _write_chunk(self, ops: Sequence[WriteOp], node: Any) -> None:
        parts: list[bytes] = []
        for op, key, field, rid, value in ops:
            parts += [op.encode(), key.encode(), field.encode(), rid.encode(),
                      value if isinstance(value, bytes) else value.encode()]
        await self._call("write", _WRITE, b"\0".join(parts), node=node)


def _pack_pairs(keys: Sequence[str], fields: Sequence[str]) -> bytes:
    parts: list[str] = []
    for key, field in zip(keys, fields, strict=True):
        parts += [key, field]
    return "\0".join(parts).encode()
