"""The edge's OpenAPI document, generated from the contract's pydantic models (the same
ones the worker validates with), so the document and the code cannot drift apart."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from screening.models import CheckResult, InstructionMessage, TravellerScan, VehicleScan
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
    local_alerts: dict[str, int] = {}


class Instructions(BaseModel):
    """A terminal's instructions after `since`; ask next with `since=next`."""

    instructions: list[InstructionMessage]
    next: int


class LocalAlerts(BaseModel):
    """The site's local alerts after `since` (Alert objects as the console shows them,
    masked, with `raised_offline` and `forwarded`); ask next with `since=next`."""

    alerts: list[dict[str, Any]]
    next: int


_ERRORS = {
    "400": "invalid scan: `code` is the worker's reason (INVALID_JSON, MISSING_FIELD, ...)",
    "401": "no token, or an unknown or revoked one",
    "403": "the body names another terminal or checkpoint than the token's "
           "(IDENTITY_MISMATCH), or a supervisor's token (WRONG_ROLE)",
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
        "description": "terminal_id and checkpoint_id come from the token or client "
                       "certificate; when the body carries them they must be its own.",
        "operationId": f"scan_{kind}",
        "security": [{"terminalToken": []}, {"terminalCertificate": []}],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref(model)}}},
        "responses": responses}}


def _get(summary: str, op: str, model: str, params: list[dict[str, Any]],
         security: str, refusals: dict[str, str]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "ok", "content": {
        "application/json": {"schema": _ref(model)}}}}
    for status, text in refusals.items():
        responses[status] = {"description": text,
                             "content": {"application/json": {"schema": _ref("EdgeError")}}}
    return {"get": {"summary": summary, "operationId": op, "parameters": params,
                    "security": [{security: []}, {"terminalCertificate": []}],
                    "responses": responses}}


def _query(name: str, text: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": text,
            "schema": schema}


_SINCE = _query("since", "the `next` of the previous answer (0: from the first kept)",
                {"type": "integer", "minimum": 0, "default": 0})
_REFUSED = {"400": "`since` or `wait` is not a number (INVALID_FIELD)",
            "401": "no token, or an unknown or revoked one",
            "403": "a token of another role (WRONG_ROLE)"}


def openapi(title: str = "screening edge") -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Any]] = [
        (TravellerScan, "validation"), (VehicleScan, "validation"),
        (CheckResult, "serialization"), (EdgeError, "serialization"),
        (Health, "serialization"), (Instructions, "serialization"),
        (LocalAlerts, "serialization")]
    _, top = models_json_schema(models, ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": {
            "/v1/scans/traveller": _scan_path("traveller", "TravellerScan"),
            "/v1/scans/vehicle": _scan_path("vehicle", "VehicleScan"),
            "/v1/instructions": _get(
                "this terminal's instructions: the operations room's decisions, and the "
                "edge's own when the centre's answer to a scan answered offline differs",
                "instructions", "Instructions",
                [_SINCE, _query("wait", "long poll: seconds to wait for one when there is "
                                "none yet (at most 30)",
                                {"type": "number", "minimum": 0, "maximum": 30,
                                 "default": 0})],
                "terminalToken", _REFUSED),
            "/v1/alerts": _get(
                "the site's local alerts: hits answered from the snapshot while the "
                "centre did not answer, and whether each has been forwarded",
                "alerts", "LocalAlerts", [_SINCE], "supervisorToken", _REFUSED),
            "/v1/health": {"get": {"summary": "liveness, link state and stored scans",
                                   "operationId": "health", "responses": {"200": {
                                       "description": "ok", "content": {"application/json": {
                                           "schema": _ref("Health")}}}}}},
        },
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"terminalToken": {
                "type": "http", "scheme": "bearer",
                "description": "a terminal's token (`screening security add-terminal`)"},
                "terminalCertificate": {
                "type": "mutualTLS",
                "description": "a client certificate (`screening security add-terminal "
                               "SITE TERMINAL --cert`), its subjectAltName URI "
                               "screening:terminal:SITE/TERMINAL; a supervisor's too"},
                "supervisorToken": {
                "type": "http", "scheme": "bearer",
                "description": "a site supervisor's token (`screening security add-terminal "
                               "SITE NAME --supervisor`)"}},
        },
    }
