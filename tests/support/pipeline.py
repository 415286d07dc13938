"""Lists loaded and scans made and published, as the pipeline, audit, hostile-input and
resilience tests all start: mock lists signed by the session's feed key and loaded by the
real `screening watchlists load`, a designed mix of scans and what the mock expects."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from screening.mockdata.lists import generate_lists
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from tests.support.feed import sign_files
from tests.support.services import env_for, screening_cmd


def load_lists(settings: Settings, out: Path, *, extra: list[dict[str, Any]] | None = None,
               **sizes: int) -> list[Path]:
    """Mock lists of these sizes, plus the `extra` records (each to its list's file),
    signed and loaded by the real command."""
    by_list = generate_lists(out, sizes, seed=11)
    for record in extra or ():
        with by_list[record["list"]].open("ab") as f:
            f.write(orjson.dumps(record) + b"\n")
    paths = list(by_list.values())
    sign_files(paths)
    done = subprocess.run(screening_cmd("watchlists", "load", "--quiet", *map(str, paths)),
                          env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "loaded version" in done.stdout
    return paths


def mixed_scans(paths: list[Path], n: int) -> list[tuple[str, bytes, Any]]:
    factory = ScanFactory(seed=5, sample=sample_from_files(paths, per_list=200, seed=5))
    out = []
    for kind, payload, expect in factory.mixed(n, hit_share=0.15, malformed_share=0.05):
        raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        out.append((kind, raw, expect))
    return out


async def publish(settings: Settings, scans: list[tuple[str, bytes, Any]]) -> None:
    producer = AIOKafkaProducer(**aiokafka_options(settings), linger_ms=5)
    await producer.start()
    try:
        topics = {"traveller": settings.topic(settings.topic_traveller),
                  "vehicle": settings.topic(settings.topic_vehicle)}
        for kind, raw, _ in scans:
            await producer.send(topics[kind], raw, key=b"terminal-it")
        await producer.flush()
    finally:
        await producer.stop()
