"""Many hash reads or writes in one Redis call per node, by Lua script.

A pipeline of thousands of HGETs costs tens of microseconds each in redis-py's
reply handling; one script call that returns an array costs a fraction of that.
On a Redis Cluster the keys are grouped by the node that serves them and the
scripts carry `allow-cross-slot-keys` (Redis ≥ 7.0), so a batch still costs one
call per node.

Bulk loads are the exception: they write native HSETs already encoded in RESP
(write_bulk), since a script spends about 1.7 µs of Redis's one thread per record
more than the commands it calls.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import NoScriptError, ResponseError

from screening.redis_client import AnyRedis

# The scripts are in lua/, one a file, read once here. Arguments travel packed in one
# string, NUL-separated (lua/split.lua unpacks them, the prelude of every script):
# redis-py packs each argument in Python (microseconds apiece), so thousands of them cost
# more than the look-up. NUL cannot occur in keys, fields or values: scans, records and
# ids refuse control characters. Keys are not declared (numkeys 0); calls are routed to
# the node serving them, and `allow-cross-slot-keys` lets one call touch many slots of
# that node.
_LUA = files("screening.watchlists") / "lua"
_PRELUDE = (_LUA / "split.lua").read_text(encoding="utf-8")


def _script(name: str) -> str:
    """lua/<name>.lua with the prelude after its first line, the flags (Redis reads them
    there and nowhere else)."""
    flags, _, body = (_LUA / f"{name}.lua").read_text(encoding="utf-8").partition("\n")
    if not flags.startswith("#!lua "):
        raise ValueError(f"lua/{name}.lua: the first line must be its #!lua flags")
    return f"{flags}\n{_PRELUDE}\n{body}"


_READ = _script("read")  # pairs (key, field): HGET, or GET for an empty field
_WRITE = _script("write")  # live updates' and small writes' ops (WriteOp)
_BULK = _script("bulk")  # bulk loads' merges (write_bulk)

# Arguments per script call: big enough to amortise, small enough not to stall Redis.
CHUNK = 4000

WriteOp = tuple[str, str, str | bytes, str | bytes, str | bytes]  # (op, key, field, id, value)


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
                    return await self.redis.execute_command(
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
            node = self.redis.get_node_from_key(key)
            assert node is not None
            groups[node.name].append(i)
        return groups

    def _node(self, name: Any) -> Any:
        assert isinstance(self.redis, RedisCluster)
        return self.redis.get_node(node_name=name)

    async def read(self, keys: Sequence[str], fields: Sequence[str | bytes]) -> list[bytes | None]:
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
        groups = self._by_node([key for _, key, _, _, _ in ops])

        async def one(node_name: Any, idx: list[int]) -> None:
            for start in range(0, len(idx), CHUNK):
                await self._write_chunk([ops[i] for i in idx[start:start + CHUNK]],
                                        self._node(node_name))

        await asyncio.gather(*(one(n, idx) for n, idx in groups.items()))

    async def _write_chunk(self, ops: Sequence[WriteOp], node: Any) -> None:
        await self._call("write", _WRITE, pack_ops(ops), node=node)

    async def write_packed(self, packed: bytes, node_name: str | None = None) -> None:
        """Ops already packed (five NUL-separated parts each), all served by the node
        named (on a cluster; see node_of_slot)."""
        await self._call("write", _WRITE, packed,
                         node=self._node(node_name) if node_name is not None else None)

    async def write_bulk(self, writes: Sequence[BucketWrite], node_name: str | None = None
                         ) -> list[tuple[bytes, bytes]]:
        """New entries of a version being bulk-loaded, all served by the node named.

        Nothing else writes to that version until it is filled (live updates reach it
        afterwards, from the journal), so a bucket no earlier group of the load reached
        is empty, and its group is one native HSET. A revisited bucket is copied aside
        first (COPY, a few µs per bucket where an HMGET would cost about 0.4 µs per
        field). HSET counts the fields it added: all of them, and the group is written.
        Fewer, and the group met a field already there, or repeats one: the bucket is
        put back as it was (RENAME of the copy, or emptied again where there was none)
        and the group merged by the bulk script, pair after pair in the file's order.

        Returns the (key, field) of every field where an id met again: SLTD id table
        fields, for the loader to settle (sltd.compact.settle_repeats), and SMV record
        fields, where the later body replaced the earlier (bulk.lua)."""
        repeats: list[tuple[bytes, bytes]] = []
        for start in range(0, len(writes), BULK_BUCKETS):
            part = writes[start:start + BULK_BUCKETS]
            # A revisited packed index (mode c) has its few fields already: merged at once.
            merge = [w for w in part if w.revisit and (w.spare is None or w.mode == b"c")]
            plain = [w for w in part if not w.revisit or (w.spare is not None
                                                          and w.mode != b"c")]
            buffers: list[bytes | bytearray] = []
            for w in plain:
                if w.revisit:
                    assert w.spare is not None
                    buffers.append(_command(b"COPY", w.key, 2, _bulk(w.spare) + _bulk(b"REPLACE")))
                buffers += (_command(b"HSET", w.key, 2 * w.pairs, b""), w.body)
            replies = iter(await self._raw(buffers, len(plain) + sum(w.revisit for w in plain),
                                           node_name))
            after: list[bytes | bytearray] = []  # copies: dropped, or put back before a merge
            for w in plain:
                copied = w.revisit and next(replies) == 1
                written = next(replies) == w.pairs
                if not written:
                    merge.append(w)
                if copied:
                    assert w.spare is not None
                    after.append(_command(b"DEL", w.spare, 0, b"") if written else
                                 _command(b"RENAME", w.spare, 1, _bulk(w.key)))
                elif not written and not w.revisit:
                    # Empty before this group: emptied again, so that the merge applies
                    # its pairs in order (a repeated field's last value must end last).
                    after.append(_command(b"DEL", w.key, 0, b""))
            await self._raw(after, len(after), node_name)
            repeats += await self._merge(merge, node_name)
        return repeats

    async def _merge(self, writes: Sequence[BucketWrite], node_name: str | None
                     ) -> list[tuple[bytes, bytes]]:
        parts: list[bytes] = []
        size = 0
        node = self._node(node_name) if node_name is not None else None
        flat: list[bytes] = []
        for w in writes:
            parts += (w.key, w.mode, str(w.pairs).encode())
            parts += _strings(w.body)
            size += w.pairs
            if size >= MERGE_PAIRS:
                flat += await self._call("bulk", _BULK, b"\0".join(parts), node=node)
                parts, size = [], 0
        if parts:
            flat += await self._call("bulk", _BULK, b"\0".join(parts), node=node)
        return list(zip(flat[::2], flat[1::2], strict=True))

    async def _raw(self, buffers: list[bytes | bytearray], replies: int,
                   node_name: str | None) -> list[Any]:
        """Commands already in RESP (in as many buffers as it takes), sent in one write;
        their replies (an error reply raises, and the connection is dropped rather than
        reused half-read)."""
        if not buffers:
            return []
        if self.cluster:
            node = self._node(node_name)
            conn = node.acquire_connection()
        else:
            assert isinstance(self.redis, Redis)
            pool = self.redis.connection_pool
            conn = await pool.get_connection()
        # The parser's own read: Connection.read_response costs ~4.6 µs a reply in its
        # timeout and health handling, the parser ~0.35 µs (thousands per group).
        read = getattr(conn, "_parser", conn).read_response
        try:
            await conn.send_packed_command(buffers, check_health=False)
            out = [await read() for _ in range(replies)]
            for reply in out:
                if isinstance(reply, ResponseError):
                    raise reply
            return out
        except BaseException:
            await conn.disconnect()
            raise
        finally:
            if self.cluster:
                node.release(conn)
            else:
                await pool.release(conn)

    def node_of_slot(self) -> list[str] | None:
        """The node name serving each of the 16384 slots (None on one server), so that
        packing processes can group ops by node without a client."""
        if not self.cluster:
            return None
        assert isinstance(self.redis, RedisCluster)
        cache = self.redis.nodes_manager.slots_cache
        return [cache[slot][0].name for slot in range(16384)]


# Buckets per round trip of a bulk load (about 80 pairs each), and pairs per call of the
# bulk script when groups need merging.
BULK_BUCKETS = 2000
MERGE_PAIRS = 4000


@dataclass(slots=True)
class BucketWrite:
    """One bucket's new entries in a bulk load."""

    key: bytes
    spare: bytes | None  # spare_key(key)
    mode: bytes  # as blocks.TablePlan.mode
    revisit: bool  # an earlier group of this load wrote to the bucket
    pairs: int
    # The field/value pairs, each as two RESP bulk strings
    # ($6\r\n<field>\r\n$7\r\n<value>\r\n): HSET's arguments, ready to send.
    body: bytes


def spare_key(key: bytes) -> bytes | None:
    """Where a bucket waits while a group is written over it: under the version's
    prefix (so dropping a version drops it) and in the same cluster slot (COPY and
    RENAME need that): the key itself is the spare's hash tag, unless the key has a
    tag of its own. None for a prefix with braces that defeat both."""
    first = key.find(b"{")
    if first >= 0 and key.find(b"}", first + 2) >= 0:
        spare = key + b":old"
    else:
        spare = key + b":old{" + key + b"}"
    return spare if key_slot(spare) == key_slot(key) else None


def _strings(body: bytes | bytearray) -> list[bytes]:
    """RESP bulk strings, one after the other, as a list."""
    out: list[bytes] = []
    pos = 0
    while pos < len(body):
        head = body.index(b"\r\n", pos)
        start = head + 2
        end = start + int(body[pos + 1:head])
        out.append(bytes(body[start:end]))
        pos = end + 2
    return out


def _bulk(arg: bytes) -> bytes:
    return b"$%d\r\n%b\r\n" % (len(arg), arg)


def _command(name: bytes, key: bytes, args: int, body: bytes) -> bytes:
    """A command in RESP: its name, its key, then `args` arguments already in `body`."""
    return b"*%d\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n%b" % (
        2 + args, len(name), name, len(key), key, body)


def as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def pack_ops(ops: Sequence[WriteOp]) -> bytes:
    """Write ops as the write script takes them: five NUL-separated parts each."""
    parts: list[bytes] = []
    for op, key, field, rid, value in ops:
        parts += [op.encode(), key.encode(), as_bytes(field), as_bytes(rid), as_bytes(value)]
    return b"\0".join(parts)


def unpack_ops(packed: bytes) -> list[WriteOp]:
    """pack_ops' ops back (op and key as str, the rest as bytes)."""
    if not packed:
        return []
    parts = packed.split(b"\0")
    return [(parts[i].decode(), parts[i + 1].decode(), parts[i + 2], parts[i + 3], parts[i + 4])
            for i in range(0, len(parts), 5)]


def _pack_pairs(keys: Sequence[str], fields: Sequence[str | bytes]) -> bytes:
    """key, field, key, field... NUL-separated; interleaved by slice assignment (a
    ValueError when the lengths differ), as this runs for every look-up of a batch."""
    parts: list[bytes] = [b""] * (2 * len(keys))
    parts[::2] = map(str.encode, keys)
    parts[1::2] = [f if isinstance(f, bytes) else f.encode() for f in fields]
    return b"\0".join(parts)
