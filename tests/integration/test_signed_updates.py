"""Signed watchlist data on the real broker and Redis, through the real worker: forged,
unsigned, wrongly signed, replayed and far-future updates change nothing and are
dead-lettered and alerted; a forged delete of a red notice
leaves it hitting; a correctly signed delete, sent by `watchlists publish`, applies; and
`watchlists load` loads nothing without a trusted manifest."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.settings import Settings
from screening.watchlists.store import WatchlistStore
from screening.watchlists.updates import apply_updates, parse_update
from tests.support.deadletters import opened
from tests.support.feed import sign_files, signed, signed_dict, stranger_key
from tests.support.services import collect, create_topics, env_for, screening_cmd
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration

RED = {"list": "notice", "id": "N-RED", "colour": "red",
       "names": [{"surname": "ERIKSSON", "given_names": "ANNA", "script": "Latn"}],
       "date_of_birth": "1974-08-12", "nationalities": ["UTO"], "sex": "F", "documents": []}
SLTD = {"list": "sltd", "id": "S-OLD", "document_number": "Y7654321", "issuing_state": "D",
        "document_type": "P", "status": "lost"}
FRESH = {"list": "sltd", "id": "S-NEW", "document_number": "Z1112223", "issuing_state": "FRA",
         "document_type": "P", "status": "stolen"}


def _load(settings: Settings, folder: Path, *, sign: bool) -> subprocess.CompletedProcess[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, record in (("notice", RED), ("sltd", SLTD)):
        path = folder / f"{name}.ndjson"
        path.write_bytes(orjson.dumps(record) + b"\n")
        paths.append(path)
    if sign:
        sign_files(paths)
    return subprocess.run(screening_cmd("watchlists", "load", "--quiet", *map(str, paths)),
                          env=env_for(settings), capture_output=True, text=True, timeout=120)


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(screening_cmd(*args), env=env_for(settings), capture_output=True,
                          text=True, timeout=60)


async def _integrity_alerts(settings: Settings, count: int) -> list[dict[str, Any]]:
    """The integrity alerts on the alerts topic, once `count` are there (or 30 s passed);
    the topic holds the notice's hit alerts too."""
    deadline = time.monotonic() + 30
    while True:
        alerts = [orjson.loads(m.value) for m in await collect(
            settings, settings.topic_alerts, until=10_000, timeout=1)]
        integrity = [a for a in alerts if a.get("kind") == "integrity"]
        if len(integrity) >= count or time.monotonic() > deadline:
            return integrity


def _at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def _update(op: str, record: dict[str, Any], update_id: str, ahead_s: float = 0.0,
            ) -> dict[str, Any]:
    body = record if op == "upsert" else {"list": record["list"], "id": record["id"]}
    return {"update_id": update_id, "op": op, "issued_at": _at(ahead_s), "record": body}


class Gate(Terminal):
    """Sends traveller scans and reads their outcomes back."""

    async def update(self, raw: bytes, key: str) -> None:
        await self.send_update(raw, key)

    async def outcome(self, holder: dict[str, Any] | None = None,
                      document: dict[str, Any] | None = None) -> str:
        scan = {"event_id": uuid.uuid4().hex, "checkpoint_id": "cp-sig",
                "terminal_id": "t-sig", "scanned_at": datetime.now(UTC).isoformat(),
                "document": document or {"number": "P0000001", "issuing_state": "UTO",
                                         "type": "P"}}
        if holder is not None:
            scan["holder"] = holder
        return str((await self.answer(orjson.dumps(scan)))["outcome"])

    async def red(self) -> str:
        return await self.outcome(holder={"surname": "ERIKSSON", "given_names": "ANNA",
                                         "date_of_birth": "1974-08-12", "nationality": "UTO",
                                         "sex": "F"})

    async def fresh(self) -> str:
        return await self.outcome(document={"number": FRESH["document_number"],
                                           "issuing_state": "FRA", "type": "P"})

    async def until(self, check: Any, outcome: str, within_s: float = 20) -> None:
        deadline = time.monotonic() + within_s
        while (got := await check()) != outcome:
            assert time.monotonic() < deadline, f"still {got}, expected {outcome}"
            await asyncio.sleep(0.1)


async def test_only_genuine_updates_change_the_lists(settings: Settings, worker_factory: Any,
                                                      tmp_path: Path, redis_client: Any) -> None:
    refused = _load(settings, tmp_path / "unsigned", sign=False)
    assert refused.returncode == 1 and "nothing was loaded" in refused.stderr
    assert [k async for k in redis_client.scan_iter(match=f"*{settings.redis_prefix}*")] == []
    loaded = _load(settings, tmp_path / "signed", sign=True)
    assert loaded.returncode == 0, loaded.stderr

    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    async with Gate(settings) as gate:
        assert await gate.red() == "hit"

        # Forgeries of the red notice's deletion, every one of them refused.
        genuine_other = signed_dict(_update("upsert", FRESH, "u-genuine-other"))
        moved = {**_update("delete", RED, "u-moved", 5), "signature": genuine_other["signature"]}
        tampered = signed_dict(_update("delete", SLTD, "u-tampered", 5))
        tampered["record"] = {"list": "notice", "id": "N-RED"}
        forged = {
            "u-unsigned": orjson.dumps(_update("delete", RED, "u-unsigned", 5)),
            "u-stranger": signed(_update("delete", RED, "u-stranger", 5), stranger_key()),
            "u-moved": orjson.dumps(moved),
            "u-tampered": orjson.dumps(tampered),
            # Genuinely signed, but dated an hour ahead: it would outrank every later update.
            "u-ahead": signed(_update("delete", RED, "u-ahead", 3600)),
        }
        for raw in forged.values():
            await gate.update(raw, "notice:N-RED")
        letters = await collect(settings, settings.topic_deadletter, until=len(forged),
                                timeout=60)
        assert await gate.red() == "hit"  # the red notice still hits

        codes = {orjson.loads(opened(d))["update_id"]:
                 d["reason"]["code"] for d in (orjson.loads(m.value) for m in letters)}
        assert codes == {"u-unsigned": "UNSIGNED_UPDATE", "u-stranger": "BAD_SIGNATURE",
                         "u-moved": "BAD_SIGNATURE", "u-tampered": "BAD_SIGNATURE",
                         "u-ahead": "INVALID_UPDATE"}
        integrity = await _integrity_alerts(settings, len(forged))
        assert sorted(a["event_id"] for a in integrity) == sorted(forged)
        for a in integrity:
            assert (a["kind"], a["priority"]) == ("integrity", "high")
            assert "ERIKSSON" not in orjson.dumps(a).decode()

        # A genuine upsert then delete apply; each sent again afterwards (a replay, at
        # another offset) changes nothing, and is refused and alerted.
        upsert = signed(_update("upsert", FRESH, "u-fresh-up", -2))
        delete = signed(_update("delete", FRESH, "u-fresh-del", -1))
        await gate.update(upsert, "sltd:S-NEW")
        await gate.until(gate.fresh, "hit")
        await gate.update(delete, "sltd:S-NEW")
        await gate.until(gate.fresh, "clear")
        for raw in (upsert, delete, upsert):
            await gate.update(raw, "sltd:S-NEW")
        replays = await collect(settings, settings.topic_deadletter, until=len(forged) + 3,
                                timeout=60)
        codes_now = [orjson.loads(m.value)["reason"]["code"] for m in replays]
        assert codes_now.count("REPLAYED_UPDATE") == 3, codes_now
        assert await gate.fresh() == "clear"

        # A correctly signed delete of the red notice, as a feed sends it, applies.
        deletes = tmp_path / "delete.ndjson"
        deletes.write_bytes(orjson.dumps(RED) + b"\n")
        sent = await asyncio.to_thread(_cli, settings, "watchlists", "publish", "--delete",
                                       str(deletes))
        assert sent.returncode == 0, sent.stderr
        assert "published 1 signed updates" in sent.stdout
        await gate.until(gate.red, "clear")

        # The notice issued again by a bulk load. The new version holds no stamp for it, so
        # only the replay check stops the genuine delete, sent again, from deleting it.
        again = await asyncio.to_thread(_load, settings, tmp_path / "again", sign=True)
        assert again.returncode == 0, again.stderr
        await gate.until(gate.red, "hit")
        sent_so_far = await collect(settings, settings.topic_updates, until=11, timeout=20)
        genuine_delete = [m.value for m in sent_so_far if m.key == b"notice:N-RED"][-1]
        assert orjson.loads(genuine_delete)["op"] == "delete"
        await gate.update(genuine_delete, "notice:N-RED")
        letters = await collect(settings, settings.topic_deadletter, until=len(forged) + 4,
                                timeout=60)
        assert [orjson.loads(m.value)["reason"]["code"] for m in letters].count(
            "REPLAYED_UPDATE") == 4
        assert await gate.red() == "hit"

    metrics = worker.metrics()
    refused_counts = {line.split('reason="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
                      for line in metrics.splitlines()
                      if line.startswith("screening_watchlist_updates_refused_total{")}
    assert refused_counts == {"UNSIGNED_UPDATE": 1, "BAD_SIGNATURE": 3, "ISSUED_AHEAD": 1,
                              "REPLAYED_UPDATE": 4}
    integrity = await _integrity_alerts(settings, len(forged) + 4)
    assert [a["hit"]["category"] for a in integrity].count("REPLAYED_UPDATE") == 4


async def test_a_redelivery_is_no_replay_but_a_copy_elsewhere_is(settings: Settings,
                                                                 redis_client: Any) -> None:
    """After a restart the worker reads an update again at the same offset: applied again
    (harmlessly), not refused; the same update at another offset is a replay."""
    store = WatchlistStore(redis_client, settings.redis_prefix)
    u = parse_update(signed_dict(_update("delete", RED, "u-once", -5)))
    first = await apply_updates(store, [u], origins=["t:0:5"])
    again = await apply_updates(store, [u], origins=["t:0:5"])
    elsewhere = await apply_updates(store, [u, u], origins=["t:1:9", "t:0:5"])
    assert [a.replay_of for a in (*first, *again)] == [None, None]
    assert [a.replay_of for a in elsewhere] == ["t:0:5", None]
    # Two copies in one batch: the second is the replay.
    v = parse_update(signed_dict(_update("delete", RED, "u-twice", -4)))
    assert [a.replay_of for a in await apply_updates(store, [v, v], origins=["t:0:7", "t:0:8"])
            ] == [None, "t:0:7"]
