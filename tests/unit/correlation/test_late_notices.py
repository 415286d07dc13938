"""The simulator's late notices (`simulate --late-notices`, the demo's retroactive
alerts): a valid notice on an ordinary traveller, looked up under the very key that
traveller's scan was filed under; `alerts tail` marks the alerts it raises."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from screening.audit.digests import Digester
from screening.cli.alerts import format_alert
from screening.cli.simulate import _late_notice
from screening.core.codec import decode_scan
from screening.core.prepare import prepare
from screening.correlation.retroactive import record_keys, retroactive_alert
from screening.correlation.sightings import Sighting, filings
from screening.mockdata.scans import ScanFactory
from screening.models import CheckResult
from screening.settings import Settings
from screening.watchlists.lists import LISTS

D = Digester(b"unit-test-audit-key-0123456789")
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_a_late_notice_finds_the_travellers_earlier_scan(tmp_path: Path) -> None:
    out = tmp_path / "late.ndjson"
    factory = ScanFactory(seed=7)
    written = 0
    scans = []
    while written < 3:
        scan = factory.traveller()
        if _late_notice(out, scan, written):
            scans.append(scan)
            written += 1
    records = [LISTS["notice"].model.model_validate(orjson.loads(line))
               for line in out.read_bytes().splitlines()]
    assert len(records) == 3 and all(r.colour == "red" for r in records)
    for scan, record in zip(scans, records, strict=True):
        s = decode_scan("traveller", orjson.dumps(scan), max_bytes=1 << 16)
        r = CheckResult(event_id=s.event_id, checkpoint_id=s.checkpoint_id,
                        terminal_id=s.terminal_id, kind="traveller", outcome="clear",
                        decided_at=NOW, watchlist_version="v")
        filed = {f.key for f in filings(prepare(s, Settings()), r, None, D)}
        assert set(record_keys(record, D)) & filed


def test_a_holder_without_a_full_date_of_birth_gets_no_notice(tmp_path: Path) -> None:
    scan = {"event_id": "e1", "holder": {"surname": "X", "date_of_birth": "1980",
                                         "nationality": "FRA"}}
    assert _late_notice(tmp_path / "n.ndjson", scan, 0) == 0
    assert not (tmp_path / "n.ndjson").exists()


def test_alerts_tail_marks_a_retroactive_alert() -> None:
    record = LISTS["notice"].model.model_validate({
        "list": "notice", "id": "N1", "colour": "red", "names": [{"surname": "A"}]})
    alert = retroactive_alert(record, Sighting("e1", "cp", "t", None, NOW.timestamp()),
                              ["name"], NOW)
    line = format_alert(orjson.loads(alert.model_dump_json()), colour=False, unmask=False)
    assert "[RETROACTIVE]" in line
