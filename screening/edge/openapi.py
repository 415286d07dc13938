"""The edge's OpenAPI document, generated from the contract's pydantic models (the same
ones the worker validates with), so the document and the code cannot drift apart."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from screening.models import CheckResult, TravellerScan, VehicleScan
from screening.models.results import StrictModel


class EdgeError(StrictModel):
    """A refusal: `code` is machine-readable (the worker's reason codes for bad scans)."""

    code: str
    message: str
    # For a scan refused as invalid: the `rejected` CheckResult the worker would give it.
    result: CheckResult | None = None


class Health(BaseModel):
    status: str
    site_link: str
    snapshot_version: str | None
    snapshot_updates: int
    stored: dict[str, int]


_ERRORS = {
    "400": "invalid scan: `code` is the worker's reason (INVALID_JSON, MISSING_FIELD, ...)",
    "401": "no token, or an unknown or revoked one",
    "403": "the body names another terminal or checkpoint than the token's",
    "409": "a scan with this event_id is being answered",
    "413": "body larger than the scan size limit (TOO_LARGE)",
    "429": "this terminal's rate limit; see Retry-After",
    "503": "the scan could not be answered or kept; send it again",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _scan_path(kind: str, model: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "the scan's CheckResult: the central worker's, or the edge's "
                               "own with warning OFFLINE when the centre did not answer in "
                               "time",
                "content": {"application/json": {"schema": _ref("CheckResult")}}}}
    for status, text in _ERRORS.items():
        responses[status] = {"description": text,
                             "content": {"application/json": {"schema": _ref("EdgeError")}}}
    return {"post": {
        "summary": f"screen a {kind} scan",
        "description": "terminal_id and checkpoint_id come from the token; when the body "
                       "carries them they must be the token's.",
        "operationId": f"scan_{kind}",
        "security": [{"terminalToken": []}],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref(model)}}},
        "responses": responses}}


def openapi(title: str = "screening edge") -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Any]] = [
        (TravellerScan, "validation"), (VehicleScan, "validation"),
        (CheckResult, "serialization"), (EdgeError, "serialization"),
        (Health, "serialization")]
    _, top = models_json_schema(models, ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": {
            "/v1/scans/traveller": _scan_path("traveller", "TravellerScan"),
            "/v1/scans/vehicle": _scan_path("vehicle", "VehicleScan"),
            "/v1/health": {"get": {"summary": "liveness, link state and stored scans",
                                   "operationId": "health", "responses": {"200": {
                                       "description": "ok", "content": {"application/json": {
                                           "schema": _ref("Health")}}}}}},
        },
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"terminalToken": {
                "type": "http", "scheme": "bearer",
                "description": "a terminal's token (`screening security add-terminal`)"}},
        },
    }
