"""The benchmark's lean job on the real broker and Redis: every scan answered, and a hit
for each scan designed to hit the loaded lists by an exact key (its speed is not judged
here: `screening bench` measures it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.mockdata.lists import generate_lists
from screening.mockdata.mrz_writer import build_td3
from screening.mockdata.samples import sample_from_files
from screening.mockdata.scans import ScanFactory
from screening.settings import Settings
from screening.watchlists.loader import load_files
from screening.watchlists.smv.compact import id_digest
from screening.watchlists.store import WatchlistStore
from screening_bench.driver import preload
from screening_bench.lean import LeanProcess
from tests.support.services import as_worker, collect, create_topics, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _envelope(event_id: str) -> dict[str, Any]:
    return {"event_id": event_id, "checkpoint_id": "CP-01", "terminal_id": "CP-01-T1",
            "scanned_at": "2026-12-07T10:00:00+00:00"}


async def test_the_lean_job_answers_every_scan_and_finds_the_designed_hits(
        settings: Settings, redis_client: Any, tmp_path: Path) -> None:
    paths = list(generate_lists(tmp_path / "lists", sltd=300, notices=30, smv=200,
                                seed=11).values())
    report = await load_files(WatchlistStore(redis_client, settings.redis_prefix), paths,
                              grace_s=0, workers=0)
    sample = sample_from_files(paths, per_list=20, seed=11)
    doc = sample.sltd[0]
    by_mrz = sample.sltd[1]
    car = next(r for r in sample.smv if r.get("vin"))
    designed = {
        "hit-fields": ({**_envelope("hit-fields"), "document": {
            "number": doc["document_number"], "issuing_state": doc["issuing_state"]}},
            "sltd", doc["id"]),
        "hit-mrz": ({**_envelope("hit-mrz"), "document": {"mrz": build_td3(
            "P", by_mrz["issuing_state"], "DOE", "JANE", by_mrz["document_number"],
            nationality="FRA", date_of_birth=date(1980, 1, 2), sex="F",
            expiry=date(2030, 1, 1))}}, "sltd", by_mrz["id"]),
        "hit-vin": ({**_envelope("hit-vin"), "vehicle": {"vin": car["vin"]}},
                    "smv", id_digest(car["id"]).hex()),
    }
    topics = {"traveller": settings.topic(settings.topic_traveller),
              "vehicle": settings.topic(settings.topic_vehicle)}
    scans = []
    for kind, payload, _ in ScanFactory(seed=5).mixed(40, 0.0, vehicle_share=0.4):
        assert isinstance(payload, dict)
        scans.append((topics[kind], b"t", orjson.dumps(payload), str(payload["event_id"])))
    scans += [(topics["vehicle" if "vehicle" in scan else "traveller"], b"t",
               orjson.dumps(scan), eid) for eid, (scan, _, _) in designed.items()]
    scans.append((topics["traveller"], b"t", b"{not json", "-"))  # answered all the same
    await create_topics(settings)
    await preload(settings, scans)
    job = LeanProcess(as_worker(settings).model_copy(update={"web_port": free_port()}),
                      tmp_path / "lean.log").start()
    try:
        job.wait_ready(60)
        messages = await collect(settings, settings.topic_results, until=len(scans),
                                 timeout=60, settle=1.0)
    finally:
        job.stop()
    answers = [orjson.loads(m.value) for m in messages]
    assert len(answers) == len(scans), job.log_tail()
    by_event = {a["event_id"]: a for a in answers}
    assert set(by_event) == {eid for *_, eid in scans if eid != "-"} | {None}
    assert {a["watchlist_version"] for a in answers} == {report.version}
    for eid, (_, lst, record_id) in designed.items():
        answer = by_event[eid]
        assert answer["outcome"] == "hit", eid
        assert (lst, record_id) in {(h["list"], h["record_id"]) for h in answer["hits"]}, eid
    assert by_event[None]["outcome"] == "clear"
