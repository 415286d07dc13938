"""What screening answers: CheckResult to terminals, Alert to analysts, and their decisions."""

from __future__ import annotations

import builtins
import hashlib
from typing import Any, Literal

from pydantic import Field, model_validator

from screening.models.common import StrictModel, Timestamp
from screening.models.scans import ScanKind
from screening.watchlists.registry import ListName

Outcome = Literal["clear", "hit", "unverified", "rejected"]
Priority = Literal["critical", "high", "medium", "low"]
# Contract v2: why an alert was raised. `integrity`: watchlist data refused (unsigned,
# badly signed); such alerts carry no record, only where the refused input sits.
AlertKind = Literal["watchlist", "correlation", "retroactive", "integrity"]


class Penalty(StrictModel):
    """One reason a score was lowered: analysts read these to judge a hit quickly."""

    reason: str
    amount: float


class Bonus(StrictModel):
    """One reason a score was raised: the full date of birth or the nationality agreeing."""

    reason: str
    amount: float


class Hit(StrictModel):
    list: ListName
    record_id: str
    score: float = Field(ge=0.0, le=1.0)
    matched_on: builtins.list[str]
    category: str
    # Added to the contract (optional): which name or alias matched, and why the
    # score is what it is.
    matched_alias: str | None = None
    penalties: builtins.list[Penalty] = Field(default_factory=builtins.list)
    # Name matches: score = min(1, name_similarity - penalties + bonuses).
    name_similarity: float | None = Field(default=None, ge=0.0, le=1.0)
    bonuses: builtins.list[Bonus] = Field(default_factory=builtins.list)


# Contract v2: what the officer at the gate does.
Instruction = Literal["PROCEED", "REFER_SECONDARY", "DISCREET_CHECK", "SEIZE_DOCUMENT",
                      "HOLD_VEHICLE", "PROTECT_PERSON", "RESCAN"]
# An outcome's instruction when nothing more specific is known (a hit's comes from its
# lists, core/decide.py): a list that could not be consulted is never a PROCEED.
OUTCOME_INSTRUCTION: dict[str, Instruction] = {
    "clear": "PROCEED", "hit": "REFER_SECONDARY", "unverified": "REFER_SECONDARY",
    "rejected": "RESCAN"}


def reference_of(event_id: str) -> str:
    """The opaque id an officer quotes to the operations room: the same for the scan's
    result and its alerts, and no personal data."""
    return "R-" + hashlib.sha256(event_id.encode()).hexdigest()[:10].upper()


class CheckResult(StrictModel):
    event_id: str
    checkpoint_id: str
    terminal_id: str
    kind: ScanKind
    outcome: Outcome
    hits: list[Hit] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    decided_at: Timestamp
    watchlist_version: str
    # Contract v2 (optional for readers): the officer's instruction, and the reference
    # to quote. Filled from the outcome and event id when not given.
    instruction: Instruction | None = None
    reference: str | None = None
    # Contract v2 (optional): what the record asks (watchlists/actions.py) and the
    # authority that owns it (an NCB), to whom a verification request goes.
    action: str | None = None
    owner: str | None = None
    # Added (optional): a drill's result (its scan said `exercise`).
    exercise: bool = False

    @model_validator(mode="before")
    @classmethod
    def _instruction_and_reference(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if data.get("instruction") is None and data.get("outcome") in OUTCOME_INSTRUCTION:
                data = {**data, "instruction": OUTCOME_INSTRUCTION[data["outcome"]]}
            if data.get("reference") is None and isinstance(data.get("event_id"), str):
                data = {**data, "reference": reference_of(data["event_id"])}
        return data


CorrelationCode = Literal["DOCUMENT_SIMULTANEOUS_USE", "PERSON_MULTIPLE_DOCUMENTS",
                          "GATE_SHOPPING", "PLATE_VIN_MISMATCH"]


class Correlation(StrictModel):
    """Contract v2: why scans seen together make an alert (screening/correlation/)."""

    code: CorrelationCode
    event_ids: list[str]
    checkpoints: list[str]
    explanation: str


class DocumentDifference(StrictModel):
    """Where the scanned document number and the record's differ, for a hit on an O/0 or
    I/1 variant: both masked as the contract masks them but for the differing
    characters, which an analyst needs to judge a misreading (0-based `positions`)."""

    scanned: str
    listed: str
    positions: list[int]


class Alert(StrictModel):
    alert_id: str
    event_id: str
    raised_at: Timestamp
    priority: Priority
    checkpoint_id: str
    terminal_id: str
    hit: Hit
    subject: dict[str, Any]
    record: dict[str, Any]
    # Added (optional): what was scanned and which lists answered. (Named `kind` before
    # contract v2 took that name for the alert's kind.)
    scan_kind: ScanKind | None = None
    watchlist_version: str | None = None
    # Contract v2 (optional): why the alert was raised.
    kind: AlertKind = "watchlist"
    # Contract v2 (optional): what the gate was told, and the reference the officer
    # quotes (the same as on the scan's result).
    instruction: Instruction | None = None
    reference: str | None = None
    # Contract v2 (optional): what the record asks (watchlists/actions.py) and the
    # authority that owns it (an NCB), to whom a verification request goes.
    action: str | None = None
    owner: str | None = None
    # Contract v2 (optional): `referral`, the gate was told to act; `possible`, a match
    # too weak for that, for analysts only (the gate got PROCEED).
    tier: Literal["referral", "possible"] = "referral"
    # Contract v2 (optional): when a critical alert nobody acknowledged in time was
    # raised to the supervisors (the worker publishes the alert again, with this set).
    escalated_at: Timestamp | None = None
    # Added (optional): a drill's alert (its scan said `exercise`).
    exercise: bool = False
    # Added (optional): the scanned person as a keyed digest (name, date of birth and
    # document, audit/digests.py), by which an analyst clears a namesake against the
    # record; and, on a cleared namesake's reminder, until when the clearance holds.
    subject_key: str | None = None
    cleared_until: Timestamp | None = None
    # Added (optional): the scanned document number as a keyed digest (audit/digests.py,
    # kind `document_number`), by which the console finds an alert from a whole number
    # although alerts carry it masked.
    document_key: str | None = None
    # Contract v2 (optional): the case the sighting belongs to, and for `correlation`
    # alerts the pattern found.
    case_id: str | None = None
    correlation: Correlation | None = None
    # Added (optional): raised by a site's edge from its own copy of the lists while the
    # centre did not answer (the site saw it first; forwarded once the link was back).
    raised_offline: bool = False
    # Added (optional): for a hit on a variant of the scanned document number, which
    # characters differ (the rest masked).
    document_difference: DocumentDifference | None = None

    @model_validator(mode="before")
    @classmethod
    def _scan_kind_as_it_was_named(cls, data: Any) -> Any:
        """Alerts written before contract v2 said the scan's kind in `kind`: they stay
        readable (the console reads back the alerts topic)."""
        if isinstance(data, dict) and data.get("kind") in ("traveller", "vehicle"):
            data = {**data, "kind": "watchlist"} | (
                {} if data.get("scan_kind") else {"scan_kind": data["kind"]})
        return data


# Contract v2: the hit procedure's steps (screening/procedure.py says which follows which).
Decision = Literal["acknowledged", "verification_requested", "confirmed", "not_confirmed",
                   "action_taken", "closed", "dismissed"]


class AlertDecision(StrictModel):
    alert_id: str = Field(min_length=1, max_length=64)
    decision: Decision
    analyst: str = Field(min_length=1, max_length=128)
    decided_at: Timestamp
    note: str = Field(default="", max_length=2000)
    # Added (optional): the analyst's role when they decided, so that every step of the
    # procedure is attributable (analyst, role, time) on the topic itself.
    role: str | None = Field(default=None, max_length=32)
    # Added (optional): when the alert decided on was raised, so that the time to
    # acknowledge and to decide can be measured where decisions are read (the wall).
    alert_raised_at: Timestamp | None = None
    # Added (optional): why an alert was dismissed or not confirmed, a code of
    # screening/procedure.py's REASONS (`other` comes with a note).
    reason: str | None = Field(default=None, pattern=r"^[a-z_]{1,40}$")
    # Added (optional): on a `confirmed` that needed four eyes (a critical alert), the
    # second, different analyst who confirmed it; `analyst` confirmed it first.
    second_analyst: str | None = Field(default=None, min_length=1, max_length=128)
    # Added (optional): this step takes back the alert's previous step (named here),
    # returning it to the state before that step (`acknowledged` if it was the first).
    undoes: Decision | None = None


class InstructionMessage(StrictModel):
    """Contract v2: a decision taken in the operations room, sent to the waiting gate on
    `screening.instructions.<site>` (key `terminal_id`)."""

    event_id: str
    alert_id: str
    terminal_id: str
    instruction: Instruction
    issued_at: Timestamp
    by: str
    text: str | None = Field(default=None, max_length=200)
    # Added (optional): the officer's reference (the scan's), and a drill's mark.
    reference: str | None = None
    exercise: bool = False


class DeadLetterReason(StrictModel):
    code: str
    message: str


class SealedPayload(StrictModel):
    """How a dead letter's payload is sealed: AES-256-GCM under the dead-letter key."""

    alg: Literal["A256GCM"]
    key_id: str


class DeadLetter(StrictModel):
    received_at: Timestamp
    topic: str
    partition: int | None
    offset: int | None
    reason: DeadLetterReason
    payload_b64: str
    # Added to the contract (optional): the size of the original input, and whether
    # payload_b64 holds only its head (inputs over 64 KiB; the whole stays at topic/
    # partition/offset on the source topic for its retention).
    payload_bytes: int | None = None
    payload_truncated: bool = False
    # Contract v2 minimisation (optional): the payload's SHA-256 in clear; payload_b64
    # holds the payload sealed (nonce + AES-GCM ciphertext) when payload_sealed says so,
    # and nothing when payload_withheld (no dead-letter key was set).
    payload_sha256: str | None = None
    payload_sealed: SealedPayload | None = None
    payload_withheld: bool = False
