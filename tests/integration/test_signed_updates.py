"""Signed watchlist data on the real broker and Redis, through the real worker: forged,
unsigned, wrongly signed, replayed and far-future updates change nothing and (but the
replay, which is harmless) are dead-lettered and alerted; a forged delete of a red notice
leaves it hitting; a correctly signed delete, sent by `watchlists publish`, applies; and
`watchlists load` loads nothing without a trusted manifest."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from screening.settings import Settings
from tests.support.feed import sign_files, signed, signed_dict, stranger_key

from .conftest import collect, create_topics, env_for, screening_cmd

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


def _at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def _update(op: str, record: dict[str, Any], update_id: str, ahead_s: float = 0.0,
            ) -> dict[str, Any]:
    body = record if op == "upsert" else {"list": record["list"], "id": record["id"]}
    return {"update_id": update_id, "op": op, "issued_at": _at(ahead_s), "record": body}


class Gate:
    """Sends traveller scans and reads their outcomes back."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.producer = AIOKafkaProducer(bootstrap_servers=settings.broker_hosts, acks="all")
        self.consumer = AIOKafkaConsumer(
            settings.topic(settings.topic_results), bootstrap_servers=settings.broker_hosts,
            group_id=f"it-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest")
        self.outcomes: dict[str, str] = {}

    async def __aenter__(self) -> Gate:
        await self.producer.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()
        await self.consumer.stop()

    async def update(self, raw: bytes, key: str) -> None:
        await self.producer.send_and_wait(self.s.topic(self.s.topic_updates), raw,
                                          key=key.encode())

    async def screen(self, holder: dict[str, Any] | None = None,
                     document: dict[str, Any] | None = None) -> str:
        event_id = uuid.uuid4().hex
        scan = {"event_id": event_id, "checkpoint_id": "cp-sig", "terminal_id": "t-sig",
                "scanned_at": datetime.now(UTC).isoformat(),
                "document": document or {"number": "P0000001", "issuing_state": "UTO",
                                         "type": "P"}}
        if holder is not None:
            scan["holder"] = holder
        await self.producer.send_and_wait(self.s.topic(self.s.topic_traveller),
                                          orjson.dumps(scan), key=b"t-sig")
        deadline = time.monotonic() + 30
        while event_id not in self.outcomes:
            assert time.monotonic() < deadline, "no result"
            for msgs in (await self.consumer.getmany(timeout_ms=300)).values():
                for m in msgs:
                    r = orjson.loads(m.value)
                    self.outcomes[r["event_id"]] = r["outcome"]
        return self.outcomes[event_id]

    async def red(self) -> str:
        return await self.screen(holder={"surname": "ERIKSSON", "given_names": "ANNA",
                                         "date_of_birth": "1974-08-12", "nationality": "UTO",
                                         "sex": "F"})

    async def fresh(self) -> str:
        return await self.screen(document={"number": FRESH["document_number"],
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
    assert await redis_client.keys(f"*{settings.redis_prefix}*") == []
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
        # The red notice's hit alert of the first scan, and one alert per forgery.
        alerts = await collect(settings, settings.topic_alerts, until=len(forged) + 1,
                               timeout=30)
        assert await gate.red() == "hit"  # the red notice still hits

        codes = {orjson.loads(base64.b64decode(d["payload_b64"]))["update_id"]:
                 d["reason"]["code"] for d in (orjson.loads(m.value) for m in letters)}
        assert codes == {"u-unsigned": "UNSIGNED_UPDATE", "u-stranger": "BAD_SIGNATURE",
                         "u-moved": "BAD_SIGNATURE", "u-tampered": "BAD_SIGNATURE",
                         "u-ahead": "INVALID_UPDATE"}
        integrity = [a for a in (orjson.loads(m.value) for m in alerts)
                     if a["kind"] == "integrity"]
        assert sorted(a["event_id"] for a in integrity) == sorted(forged)
        for a in integrity:
            assert (a["kind"], a["priority"]) == ("integrity", "high")
            assert "ERIKSSON" not in orjson.dumps(a).decode()

        # A genuine upsert then delete apply; the upsert replayed afterwards changes nothing,
        # and neither does the delete replayed.
        upsert = signed(_update("upsert", FRESH, "u-fresh-up", -2))
        delete = signed(_update("delete", FRESH, "u-fresh-del", -1))
        await gate.update(upsert, "sltd:S-NEW")
        await gate.until(gate.fresh, "hit")
        await gate.update(delete, "sltd:S-NEW")
        await gate.until(gate.fresh, "clear")
        await gate.update(upsert, "sltd:S-NEW")
        await gate.update(delete, "sltd:S-NEW")
        await gate.update(upsert, "sltd:S-NEW")
        await asyncio.sleep(1.0)
        assert await gate.fresh() == "clear"

        # A correctly signed delete of the red notice, as a feed sends it, applies.
        deletes = tmp_path / "delete.ndjson"
        deletes.write_bytes(orjson.dumps(RED) + b"\n")
        sent = await asyncio.to_thread(_cli, settings, "watchlists", "publish", "--delete",
                                       str(deletes))
        assert sent.returncode == 0, sent.stderr
        assert "published 1 signed updates" in sent.stdout
        await gate.until(gate.red, "clear")

    metrics = worker.metrics()
    refused_counts = {line.split('reason="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
                      for line in metrics.splitlines()
                      if line.startswith("screening_watchlist_updates_refused_total{")}
    assert refused_counts == {"UNSIGNED_UPDATE": 1, "BAD_SIGNATURE": 3, "ISSUED_AHEAD": 1}
    skipped = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                  if line.startswith("screening_watchlist_updates_total{")
                  and 'result="skipped"' in line)
    assert skipped >= 3  # the three replays
