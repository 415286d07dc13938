"""Possible matches through the real engine: a name match too weak to stop anyone at a
gate (an undated notice, a two-token name) is an alert for analysts only, tier
"possible" and priority low, while the gate's result stays clear with PROCEED."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from screening.core.engine import RawScan, Screener
from screening.settings import Settings
from tests.support.memory_store import MemoryStore

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
UNDATED = {"list": "notice", "id": "N-UNDATED", "colour": "yellow", "owner": "NCB-EGY",
           "names": [{"surname": "HADDAD", "given_names": "OMAR"}],
           "nationalities": ["EGY"], "sex": "M",
           "documents": [{"number": "E1234567", "issuing_state": "EGY"}]}
DATED = {"list": "notice", "id": "N-DATED", "colour": "red", "owner": "NCB-EGY",
         "names": [{"surname": "HADDAD", "given_names": "OMAR"}],
         "date_of_birth": "1981-03-04", "nationalities": ["EGY"], "sex": "M"}
HOLDER = {"surname": "HADDAD", "given_names": "OMAR", "date_of_birth": "1981-03-04",
          "nationality": "EGY", "sex": "M"}


def _scan(number: str = "P7788990", holder: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t",
            "scanned_at": NOW.isoformat(), "holder": holder or HOLDER,
            "document": {"number": number, "issuing_state": "EGY", "type": "P"}}


async def _screen(records: list[dict[str, Any]], scan: dict[str, Any]) -> Any:
    screener = Screener(MemoryStore(records), Settings(lookup_budget_s=0.2), clock=lambda: NOW)
    [item] = await screener.screen([RawScan(kind="traveller", value=orjson.dumps(scan))])
    return item


async def test_an_undated_two_token_name_is_a_possible_match_only() -> None:
    item = await _screen([UNDATED], _scan())
    r = item.result
    # A yellow notice would ask PROTECT_PERSON of a referral: a possible match asks nothing.
    assert (r.outcome, r.instruction, r.hits) == ("clear", "PROCEED", [])
    [alert] = item.alerts
    assert (alert.tier, alert.priority, alert.instruction) == ("possible", "low", "PROCEED")
    assert alert.hit.record_id == "N-UNDATED" and alert.hit.matched_alias
    assert alert.reference == r.reference and alert.owner == "NCB-EGY"
    assert "HADDAD" not in r.model_dump_json()


async def test_a_document_makes_the_same_record_a_referral() -> None:
    item = await _screen([UNDATED], _scan(number="E1234567"))
    assert (item.result.outcome, item.result.instruction) == ("hit", "PROTECT_PERSON")
    [alert] = item.alerts
    assert alert.tier == "referral" and alert.priority == "high"
    assert set(alert.hit.matched_on) == {"document_number", "issuing_state"}


async def test_a_referral_and_a_possible_match_side_by_side() -> None:
    item = await _screen([UNDATED, DATED], _scan())
    r = item.result
    assert r.outcome == "hit" and [h.record_id for h in r.hits] == ["N-DATED"]
    assert r.instruction == "REFER_SECONDARY"
    tiers = {a.hit.record_id: (a.tier, a.priority) for a in item.alerts}
    assert tiers == {"N-DATED": ("referral", "critical"), "N-UNDATED": ("possible", "low")}
    # What the gate was told, on both.
    assert {a.instruction for a in item.alerts} == {"REFER_SECONDARY"}


async def test_another_nationality_is_no_possible_match() -> None:
    item = await _screen([UNDATED], _scan(holder={**HOLDER, "nationality": "FRA"}))
    assert item.result.outcome == "clear" and item.alerts == []
