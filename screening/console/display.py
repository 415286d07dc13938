"""Alerts and decisions as the console reads them off Kafka and shows them to a page:
unknown fields of newer versions ignored, document numbers, VINs and plates masked."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

from screening.clearance import clearable
from screening.models import Alert, AlertDecision, Hit, Penalty
from screening.privacy import mask_value, mask_vehicle_ids

# Masked again here although alerts arrive masked: a notice record lists its documents,
# and an upstream slip must not reach a screen. Masking a masked number changes nothing.
DOCUMENT_KEYS = frozenset({"document_number", "number", "mrz"})


def mask_documents(value: Any) -> Any:
    """Document numbers anywhere in `value` masked to their last 3 characters."""
    if isinstance(value, dict):
        return {k: mask_value(k, v) if k in DOCUMENT_KEYS else mask_documents(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_documents(v) for v in value]
    return value


def _known(model: type[BaseModel], data: Any) -> Any:
    return {k: v for k, v in data.items() if k in model.model_fields} if isinstance(data, dict) \
        else data


def read_alert(raw: bytes) -> Alert:
    """An alert, ignoring fields this version does not know: the contract may add
    optional fields, and an older console must go on showing newer alerts."""
    data = _known(Alert, orjson.loads(raw))
    if isinstance(data, dict) and isinstance(data.get("hit"), dict):
        hit = _known(Hit, data["hit"])
        if isinstance(hit.get("penalties"), list):
            hit["penalties"] = [_known(Penalty, p) for p in hit["penalties"]]
        data["hit"] = hit
    return Alert.model_validate(data)


def read_decision(raw: bytes) -> AlertDecision:
    return AlertDecision.model_validate(_known(AlertDecision, orjson.loads(raw)))


def display_alert(alert: Alert) -> dict[str, Any]:
    """What a page receives for an alert: the alert, masked (document numbers, VINs and
    plates to their last 3 characters), with a sortable time."""
    data = alert.model_dump(mode="json")
    data["subject"] = mask_vehicle_ids(mask_documents(data["subject"]))
    data["record"] = mask_vehicle_ids(mask_documents(data["record"]))
    data["raised_ms"] = int(alert.raised_at.timestamp() * 1000)
    data["clearable"] = clearable(alert)  # a namesake an analyst may clear (clearance.py)
    return data


def display_decision(decision: AlertDecision) -> dict[str, Any]:
    data = decision.model_dump(mode="json")
    data["decided_ms"] = int(decision.decided_at.timestamp() * 1000)
    return data
