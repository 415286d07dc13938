"""Correlation without Redis: the state script's behaviour in memory (file once per
event id, return the key's others), for the correlator's unit tests; and scripted
scans for the tests that correlate through a real worker."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from screening.correlation.sightings import Filed, Sighting

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class MemoryCorrelationState:
    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Sighting]] = {}

    async def observe(self, filed: Sequence[Filed], ttl_s: Sequence[float],
                      window_s: Sequence[float]) -> list[list[Sighting]]:
        out = []
        for f in filed:
            held = self.keys.setdefault(f.key, {})
            held.setdefault(f.sighting.event_id, f.sighting)
            out.append([s for e, s in held.items() if e != f.sighting.event_id])
        return out


def at(minutes: float) -> str:
    """T0 plus `minutes`, as a scan's scanned_at."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


def traveller(checkpoint: str, minutes: float, *, number: str, surname: str = "NOVAK",
              given: str = "JANA", dob: str = "1990-04-02", nationality: str = "CZE",
              state: str = "CZE", event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or uuid.uuid4().hex, "checkpoint_id": checkpoint,
            "terminal_id": f"t-{checkpoint}", "scanned_at": at(minutes),
            "document": {"number": number, "issuing_state": state},
            "holder": {"surname": surname, "given_names": given, "date_of_birth": dob,
                       "nationality": nationality}}


def vehicle(checkpoint: str, minutes: float, *, plate: str, vin: str | None,
            event_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"plate": plate, "plate_country": "D"}
    if vin is not None:
        body["vin"] = vin
    return {"event_id": event_id or uuid.uuid4().hex, "checkpoint_id": checkpoint,
            "terminal_id": f"t-{checkpoint}", "scanned_at": at(minutes), "vehicle": body}


def raw(scan: dict[str, Any]) -> bytes:
    return orjson.dumps(scan)
