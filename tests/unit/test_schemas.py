"""The checked-in JSON Schemas are what the models generate: the wire format is pinned."""

from pathlib import Path

import pytest

from screening.models.schemas import MODELS, render

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_checked_in_schema_matches_model(name: str) -> None:
    path = SCHEMAS / f"{name}.json"
    assert path.exists(), f"missing {path}: run python -m screening.models.schemas schemas"
    assert path.read_bytes() == render(name), (
        f"{name} drifted from schemas/{name}.json: if the change is intended (additive only, "
        "per the contract), regenerate with python -m screening.models.schemas schemas")


def test_contract_fields_present() -> None:
    """Fields the contract names must stay, with their names (never renamed or removed)."""
    import json

    result = json.loads((SCHEMAS / "CheckResult.json").read_text())
    for field in ("event_id", "checkpoint_id", "terminal_id", "kind", "outcome", "hits",
                  "warnings", "decided_at", "watchlist_version"):
        assert field in result["properties"]
    hit = result["$defs"]["Hit"]["properties"]
    for field in ("list", "record_id", "score", "matched_on", "category"):
        assert field in hit
    dl = json.loads((SCHEMAS / "DeadLetter.json").read_text())
    for field in ("received_at", "topic", "partition", "offset", "reason", "payload_b64"):
        assert field in dl["properties"]
