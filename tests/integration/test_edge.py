"""The edge against the real broker, a real worker and a real edge process: terminals'
tokens, the worker's answers over HTTPS, refusals, and answers while the link is down
that are kept across a SIGKILL and forwarded once when it is back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.settings import Settings
from tests.support.edge import (
    EdgeProcess,
    HttpsTerminal,
    add_terminal,
    edge_settings,
    revoke_terminal,
)
from tests.support.pipeline import load_lists
from tests.support.services import collect, create_topics
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration

CHECKPOINT = "CP-EDGE-1"
# What the edge's answer and the worker's direct one must agree on.
SAME = ("kind", "outcome", "hits", "warnings", "instruction", "watchlist_version", "action",
        "owner")


def _scans(paths: list[Path], n: int, seed: int = 5) -> list[tuple[str, dict[str, Any]]]:
    """Valid scans, a third of them designed to hit."""
    factory = ScanFactory(seed=seed, sample=sample_from_files(paths, per_list=100, seed=seed))
    return [(kind, dict(payload)) for kind, payload, _ in factory.mixed(n, hit_share=0.35)
            if isinstance(payload, dict)]


@pytest.fixture
async def lists(settings: Settings, tmp_path: Path, redis_client: Any) -> list[Path]:
    await create_topics(settings)
    return load_lists(settings, tmp_path / "lists", sltd=300, notices=80, smv=80)


@pytest.fixture
def edge_factory(tmp_path: Path) -> Any:
    started: list[EdgeProcess] = []

    def make(settings: Settings, name: str = "edge") -> EdgeProcess:
        edge = EdgeProcess(settings, tmp_path / f"{name}.log").start()
        started.append(edge)
        edge.wait_serving()
        return edge

    yield make
    for edge in started:
        edge.stop()


async def test_a_terminal_gets_the_workers_answer_over_https(settings, lists, worker_factory,
                                                            edge_factory, tmp_path) -> None:
    worker = worker_factory(settings)
    worker.wait_ready()
    es = edge_settings(settings, tmp_path / "edge")
    token = add_terminal(es, "T-EDGE-1", CHECKPOINT)
    edge = edge_factory(es)
    scans = _scans(lists, 40)
    assert len(scans) == 40
    outcomes: list[str] = []
    async with HttpsTerminal(edge, token) as gate, Terminal(settings, "T-DIRECT") as direct:
        for kind, scan in scans:
            body = {k: v for k, v in scan.items() if k not in ("terminal_id", "checkpoint_id")}
            status, answer, _ = await gate.post(kind, body)
            assert status == 200, (answer, edge.log_tail())
            assert "OFFLINE" not in answer["warnings"], edge.log_tail()
            assert (answer["terminal_id"], answer["checkpoint_id"]) == ("T-EDGE-1", CHECKPOINT)
            assert answer["event_id"] == scan["event_id"]
            # The same scan straight to Kafka (another event id): the same decision.
            again = orjson.dumps({**scan, "event_id": uuid.uuid4().hex})
            direct_answer = await direct.answer(again, kind=kind)
            assert {k: answer.get(k) for k in SAME} == {k: direct_answer.get(k) for k in SAME}
            outcomes.append(answer["outcome"])
        # The designed hits were hits: the comparison was not between two empty answers.
        assert outcomes.count("hit") >= 5 and "clear" in outcomes, outcomes
        status, health = await gate.get("/v1/health")
        assert status == 200 and health["site_link"] == "up"
