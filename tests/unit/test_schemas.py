"""The checked-in JSON Schemas are what the models generate: the wire format is pinned.

Every schema in schemas/ is compared with what screening.models.schemas generates, a
model without a checked-in schema fails as a schema without a model does, and every
object of every schema keeps the fields the contract names (added to, never renamed
or removed: regenerating the files cannot hide a rename).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import screening.models
from screening.models.schemas import MODELS, render, schema_of

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
CHECKED_IN = {path.stem for path in SCHEMAS.glob("*.json")}
REGENERATE = "regenerate with python -m screening.models.schemas schemas"

# The fields of each object on the wire, top-level messages and the objects inside them.
CONTRACT: dict[str, tuple[str, ...]] = {
    "Alert": ("alert_id", "checkpoint_id", "event_id", "hit", "instruction", "kind",
              "priority", "raised_at", "record", "reference", "scan_kind", "subject",
              "terminal_id", "watchlist_version"),
    "AlertDecision": ("alert_id", "analyst", "decided_at", "decision", "note"),
    "AuditActor": ("id", "kind", "principal"),
    "AuditRecord": ("action", "actor", "alert_id", "at", "audit_id", "checkpoint_id", "counts",
                    "event_id", "outcome", "query_digests", "reason", "ref", "site",
                    "watchlist_version"),
    "Bonus": ("amount", "reason"),
    "Correlation": ("checkpoints", "code", "event_ids", "explanation"),
    "ModeChange": ("by", "issued_at", "mode", "profile", "signature"),
    "CheckResult": ("checkpoint_id", "decided_at", "event_id", "hits", "instruction", "kind",
                    "outcome", "reference", "terminal_id", "warnings", "watchlist_version"),
    "DeadLetter": ("offset", "partition", "payload_b64", "payload_bytes", "payload_sealed",
                   "payload_sha256", "payload_truncated", "payload_withheld", "reason",
                   "received_at", "topic"),
    "DeadLetterReason": ("code", "message"),
    "DocumentDifference": ("listed", "positions", "scanned"),
    "Document": ("expiry", "issuing_state", "mrz", "number", "type"),
    "EventRecord": ("action", "colour", "date_of_birth", "documents", "id", "issued_at", "list",
                    "list_name", "make", "model", "names", "nationalities", "owner", "plate",
                    "plate_country", "sex", "subject", "valid_until", "vin"),
    "Hit": ("bonuses", "category", "list", "matched_alias", "matched_on", "name_similarity",
            "penalties", "record_id", "score"),
    "Holder": ("date_of_birth", "given_names", "nationality", "sex", "surname"),
    "InstructionMessage": ("alert_id", "by", "event_id", "instruction", "issued_at",
                           "terminal_id", "text"),
    "NoticeDocument": ("issuing_state", "number"),
    "NoticeName": ("given_names", "script", "surname"),
    "NoticeRecord": ("colour", "date_of_birth", "documents", "id", "issued_at", "list", "names",
                     "nationalities", "sex"),
    "Penalty": ("amount", "reason"),
    "RecordRef": ("id", "list"),
    "SealedPayload": ("alg", "key_id"),
    "SltdRecord": ("document_number", "document_type", "id", "issuing_state", "list",
                   "reported_at", "status"),
    "SmvRecord": ("colour", "id", "list", "make", "model", "plate", "plate_country",
                  "reported_at", "vin"),
    "TravellerScan": ("checkpoint_id", "document", "event_id", "holder", "scanned_at",
                      "terminal_id"),
    "UpdateSignature": ("alg", "key_id", "value"),
    "Vehicle": ("colour", "make", "model", "plate", "plate_country", "vin"),
    "VehicleScan": ("checkpoint_id", "event_id", "read_confidence", "scanned_at", "terminal_id",
                    "vehicle"),
    "WatchlistUpdate": ("issued_at", "op", "record", "signature", "update_id"),
}


def objects_of(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The schema's objects by title: itself (unless it is only a union) and its $defs."""
    found = {d["title"]: d for d in schema.get("$defs", {}).values() if "properties" in d}
    if "properties" in schema:
        found[schema["title"]] = schema
    return found


@pytest.mark.parametrize("name", sorted(CHECKED_IN | set(MODELS)))
def test_checked_in_schema_matches_model(name: str) -> None:
    path = SCHEMAS / f"{name}.json"
    assert name in MODELS, f"schemas/{name}.json is no model's: delete it or add it to MODELS"
    assert path.exists(), f"missing {path}: {REGENERATE}"
    assert path.read_bytes() == render(name), (
        f"{name} drifted from schemas/{name}.json: if the change is intended (additive only, "
        f"per the contract), {REGENERATE}")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_contract_fields_present(name: str) -> None:
    """Fields the contract names must stay, with their names (never renamed or removed);
    an object new to the wire is named in CONTRACT before it ships."""
    objects = objects_of(schema_of(name))
    assert objects, f"{name}'s schema has no object in it"
    for title, obj in objects.items():
        assert title in CONTRACT, f"{title} (in {name}) is new on the wire: add it to CONTRACT"
        missing = set(CONTRACT[title]) - set(obj["properties"])
        assert not missing, f"{title} (in {name}) lost contract fields {sorted(missing)}"


def test_every_wire_model_has_a_checked_in_schema() -> None:
    """A model exported by screening.models is a schema of its own or inside one."""
    covered = set(MODELS)
    for name in MODELS:
        covered |= set(objects_of(schema_of(name)))
    exported = {name for name in screening.models.__all__
                if isinstance(m := getattr(screening.models, name), type)
                and issubclass(m, BaseModel)}
    assert exported - covered == set(), "models in no schema: add them to MODELS"
    assert set(CONTRACT) <= covered, "CONTRACT names objects no schema has"
