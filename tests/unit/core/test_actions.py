"""Records name what the gate is told (contract v2 actions) and stop hitting past their
valid_until, without a reload: through the real engine, list by list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from screening.core.engine import RawScan, Screener
from screening.settings import Settings
from tests.support.memory_store import MemoryStore

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SOON = (NOW + timedelta(seconds=2)).isoformat()
NOTICE = {"list": "notice", "id": "N1", "colour": "red", "owner": "NCB-UTO",
          "names": [{"surname": "ERIKSSON", "given_names": "ANNA MARIA"}],
          "date_of_birth": "1974-08-12", "nationalities": ["UTO"], "sex": "F",
          "documents": [{"number": "X1234567", "issuing_state": "UTO"}]}
SMV = {"list": "smv", "id": "V1", "vin": "1M8GDM9AXKP042788", "owner": "NCB-D"}
SLTD = {"list": "sltd", "id": "S1", "document_number": "X1234567", "issuing_state": "UTO",
        "status": "lost", "owner": "NCB|UTO"}
TRAVELLER = {"event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t",
             "scanned_at": NOW.isoformat(),
             "document": {"number": "X1234567", "issuing_state": "UTO"}}
VEHICLE = {"event_id": "v1", "checkpoint_id": "cp", "terminal_id": "t",
           "scanned_at": NOW.isoformat(), "vehicle": {"vin": "1M8GDM9AXKP042788"}}


async def screen(record: dict[str, Any], scan: dict[str, Any], now: datetime = NOW) -> Any:
    screener = Screener(MemoryStore([record]), Settings(lookup_budget_s=0.2), clock=lambda: now)
    kind = "vehicle" if "vehicle" in scan else "traveller"
    [item] = await screener.screen([RawScan(kind=kind, value=orjson.dumps(scan))])
    return item


@pytest.mark.parametrize(("action", "instruction"), [
    (None, "REFER_SECONDARY"),  # a red notice's default
    ("arrest", "REFER_SECONDARY"), ("specific_check", "REFER_SECONDARY"),
    ("locate", "DISCREET_CHECK"), ("discreet_check", "DISCREET_CHECK"),
    ("inform", "DISCREET_CHECK"), ("protect", "PROTECT_PERSON"),
])
async def test_a_notice_action_gives_its_instruction(action: str | None,
                                                     instruction: str) -> None:
    item = await screen({**NOTICE, "action": action}, TRAVELLER)
    assert item.result.outcome == "hit"
    assert item.result.instruction == instruction
    [alert] = item.alerts
    assert (alert.action, alert.owner) == (action, "NCB-UTO")


@pytest.mark.parametrize(("action", "instruction"), [
    (None, "HOLD_VEHICLE"), ("seize", "HOLD_VEHICLE"), ("inform", "DISCREET_CHECK")])
async def test_a_vehicle_action_gives_its_instruction(action: str | None,
                                                      instruction: str) -> None:
    item = await screen({**SMV, "action": action}, VEHICLE)
    assert item.result.instruction == instruction
    assert item.alerts[0].owner == "NCB-D"


@pytest.mark.parametrize(("action", "instruction"), [
    (None, "SEIZE_DOCUMENT"), ("seize", "SEIZE_DOCUMENT"), ("inform", "DISCREET_CHECK")])
async def test_a_document_action_gives_its_instruction(action: str | None,
                                                       instruction: str) -> None:
    item = await screen({**SLTD, "action": action}, TRAVELLER)
    assert item.result.instruction == instruction
    [alert] = item.alerts
    assert (alert.action, alert.owner) == (action, "NCB|UTO")  # an owner may hold "|"


@pytest.mark.parametrize(("record", "scan"), [(NOTICE, TRAVELLER), (SMV, VEHICLE),
                                              (SLTD, TRAVELLER)])
async def test_a_record_stops_hitting_at_valid_until(record: dict[str, Any],
                                                     scan: dict[str, Any]) -> None:
    """valid_until 2 s ahead: a hit now, none 3 s later; the same stored record."""
    listed = {**record, "valid_until": SOON}
    assert (await screen(listed, scan)).result.outcome == "hit"
    later = await screen(listed, scan, now=NOW + timedelta(seconds=3))
    assert later.result.outcome == "clear" and later.alerts == []
