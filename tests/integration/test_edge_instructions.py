"""The edge after the link comes back, with a real broker, worker and edge process (as
`edge-default`): a scan answered CLEAR offline that the centre finds a HIT gives its
terminal one instruction, also when the edge is killed between forwarding it and the
centre's answer; an offline hit raises a local alert that the site's supervisor sees
while offline and that is forwarded once, with no second (retroactive) alert for it; and
what a scan forwarded twice (the gap a kill between acknowledgement and mark leaves)
costs: the same alerts, by id, and no second instruction."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.security.roles import DEFAULT_SITE, site_topics
from screening.settings import Settings
from tests.support.edge import (
    EdgeProcess,
    HttpsTerminal,
    add_edge,
    add_supervisor,
    add_terminal,
    edge_settings,
)
from tests.support.pipeline import load_lists
from tests.support.services import (
    collect,
    create_topics,
    env_for,
    free_port,
    screening_cmd,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHECKPOINT = "CP-EDGE-1"
IDENTITY = ("terminal_id", "checkpoint_id")


@pytest.fixture
async def lists(settings: Settings, tmp_path: Path, redis_client: Any) -> list[Path]:
    await create_topics(settings)
    return load_lists(settings, tmp_path / "lists", sltd=300, notices=80, smv=80)


@pytest.fixture
def edge_factory(tmp_path: Path) -> Any:
    started: list[EdgeProcess] = []

    def make(settings: Settings, name: str) -> EdgeProcess:
        edge = EdgeProcess(settings, tmp_path / f"{name}.log").start()
        started.append(edge)
        edge.wait_serving()
        return edge

    yield make
    for edge in started:
        edge.stop()


def _designed(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """A traveller built to hit a notice (the edge's snapshot has none: clear offline,
    a hit centrally), one built to hit an SLTD record (a hit both ways) and one that
    hits nothing; without the ids the edge sets."""
    factory = ScanFactory(seed=12, sample=sample_from_files(paths, per_list=100, seed=12))
    wanted: dict[str, dict[str, Any]] = {}
    while len(wanted) < 2:
        scan, lst, _ = factory.traveller_hit()
        wanted.setdefault("notice" if lst == "notice" else lst, scan)
        wanted.pop("event", None)
    wanted["plain"] = factory.traveller()
    return {name: {k: v for k, v in scan.items() if k not in IDENTITY}
            for name, scan in wanted.items()}


def _unprefixed(settings: Settings, topic: str) -> str:
    return topic[len(settings.topic("")):]


async def _until(check: Any, within_s: float, every_s: float = 0.5) -> Any:
    deadline = time.monotonic() + within_s
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(every_s)


async def test_a_changed_answer_instructs_the_gate_once_and_local_alerts_go_once(
        settings, lists, worker_factory, edge_factory, tmp_path) -> None:
    add_edge(settings)
    snapshot = tmp_path / "snapshot"  # SLTD and SMV only: notices are the centre's alone
    snapshot.mkdir()
    for path in lists:
        if path.name.startswith(("sltd", "smv")):
            for f in (path, path.with_name(path.name + ".sig")):
                shutil.copy(f, snapshot / f.name)
    es = edge_settings(settings, tmp_path / "edge", principal="edge-default",
                       edge_snapshot_dir=snapshot, edge_retry_s=0.5)
    token = add_terminal(es, "T-EDGE-1", CHECKPOINT)
    chief = add_supervisor(es, "chief")
    scans = _designed(lists)
    events = {name: scan["event_id"] for name, scan in scans.items()}

    # 1. The link is down (the broker's address answers nothing): answered offline.
    dead = es.model_copy(update={"broker": f"kafka://127.0.0.1:{free_port()}"})
    edge = edge_factory(dead, "edge-offline")
    async with HttpsTerminal(edge, token) as gate:
        answers = {}
        for name, scan in scans.items():
            status, body, _ = await gate.post("traveller", scan)
            assert status == 200 and "OFFLINE" in body["warnings"], body
            answers[name] = body
        assert answers["notice"]["outcome"] == "clear"
        assert answers["sltd"]["outcome"] == "hit"
        assert answers["plain"]["outcome"] == "clear"
        # The site sees its local alert while the operations room cannot be reached;
        # a terminal's token may not.
        status, body = await gate.get("/v1/alerts", signed_in=True)
        assert (status, body["code"]) == (403, "WRONG_ROLE")
        status, body = await gate.get("/v1/alerts", token=chief)
        assert status == 200, body
        [local] = body["alerts"]
        assert (local["event_id"], local["raised_offline"], local["forwarded"]) == (
            events["sltd"], True, False)
        _, page = await gate.get("/v1/instructions", signed_in=True)
        assert page["instructions"] == []
    edge.stop(signal.SIGKILL)

    # 2. The link is back, but no worker yet: the scans and the alert are forwarded; the
    #    edge is killed before any central answer comes.
    edge = edge_factory(es, "edge-forwarding")
    async with HttpsTerminal(edge, token) as gate:
        async def forwarded() -> bool:
            _, health = await gate.get("/v1/health")
            return (health["stored"]["pending"] == 0
                    and health["local_alerts"] == {"pending": 0, "forwarded": 1})
        assert await _until(forwarded, 60), edge.log_tail()
    edge.stop(signal.SIGKILL)

    # 3. The worker screens the forwarded scans; the edge starts again and reads the
    #    answers it missed: the notice hit is the terminal's instruction.
    worker = worker_factory(settings)
    worker.wait_ready()
    results = await collect(settings, settings.topic_results, until=len(scans), timeout=120)
    central = {r["event_id"]: r for r in (orjson.loads(m.value) for m in results)}
    assert central[events["notice"]]["outcome"] == "hit", worker.log_tail()
    edge = edge_factory(es, "edge-again")
    async with HttpsTerminal(edge, token) as gate:
        async def instructed() -> list[dict[str, Any]]:
            _, page = await gate.get("/v1/instructions?since=0&wait=5", signed_in=True)
            return list(page["instructions"])
        found = await _until(instructed, 90, every_s=0.1)
        assert [i["event_id"] for i in found] == [events["notice"]], edge.log_tail()
        [told] = found
        assert told["instruction"] == central[events["notice"]]["instruction"] != "PROCEED"
        assert told["by"] == "edge" and told["terminal_id"] == "T-EDGE-1"
        assert told["reference"] == answers["notice"]["reference"]
    edge.stop(signal.SIGKILL)

    # 4. Once more killed and started: still one instruction, and one on the topic.
    edge = edge_factory(es, "edge-last")
    async with HttpsTerminal(edge, token) as gate:
        await asyncio.sleep(3)  # it reads the instructions topic from where it was
        _, page = await gate.get("/v1/instructions?since=0", signed_in=True)
        assert [i["event_id"] for i in page["instructions"]] == [events["notice"]]
    # The demo's kiosk (`screening simulate --edge --show`) shows it.
    token_file = tmp_path / "token"
    token_file.write_text(token)
    shown = await asyncio.to_thread(
        subprocess.run, screening_cmd(
            "simulate", "--edge", edge.url, "--token-file", str(token_file), "--lists",
            *map(str, lists), "--count", "2", "--rate", "5", "--show"),
        env=env_for(es), capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert f"INSTRUCTION {told['instruction']} ref={told['reference']} by=edge" in shown.stdout
    assert "instructions=1" in shown.stderr.strip().splitlines()[-1]
    topic = _unprefixed(settings, site_topics(settings, DEFAULT_SITE).instructions)
    on_topic = [orjson.loads(m.value) for m in await collect(
        settings, topic, until=1, timeout=60, settle=3.0)]
    assert [(i["event_id"], i["by"]) for i in on_topic] == [(events["notice"], "edge")]

    # The local alert went once, marked; the worker's own for that hit has the same id
    # (the same alert), and none is retroactive. The notice the snapshot lacked is.
    alerts = [orjson.loads(m.value) for m in await collect(
        settings, settings.topic_alerts, until=3, timeout=60, settle=3.0)]
    alerts = [a for a in alerts if a["kind"] != "correlation"]
    sltd = [a for a in alerts if a["event_id"] == events["sltd"]]
    assert {a["alert_id"] for a in sltd} == {local["alert_id"]}
    # Both copies (the edge's, then the worker's for the forwarded scan) say it was
    # raised offline: the console keeps the second.
    assert len(sltd) >= 2 and all(a.get("raised_offline") for a in sltd)
    assert {a["kind"] for a in sltd} == {"watchlist"}
    notice = [a for a in alerts if a["event_id"] == events["notice"]]
    assert {a["kind"] for a in notice} == {"retroactive"}
    assert not [a for a in alerts if a["event_id"] == events["plain"]]

    # 5. Exactly once across a kill: killed between the broker's acknowledgement of a
    #    forwarded scan (or local alert) and marking its row, the edge sends it again
    #    after its restart. Made here by hand (the marks undone): the worker knows the
    #    copies (screening/forwarded.py) and answers none of them again (one result an
    #    event, no alert of its own again); the edge's local alert, whose mark was undone
    #    too, goes again with the same id (the console keys alerts by id: one alert); the
    #    edge compares once (no second instruction).
    edge.stop()
    with sqlite3.connect(es.edge_data_dir / f"{es.edge_site}.sqlite") as db:
        assert db.execute("UPDATE scans SET state = 'pending' WHERE state = 'forwarded'"
                          ).rowcount == len(scans)
        assert db.execute("UPDATE alerts SET state = 'pending'").rowcount == 1
    db.close()
    ours = set(events.values())  # (not the simulator's scans of step 4)
    before = {(a["event_id"], a["alert_id"], a["kind"], a.get("raised_offline", False))
              for a in alerts if a["event_id"] in ours}
    edge = edge_factory(es, "edge-repeat")
    async with HttpsTerminal(edge, token) as gate:
        async def sent_again() -> bool:
            _, health = await gate.get("/v1/health")
            return (health["stored"]["pending"] == 0
                    and health["local_alerts"] == {"pending": 0, "forwarded": 1})
        assert await _until(sent_again, 60), edge.log_tail()

        async def copies_known() -> bool:  # the worker has read every copy
            metrics = await asyncio.to_thread(worker.metrics)
            return f"screening_forwarded_repeats_total {float(len(scans))}" in metrics
        assert await _until(copies_known, 60), worker.log_tail()
        results = [orjson.loads(m.value) for m in await collect(
            settings, settings.topic_results, until=len(scans), timeout=60, settle=5.0)]
        results = [r for r in results if r["event_id"] in ours]
        assert Counter(r["event_id"] for r in results) == {e: 1 for e in ours}
        again = [orjson.loads(m.value) for m in await collect(
            settings, settings.topic_alerts, until=len(alerts), timeout=60, settle=5.0)]
        again = [a for a in again if a["kind"] != "correlation" and a["event_id"] in ours]
        # Nothing new: the same ids, kinds and marks; the local alert's id once more.
        seen = Counter((a["event_id"], a["alert_id"], a["kind"], a.get("raised_offline", False))
                       for a in again)
        assert set(seen) == before, seen
        local_key = next(k for k in seen if k[1] == local["alert_id"])
        assert seen[local_key] >= 3, seen  # the edge's, the worker's, the edge's again
        await asyncio.sleep(3)  # the second central answers have been read and compared
        _, page = await gate.get("/v1/instructions?since=0", signed_in=True)
        assert [i["event_id"] for i in page["instructions"]] == [events["notice"]]
