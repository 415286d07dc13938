"""The fourth list end to end through Kafka: event records loaded in bulk and added by a
live update are hit by scans the worker answers, and an update that removes one is
obeyed."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.mockdata.lists import generate_lists
from screening.settings import Settings
from tests.support.feed import sign_files, signed
from tests.support.services import create_topics, env_for, screening_cmd
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration

EVENTS = Path(__file__).parents[2] / "screening/watchlists/event/testdata/events.ndjson"


def load(settings: Settings, out: Path) -> None:
    paths = generate_lists(out, sltd=200, notices=50, smv=50, event=300, seed=4)
    # The list's own test data, after the generated records, in the same file.
    paths["event"].write_bytes(paths["event"].read_bytes() + EVENTS.read_bytes())
    sign_files(paths.values())
    done = subprocess.run(screening_cmd("watchlists", "load", "--quiet",
                                        *map(str, paths.values())),
                          env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "event=305" in done.stdout, done.stdout


def scan(kind: str, **parts: Any) -> bytes:
    body = {"event_id": uuid.uuid4().hex, "checkpoint_id": "cp-evt", "terminal_id": "t-evt",
            "scanned_at": datetime.now(UTC).isoformat(), **parts}
    return orjson.dumps(body)


def update(op: str, record: dict[str, Any]) -> bytes:
    body = record if op == "upsert" else {"list": "event", "id": record["id"]}
    return signed({"update_id": uuid.uuid4().hex, "op": op,
                   "issued_at": datetime.now(UTC).isoformat(), "record": body})


LOOKOUT = {"list": "event", "id": "EVT-LIVE1", "list_name": "vehicle_lookout",
           "subject": "vehicle", "plate": "ZH 424 242", "plate_country": "CHE",
           "make": "Skoda", "action": "seize", "owner": "HOST-POLICE",
           "valid_until": "2031-01-01T00:00:00Z"}
PLATE = {"plate": "ZH424242", "plate_country": "CHE"}


async def test_event_records_loaded_and_updated_live_are_hit(settings, worker_factory,
                                                             tmp_path) -> None:
    await create_topics(settings)
    load(settings, tmp_path / "lists")
    worker = worker_factory(settings)
    worker.wait_ready()
    async with Terminal(settings, "t-evt") as gate:
        # Loaded in bulk: a revoked accreditation, by name and date of birth.
        accredited = await gate.answer(scan("traveller", document={
            "number": "Q7654321", "issuing_state": "SRB"}, holder={
            "surname": "MARKOVIC", "given_names": "STEFAN", "date_of_birth": "1988-03-14",
            "nationality": "SRB"}))
        assert accredited["outcome"] == "hit", worker.log_tail()
        assert [(h["list"], h["record_id"], h["category"]) for h in accredited["hits"]] == [
            ("event", "EVT-ACC1", "revoked_accreditation")]
        assert accredited["instruction"] == "REFER_SECONDARY"

        # Not listed yet: clear. Then added by a live update: held.
        before = await gate.answer(scan("vehicle", vehicle=PLATE), kind="vehicle")
        assert before["outcome"] == "clear"
        await gate.send_update(update("upsert", LOOKOUT), "event:EVT-LIVE1")
        after = await _until(gate, "hit")
        assert [(h["list"], h["record_id"]) for h in after["hits"]] == [("event", "EVT-LIVE1")]
        assert after["instruction"] == "HOLD_VEHICLE"

        # And removed by one: clear again.
        await gate.send_update(update("delete", LOOKOUT), "event:EVT-LIVE1")
        assert (await _until(gate, "clear"))["hits"] == []


async def _until(gate: Terminal, outcome: str, tries: int = 40) -> dict[str, Any]:
    """Scan the plate until its answer is `outcome` (a live update applies within a
    second or so; each try is a real scan answered by the worker)."""
    for _ in range(tries):
        result = await gate.answer(scan("vehicle", vehicle=PLATE), kind="vehicle")
        if result["outcome"] == outcome:
            return result
    raise AssertionError(f"the plate's answer never became {outcome}: {result}")
