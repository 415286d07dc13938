"""Lists loaded for an incident wake with the profile that asks for them: a crime scene's
suspect lookouts and an incident's missing are no hit in normal mode (the gate is told to
proceed), a hit under the profile that activates them, and asleep again after."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from screening.core.engine import RawScan, Screener
from screening.modes.profiles import DORMANT, PROFILES, apply_profile, dormant
from screening.settings import Settings
from tests.support.memory_store import MemoryStore

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def lookout(list_name: str, rid: str, number: str) -> dict[str, Any]:
    return {"list": "event", "id": rid, "list_name": list_name, "subject": "person",
            "names": [{"surname": "Brennan", "given_names": "Kieran"}],
            "date_of_birth": "1990-04-02", "nationalities": ["IRL"],
            "documents": [{"number": number, "issuing_state": "IRL"}],
            "action": "arrest", "owner": "HOST-POLICE", "valid_until": "2027-01-01T00:00:00Z"}


RECORDS = [lookout("suspect_lookout", "EVT-SUS1", "PA1234567"),
           lookout("incident", "EVT-INC1", "PB7654321"),
           lookout("stadium_ban", "EVT-BAN9", "PC1111111")]


async def screen(number: str, profile: str | None) -> Any:
    screener = Screener(MemoryStore(RECORDS), Settings(lookup_budget_s=0.2), clock=lambda: NOW)
    p = PROFILES[profile] if profile else None
    screener.dormant = dormant(p)
    scan = {"event_id": "e1", "checkpoint_id": "cp1", "terminal_id": "t1",
            "scanned_at": "2026-12-06T11:59:00Z",
            "document": {"number": number, "issuing_state": "IRL"}}
    [item] = await screener.screen([RawScan(kind="traveller", value=orjson.dumps(scan))])
    item.alerts = apply_profile(p, item.alerts)
    return item


@pytest.mark.parametrize(("number", "wakes_under"), [
    ("PA1234567", {"crime"}),
    ("PB7654321", {"crime", "dvi", "missing_persons"}),
])
async def test_a_dormant_list_hits_only_under_a_profile_that_activates_it(
        number: str, wakes_under: set[str]) -> None:
    asleep = await screen(number, None)
    assert (asleep.result.outcome, asleep.result.instruction, asleep.alerts) == (
        "clear", "PROCEED", [])
    for name in PROFILES:
        item = await screen(number, name)
        if name in wakes_under:
            assert item.result.outcome == "hit", name
            assert item.result.instruction == "REFER_SECONDARY"
            assert [a.priority for a in item.alerts] == ["critical"], name
        else:
            assert item.result.outcome == "clear", name


async def test_other_lists_alert_in_every_mode() -> None:
    for profile in (None, *PROFILES):
        item = await screen("PC1111111", profile)
        assert [h.record_id for h in item.result.hits] == ["EVT-BAN9"], profile


def test_every_dormant_list_has_a_profile_to_wake_it_and_normal_wakes_none() -> None:
    assert {("event", "suspect_lookout"), ("event", "incident")} == DORMANT
    assert dormant(None) == DORMANT
    assert all(dormant(p) < DORMANT for p in PROFILES.values())
