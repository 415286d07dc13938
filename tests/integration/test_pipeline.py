"""The whole pipeline on the real broker and Redis: lists loaded, worker running, scans in,
results, alerts and dead letters out, and `screening screen` agreeing with the worker."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections import Counter

import orjson
import pytest

from tests.support.pipeline import load_lists, mixed_scans, publish
from tests.support.services import KCAT, collect, create_topics, env_for, screening_cmd

pytestmark = pytest.mark.integration

# Seconds an output topic is read on after the expected count has arrived: a result or
# alert sent twice comes behind the others, and stopping at the count would miss it.
SETTLE_S = 3.0


async def test_thousand_mixed_scans_each_get_one_right_answer(settings, worker_factory, tmp_path,
                                                               redis_client) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=3000, notices=800, smv=1500)
    scans = mixed_scans(paths, 1000)
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    await publish(settings, scans)

    # A result is due for each scan whose id can be read, the mock says which (for
    # the malformed ones, checked against the decoder by the unit tests).
    expected = {e.event_id: e for _, _, e in scans if e.event_id is not None}
    readable = set(expected)
    malformed = sum(1 for _, _, e in scans if e.outcome == "rejected")
    designed_hits = sum(1 for _, _, e in scans if e.outcome == "hit")
    assert designed_hits >= 100 and malformed >= 20, "the mix must exercise every path"

    results_msgs = await collect(settings, settings.topic_results, until=len(readable), timeout=90,
                                 settle=SETTLE_S)
    results = [orjson.loads(m.value) for m in results_msgs]
    per_event = Counter(r["event_id"] for r in results)
    assert set(per_event) == readable, worker.log_tail()
    twice = {e: n for e, n in per_event.items() if n > 1}
    assert not twice, f"exactly one result per scan: {len(twice)} answered more than once"

    wrong = []
    for r in results:
        e = expected[r["event_id"]]
        if r["outcome"] != e.outcome:
            wrong.append((r["event_id"], e.outcome, r["outcome"], r["warnings"]))
        elif e.outcome == "hit":
            assert (e.list, e.record_id) in {(h["list"], h["record_id"]) for h in r["hits"]}
    # Ordinary travellers are "almost surely" clear (random identities drawn from real name
    # pools); a designed hit must never be missed and a malformed scan never screened.
    assert not [w for w in wrong if w[1] in ("hit", "rejected")], wrong[:10]
    assert len(wrong) <= 2, wrong

    hits_in_results = sum(len(r["hits"]) for r in results)
    alerts = await collect(settings, settings.topic_alerts, until=hits_in_results, timeout=30,
                           settle=SETTLE_S)
    # An alert per hit at the gate; possible matches (analysts only) besides. Designed
    # hits reuse records, so the same document at two checkpoints moments apart also
    # raises correlation alerts (of their own kind).
    values = [orjson.loads(m.value) for m in alerts]
    assert {v["kind"] for v in values} <= {"watchlist", "correlation"}
    assert len({m.key for m in alerts}) == len(alerts)
    tiers = Counter(v["tier"] for v in values if v["kind"] == "watchlist")
    assert tiers["referral"] == hits_in_results
    assert set(tiers) <= {"referral", "possible"}

    rejected_with_id = sum(1 for r in results if r["outcome"] == "rejected")
    deadletters = await collect(settings, settings.topic_deadletter, until=malformed, timeout=30,
                                settle=SETTLE_S)
    assert len(deadletters) == malformed
    assert rejected_with_id <= malformed
    for m in deadletters:
        dl = orjson.loads(m.value)
        assert dl["reason"]["code"] and dl["reason"]["message"]
        assert dl["topic"].startswith(settings.topic_prefix)

    metrics = worker.metrics()
    assert 'screening_scans_total{kind="traveller",outcome="hit"}' in metrics
    assert "screening_decision_latency_seconds_bucket" in metrics

    # The offline command gives the same outcomes for the same scans.
    lines = b"\n".join(raw for _, raw, _ in scans if b"\n" not in raw)
    done = await asyncio.to_thread(subprocess.run, screening_cmd("screen"), input=lines,
                                   env=env_for(settings), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    offline = {r["event_id"]: r for r in map(orjson.loads, done.stdout.splitlines())}
    by_event = {r["event_id"]: r for r in results}
    compared = 0
    for event_id, r in offline.items():
        w = by_event[event_id]
        assert r["outcome"] == w["outcome"], (event_id, r, w)
        assert {(h["list"], h["record_id"]) for h in r["hits"]} == \
               {(h["list"], h["record_id"]) for h in w["hits"]}
        compared += 1
    assert compared >= 900


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat is installed by make install")
async def test_scan_from_an_outside_client_gets_its_result(settings, worker_factory, tmp_path,
                                                          redis_client) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=200, notices=50, smv=50)
    [sltd_path] = [p for p in paths if "sltd" in p.name]
    sltd = orjson.loads(sltd_path.read_bytes().splitlines()[0])
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    scan = {"event_id": "kcat-1", "checkpoint_id": "gate-A", "terminal_id": "term-07",
            "scanned_at": "2026-11-28T09:15:00+01:00",
            "document": {"number": sltd["document_number"], "issuing_state": sltd["issuing_state"],
                         "type": "P"},
            "holder": {"surname": "Doe", "given_names": "Jane"}}
    # The gate's own credentials, as `screening security client-config` prints them.
    props = tmp_path / "site-default.properties"
    made = await asyncio.to_thread(
        subprocess.run, screening_cmd("security", "client-config", "site-default"),
        env=env_for(settings), capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    props.write_text(made.stdout)
    kcat = [KCAT, "-F", str(props)]
    await asyncio.to_thread(subprocess.run, [*kcat, "-P", "-t",
                            settings.topic(settings.topic_traveller), "-k", "term-07"],
                            input=orjson.dumps(scan), check=True, timeout=30)
    read = await asyncio.to_thread(
        subprocess.run, [*kcat, "-C", "-G", f"site-default.kcat-{tmp_path.name[-8:]}",
                         "-o", "beginning", "-c", "1", "-f", "%k\\t%s\\n",
                         settings.topic(settings.topic_results)],
        capture_output=True, timeout=90)
    key, _, value = read.stdout.strip().partition(b"\t")
    result = orjson.loads(value)
    assert key == b"term-07"
    assert result["event_id"] == "kcat-1"
    assert result["outcome"] == "hit"
    assert result["hits"][0]["record_id"] == sltd["id"]


async def test_a_possible_match_reaches_the_analysts_while_the_gate_proceeds(
        settings, worker_factory, tmp_path, redis_client) -> None:  # fmt: skip
    """A notice without a date of birth and a two-token name: too weak to stop anyone at
    the gate (the result is clear, PROCEED, no hit shown), an alert for analysts."""
    notice = {"list": "notice", "id": "NTC-POSSIBLE-1", "colour": "red", "owner": "NCB-EGY",
              "names": [{"surname": "HADDAD", "given_names": "OMAR"}],
              "nationalities": ["EGY"], "sex": "M"}
    load_lists(settings, tmp_path / "lists", extra=[notice], notices=50)
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    scan = {"event_id": "possible-1", "checkpoint_id": "gate-A", "terminal_id": "term-07",
            "scanned_at": "2026-12-07T09:15:00+01:00",
            "document": {"number": "P7788990", "issuing_state": "EGY", "type": "P"},
            "holder": {"surname": "HADDAD", "given_names": "OMAR",
                       "date_of_birth": "1981-03-04", "nationality": "EGY", "sex": "M"}}
    await publish(settings, [("traveller", orjson.dumps(scan), None)])
    [result_msg] = await collect(settings, settings.topic_results, until=1, timeout=60,
                                 settle=SETTLE_S)
    result = orjson.loads(result_msg.value)
    assert (result["outcome"], result["instruction"], result["hits"]) == \
        ("clear", "PROCEED", []), worker.log_tail()
    assert b"HADDAD" not in result_msg.value  # neither the record's name nor the scan's
    [alert_msg] = await collect(settings, settings.topic_alerts, until=1, timeout=30,
                                settle=SETTLE_S)
    alert = orjson.loads(alert_msg.value)
    assert (alert["tier"], alert["priority"], alert["instruction"]) == \
        ("possible", "low", "PROCEED")
    assert alert["hit"]["record_id"] == "NTC-POSSIBLE-1"
    assert alert["reference"] == result["reference"] and alert["owner"] == "NCB-EGY"
