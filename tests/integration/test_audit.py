"""The audit trail on the real broker: one `search` record per scan across a SIGKILL,
nothing personal in the topic's bytes, and the auditor's query (contract v2, "Audit")."""

from __future__ import annotations

import signal
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from screening.matching.mrz import MrzFormatError, parse_mrz
from screening.matching.normalize import canonical_country, normalize_document_number
from screening.models import AuditRecord
from screening.security.clients import aiokafka_options
from screening.security.secretsdir import principal_settings
from screening.settings import Settings
from tests.support.feed import signed
from tests.support.pipeline import load_lists, mixed_scans
from tests.support.resilience import Publisher, Reader, Sent, expected_ids
from tests.support.services import collect, create_topics, env_for, run_settings, screening_cmd

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SIZES = {"sltd": 2000, "notices": 500, "smv": 800}


def run_query(settings: Settings, principal: str, *args: str,
              key: str | None = None) -> subprocess.CompletedProcess[str]:
    """`screening audit query ARGS` as `principal`, with the run's audit key (or another)."""
    s = principal_settings(settings, principal)
    if key is not None:
        s = s.model_copy(update={"audit_key": SecretStr(key)})
    return subprocess.run(screening_cmd("audit", "query", *args), env=env_for(s),
                          capture_output=True, text=True, timeout=120)


def audit_query(settings: Settings, principal: str, *args: str,
                key: str | None = None) -> tuple[int, list[dict[str, Any]], str]:
    """The records `audit query --json` prints."""
    done = run_query(settings, principal, "--json", *args, key=key)
    records = [orjson.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, records, done.stderr


def searched_values(sent: list[Sent]) -> set[bytes]:
    """What the scans searched, as sent: names, document numbers, VINs, plates, MRZ lines."""
    out: set[str] = set()
    for s in sent:
        try:
            scan = orjson.loads(s.raw)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(scan, dict):
            continue
        for part, fields in (("document", ("number", "mrz")),
                             ("holder", ("surname", "given_names")),
                             ("vehicle", ("vin", "plate"))):
            block = scan.get(part)
            if not isinstance(block, dict):
                continue
            for f in fields:
                value = block.get(f)
                if isinstance(value, str):
                    out.update(v for v in value.split("\n") if len(v) >= 5)
                    if f in ("number", "vin", "plate"):
                        norm = normalize_document_number(value)
                        if len(norm) >= 5:
                            out.add(norm)
    return {v.encode() for v in out}


def documents_of(sent: list[Sent]) -> dict[tuple[str, str], set[str]]:
    """Event ids per (number, state) searched, printed or in the MRZ, as the matcher keys
    them."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in sent:
        try:
            scan = orjson.loads(s.raw)
            doc = scan["document"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue
        if not isinstance(doc, dict) or not s.event_id:
            continue
        found = []
        if isinstance(doc.get("number"), str) and isinstance(doc.get("issuing_state"), str):
            found.append((doc["number"], doc["issuing_state"]))
        if isinstance(doc.get("mrz"), str):
            try:
                mrz = parse_mrz(doc["mrz"])
                found.append((mrz.document_number, mrz.issuing_state))
            except MrzFormatError:
                pass
        for number, state in found:
            out[(normalize_document_number(number), canonical_country(state))].add(s.event_id)
    return out


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
async def test_one_search_record_per_scan_across_a_sigkill_and_the_auditors_query(
        services: None, worker_factory: Any, tmp_path: Path, guarantee: str) -> None:
    """At least once: a scan screened again after the kill is audited again with the same
    audit_id. Exactly once: the record is in its scan's transaction (read_committed)."""
    settings = run_settings(processing_guarantee=guarantee)
    await create_topics(settings)  # before the load: its list_loaded record has a topic
    paths = load_lists(settings, tmp_path / "lists", **SIZES)
    scans = mixed_scans(paths, 1500)
    worker = worker_factory(settings, name="first")
    worker.wait_ready()
    async with Reader(settings, settings.topic_results, settings.topic_audit) as reader:
        publisher = await Publisher(settings, scans, rate=300).start()
        await reader.until_answered(500, within=60)  # a third through: mid-stream
        assert worker.proc is not None
        worker.proc.send_signal(signal.SIGKILL)
        worker.proc.wait(10)
        second = worker_factory(settings, name="second")
        sent = await publisher.finish()
        await reader.results_for(expected_ids(sent), within=120)
        raw = [m for _, m in reader.messages[settings.topic_audit]]
    want = expected_ids(sent)
    searches = [AuditRecord.model_validate_json(m.value) for m in raw
                if orjson.loads(m.value)["action"] == "search"]
    ids_by_event: dict[str, set[str]] = defaultdict(set)
    for r, m in zip(searches, [m for m in raw if orjson.loads(m.value)["action"] == "search"],
                    strict=True):
        assert r.event_id is not None and m.key == r.event_id.encode()
        ids_by_event[r.event_id].add(r.audit_id)
    assert set(ids_by_event) == want, second.log_tail()
    assert all(len(ids) == 1 for ids in ids_by_event.values()), "a scan audited twice"
    assert len({r.audit_id for r in searches}) == len(want)
    repeats = len(searches) - len(want)
    results = reader.results_by_event()
    assert {r.event_id: r.outcome for r in searches} == {
        e: rs[0]["outcome"] for e, rs in results.items()}
    if guarantee == "exactly_once":
        assert repeats == 0
    print(f"audit across SIGKILL ({guarantee}): {len(want)} scans, {len(searches)} records, "
          f"{repeats} repeated with their audit_id")

    # Nothing the scans searched is in the topic's bytes.
    blob = b"\n".join(m.value for m in raw) + b"\n".join(m.key or b"" for m in raw)
    leaked = [v for v in searched_values(sent) if v in blob]
    assert not leaked, leaked[:5]

    # The auditor finds a document's scans, and no others.
    docs = documents_of(sent)
    (number, state), events = max(docs.items(), key=lambda kv: (len(kv[1]), kv[0]))
    rc, found, err = audit_query(settings, "auditor", "--document", number, "--state", state,
                                 "--from", "1h")
    assert rc == 0, err
    assert {r["event_id"] for r in found} == events & want, (number, state)
    assert all(r["action"] == "search" for r in found)
    # With another key it finds none.
    rc, found, err = audit_query(settings, "auditor", "--document", number, "--state", state,
                                 key="not-the-audit-key-of-this-run-0123")
    assert rc == 0 and found == [], err
    # The bulk load was recorded, by the principal that ran it.
    rc, loads, err = audit_query(settings, "auditor", "--action", "list_loaded")
    assert rc == 0 and len(loads) == 1, err
    assert loads[0]["actor"]["principal"] == "admin" and loads[0]["watchlist_version"]
    # Human-readable by default: one line a record, no value searched in it.
    terminal = next(r.actor.id for r in searches)
    done = run_query(settings, "auditor", "--actor", terminal, "--from", "1h")
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines, done.stderr
    assert all(f"terminal {terminal}" in line and " search " in line for line in lines)
    assert len(lines) == sum(1 for r in searches if r.actor.id == terminal)
    assert not [v for v in searched_values(sent) if v.decode() in done.stdout]
    # A site's principal cannot read the audit.
    rc, found, err = audit_query(settings, "site-default", "--action", "search")
    assert rc != 0 and found == [], err


async def test_live_updates_are_audited_applied_or_refused(services: None, worker_factory: Any,
                                                          tmp_path: Path) -> None:
    """A signed upsert: `update_applied`, keyed `<list>:<id>`; an unsigned one:
    `update_refused` with its reason. Nothing of the record's fields in either."""
    settings = run_settings()
    await create_topics(settings)
    load_lists(settings, tmp_path / "lists", sltd=200, notices=50, smv=50)
    worker = worker_factory(settings)
    worker.wait_ready()
    record = {"list": "sltd", "id": "UPD-AUDIT-1", "document_number": "QX7731904",
              "issuing_state": "FRA", "document_type": "P", "status": "stolen",
              "reported_at": "2026-12-01"}
    now = datetime.now(UTC).isoformat()
    good = signed({"update_id": "u-audit-1", "op": "upsert", "issued_at": now, "record": record})
    bad = orjson.dumps({"update_id": "u-audit-2", "op": "upsert", "issued_at": now,
                        "record": {**record, "id": "UPD-AUDIT-2"}})
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all")
    await producer.start()
    try:
        for raw, key in ((good, b"sltd:UPD-AUDIT-1"), (bad, b"sltd:UPD-AUDIT-2")):
            await producer.send_and_wait(settings.topic(settings.topic_updates), raw, key=key)
    finally:
        await producer.stop()
    got = await collect(settings, settings.topic_audit, until=3, timeout=60)
    records = {AuditRecord.model_validate_json(m.value).action: (m.key, m.value) for m in got}
    assert {"list_loaded", "update_applied", "update_refused"} <= set(records), worker.log_tail()
    applied = AuditRecord.model_validate_json(records["update_applied"][1])
    assert records["update_applied"][0] == b"sltd:UPD-AUDIT-1"
    assert (applied.ref, applied.outcome, applied.actor.principal) == (
        "sltd:UPD-AUDIT-1", "applied", "feed")
    refused = AuditRecord.model_validate_json(records["update_refused"][1])
    assert (refused.ref, refused.reason) == ("sltd:UPD-AUDIT-2", "UNSIGNED_UPDATE")
    assert not [m for m in got if b"QX7731904" in m.value]
