"""The evaluation sets and generated scans prepared through the compiled core and through
the Python reference give the same look-ups, warnings and persons (issue 25): the
decisions are made from these, so the verdicts cannot move.

Preparation (screening/core/prepare.py) is run twice per scan: as it is, and with the
reference functions (the _py_ ones) in place of the compiled ones it calls."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.core import prepare as prepare_module
from screening.core.codec import _py_decode_scan, decode_scan
from screening.exceptions import InvalidScan
from screening.mockdata.mrz_writer import build_td3
from screening.mockdata.scans import ScanFactory
from screening.settings import Settings

EVAL = Path(__file__).resolve().parents[3] / "eval"
SETTINGS = Settings()
REFERENCE = prepare_module.REFERENCES


def _as_scan(row: dict[str, Any], i: int) -> dict[str, Any]:
    """An evaluation row (a person as a terminal reads them) as a traveller scan: the
    holder's fields, a document number, and every other one an MRZ written from them."""
    holder = {k: row.get(k) for k in ("surname", "given_names", "date_of_birth",
                                      "nationality", "sex")}
    document: dict[str, Any] = {"number": f"X{i:07d}O1", "issuing_state": "D"}
    dob = row.get("date_of_birth") or ""
    if i % 2 and len(dob) == 10:
        with contextlib.suppress(ValueError):  # a name the writer cannot fit or spell
            document["mrz"] = build_td3(
                "P", "D", row.get("surname") or "", row.get("given_names") or "",
                f"C{i:08d}", nationality=row.get("nationality") or "D",
                date_of_birth=date.fromisoformat(dob), sex=row.get("sex"),
                expiry=date(2031, 5, 17))
    return {"event_id": f"e-{i}", "checkpoint_id": "CP-1", "terminal_id": "T-1",
            "scanned_at": "2026-12-07T10:00:00Z", "document": document, "holder": holder}


def _sets() -> Iterator[tuple[str, dict[str, Any]]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(EVAL))  # the builders import their siblings by name
        world = importlib.import_module("world_set")
        conventions = importlib.import_module("conventions_set")
        for name, builder, seed in (("world", world, 26), ("conventions", conventions, 5)):
            _, rows = builder.build(per_class=20, seed=seed)
            yield from ((name, _as_scan(row, i)) for i, row in enumerate(rows))
    factory = ScanFactory(seed=2025)
    for _ in range(400):
        yield "generated", factory.traveller()
        yield "generated", factory.vehicle()


def _prepared(raw: bytes, kind: str, decoder: Any) -> Any:
    try:
        p = prepare_module.prepare(decoder(kind, raw, max_bytes=SETTINGS.max_scan_bytes),
                                   SETTINGS)
    except InvalidScan as exc:
        return (exc.code, exc.message, exc.event_id)
    return {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}


def test_the_sets_prepare_alike_through_the_core_and_the_reference(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [(name, "vehicle" if "vehicle" in s else "traveller", orjson.dumps(s))
             for name, s in _sets()]
    compiled = [_prepared(raw, kind, decode_scan) for _, kind, raw in cases]
    for name, fn in REFERENCE.items():
        assert hasattr(prepare_module, name), name  # prepare still calls it
        monkeypatch.setattr(prepare_module, name, fn)
    reference = [_prepared(raw, kind, _py_decode_scan) for _, kind, raw in cases]
    differ = [(name, raw[:120]) for (name, _, raw), a, b in zip(cases, compiled, reference,
                                                                strict=True) if a != b]
    assert not differ, differ[:3]
    assert {name for name, _, _ in cases} == {"world", "conventions", "generated"}
    with_mrz = [p for p in compiled if isinstance(p, dict)
                and getattr(getattr(p["scan"], "document", None), "mrz", None)]
    assert len(with_mrz) > 500
    assert sum(1 for p in compiled if isinstance(p, dict) and p["variant_fields"]) > 100
