"""Namesake clearance end to end: a traveller whose name and date of birth match a notice
is referred; the analyst dismisses the alert and clears that traveller against that
record; their next scan passes with a reminder, another traveller of the same name is
still referred, and after the clearance ends (or a supervisor revokes it) the referral
returns. Real worker, real console, real broker and Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.settings import Settings
from tests.support.console import ANALYST, SUPERVISOR
from tests.support.console_pages import next_event
from tests.support.pipeline import load_lists
from tests.support.services import collect, create_topics
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration


def wanted(paths: list[Path]) -> dict[str, Any]:
    notices = next(p for p in paths if p.name.startswith("notice"))
    return next(n for n in map(orjson.loads, notices.read_text().splitlines())
                if n.get("action") == "arrest" and len(n.get("date_of_birth") or "") == 10
                and not n.get("valid_until") and n["names"][0]["given_names"])


def traveller(notice: dict[str, Any], document: str) -> bytes:
    """The notice's name and date of birth on a passport of the traveller's own."""
    name = notice["names"][0]
    return orjson.dumps({
        "event_id": uuid.uuid4().hex, "checkpoint_id": "gate-ns", "terminal_id": "t-ns",
        "scanned_at": datetime.now(UTC).isoformat(),
        "document": {"number": document, "issuing_state": "NLD", "type": "P"},
        "holder": {"surname": name["surname"], "given_names": name["given_names"],
                   "date_of_birth": notice["date_of_birth"]}})


async def test_a_cleared_namesake_passes_with_a_reminder_until_the_clearance_ends(
        settings: Settings, worker_factory: Any, tmp_path: Path, console: Any,
        pages: Any) -> None:
    await create_topics(settings)
    notice = wanted(load_lists(settings, tmp_path / "lists", sltd=50, notices=300, smv=20,
                               event=20))
    worker = worker_factory(settings)
    worker.wait_ready()
    server = await console()
    analyst, supervisor = pages(server), pages(server)
    assert await analyst.sign_in() == 303
    assert await supervisor.sign_in(SUPERVISOR) == 303
    stream = analyst.events()
    await next_event(stream, "snapshot")

    async with Terminal(settings, "t-ns") as gate:
        async def scan(document: str) -> tuple[dict[str, Any], dict[str, Any]]:
            result = await gate.answer(traveller(notice, document))
            alert = await next_event(stream, "alert",
                                     lambda a: a["event_id"] == result["event_id"])
            return result, alert

        first, alert = await scan("NS1234567")
        assert (first["outcome"], first["instruction"]) == ("hit", "REFER_SECONDARY"), \
            worker.log_tail()
        assert alert["clearable"] and alert["subject_key"].startswith("subject:")
        assert alert["hit"]["record_id"] == notice["id"]

        clear = f"/api/alerts/{alert['alert_id']}/clear"
        assert (await analyst.post(clear, {"hours": 1, "note": ""}))[0] == 409, \
            "a referral stands until it is dismissed"
        assert (await analyst.decide(alert["alert_id"], "dismissed", "namesake",
                                     reason="different_person"))[0] == 202
        status, cleared = await analyst.post(clear, {"hours": 8 / 3600, "note": "not him"})
        assert status == 201, cleared
        ends = datetime.fromisoformat(cleared["until"]).timestamp()

        again, reminder = await scan("NS1234567")
        assert (again["outcome"], again["instruction"], again["hits"]) == (
            "clear", "PROCEED", []), "the cleared namesake passes"
        assert reminder["priority"] == "low" and reminder["cleared_until"]
        assert reminder["hit"]["record_id"] == notice["id"], "analysts are reminded"

        other, _ = await scan("NS7654321")  # the same name, another passport: not cleared
        assert (other["outcome"], other["instruction"]) == ("hit", "REFER_SECONDARY")

        status, listed = await supervisor.post("/api/clearances/revoke", {"field": "x|y|z"})
        assert status == 404
        async with analyst.http.get(analyst.base + "/api/clearances") as resp:
            assert resp.status == 403, "listing is the supervisors'"
        async with supervisor.http.get(supervisor.base + "/api/clearances") as resp:
            listed = (await resp.json())["clearances"]
        assert [(c["record_id"], c["by"], c["alert_id"]) for c in listed] == [
            (notice["id"], ANALYST, alert["alert_id"])]
        assert "NS1234567" not in orjson.dumps(listed).decode()

        await asyncio.sleep(max(0.0, ends - time.time() + 0.5))
        after, _ = await scan("NS1234567")
        assert (after["outcome"], after["instruction"]) == ("hit", "REFER_SECONDARY"), \
            "the referral returns when the clearance ends"

        # Cleared again for a day, then revoked by a supervisor: referred at once.
        _, fresh = await scan("NS1234567")
        status, refused = await analyst.decide(fresh["alert_id"], "dismissed",
                                               reason="different_person")
        assert status == 400, "no one-click dismissal of a wanted person"
        assert refused["error"] == "a note is needed to dismiss a critical alert"
        assert (await analyst.decide(fresh["alert_id"], "dismissed", "namesake again",
                                     reason="different_person"))[0] == 202
        status, day = await analyst.post(f"/api/alerts/{fresh['alert_id']}/clear",
                                         {"hours": 24, "note": ""})
        assert status == 201
        assert (await scan("NS1234567"))[0]["outcome"] == "clear"
        status, _ = await supervisor.post("/api/clearances/revoke", {"field": day["field"]})
        assert status == 200
        assert (await scan("NS1234567"))[0]["outcome"] == "hit"

    audit = await collect(settings, settings.topic_audit, until=10_000, timeout=5)
    acts = [orjson.loads(m.value)["action"] for m in audit]
    assert acts.count("namesake_cleared") == 2 and acts.count("clearance_revoked") == 1
