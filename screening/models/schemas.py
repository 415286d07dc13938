"""JSON Schemas of the wire contract, generated from the models and checked in under schemas/.

Regenerate with `python -m screening.models.schemas schemas/`; a test fails when the
checked-in files and the models drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, TypeAdapter

from screening.models import (
    Alert,
    AlertDecision,
    AuditRecord,
    CheckResult,
    DeadLetter,
    InstructionMessage,
    ModeChange,
    TravellerScan,
    VehicleScan,
    WatchlistRecord,
    WatchlistUpdate,
)

MODELS: dict[str, Any] = {
    "TravellerScan": TravellerScan,
    "VehicleScan": VehicleScan,
    "CheckResult": CheckResult,
    "Alert": Alert,
    "AlertDecision": AlertDecision,
    "Instruction": InstructionMessage,
    "AuditRecord": AuditRecord,
    "DeadLetter": DeadLetter,
    "WatchlistRecord": WatchlistRecord,
    "WatchlistUpdate": WatchlistUpdate,
    "ModeChange": ModeChange,
}


def schema_of(name: str) -> dict[str, Any]:
    model = MODELS[name]
    if isinstance(model, type) and issubclass(model, BaseModel):
        schema = model.model_json_schema(mode="validation")
    else:
        schema = TypeAdapter(model).json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"screening/v1/{name}.json"
    schema.setdefault("title", name)
    return schema


def render(name: str) -> bytes:
    return orjson.dumps(schema_of(name), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MODELS:
        path = out / f"{name}.json"
        path.write_bytes(render(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(p)
