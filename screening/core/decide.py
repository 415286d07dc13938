"""The decision: given a prepared scan and what the lists answered, the result and alerts.

Pure: no I/O, no clock (the caller passes `now`), so the worker and `screening screen`
decide identically, and tests state cases as tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from screening.core.prepare import Prepared
from screening.exceptions import InvalidScan
from screening.matching.documents import PENALTY_REASON, SWAPS
from screening.models import (
    Alert,
    CheckResult,
    DocumentDifference,
    Hit,
    Instruction,
    TravellerScan,
    VehicleScan,
)
from screening.models.results import OUTCOME_INSTRUCTION, reference_of
from screening.modes.profiles import DORMANT
from screening.privacy import mask_document
from screening.watchlists.base import Answers, Match, RecordRef, Records, Screening, WatchList
from screening.watchlists.lists import LISTS, OWNERS

_ALERT_NS = uuid.UUID("5b0c6c38-3a51-4b0e-9d57-0c6a3f1e2d10")


def blob_refs(p: Prepared, answers: Answers) -> list[RecordRef]:
    """Second round trip: the records behind the candidates the first one found (each
    list says which are worth fetching)."""
    if p.answered is False:  # no look-up of the scan found anything: no candidate
        return []
    return [ref for lst in _lists(p) for ref in lst.record_refs(p, answers)]


def _lists(p: Prepared) -> Iterable[WatchList]:
    """The lists that looked something up for the scan: no other can answer it."""
    return LISTS.values() if p.lists is None else p.lists


def alert_id(event_id: str, hit: Hit) -> str:
    """Deterministic, so a scan screened twice (after a crash) raises the same alert."""
    return str(uuid.uuid5(_ALERT_NS, f"{event_id}|{hit.list}|{hit.record_id}"))


def decode_records(blobs: Mapping[RecordRef, bytes | None]) -> dict[RecordRef, Any]:
    """Stored record bodies, read as their lists' layouts wrote them."""
    return {ref: _record(ref[0], raw) for ref, raw in blobs.items() if raw}


@lru_cache(maxsize=4096)
def _record(table: str, raw: bytes) -> Any:
    """A stored body, read once for as long as it stays the same bytes: designed hits and
    namesakes fetch the same records batch after batch (half the records the bench's
    50,000 scans fetch are fetched before). Shared: the lists only read records."""
    return OWNERS[table].record(table, raw)


def _subject(scan: TravellerScan | VehicleScan, p: Prepared) -> dict[str, Any]:
    if isinstance(scan, TravellerScan):
        person = p.persons[0] if p.persons else None
        number, state = p.documents[0] if p.documents else (None, None)
        subject: dict[str, Any] = {
            "document_number": mask_document(number),
            "issuing_state": state,
            "document_type": scan.document.type,
        }
        if person is not None:
            subject.update(surname=person.surname, given_names=person.given_names,
                           date_of_birth=person.date_of_birth, nationality=person.nationality,
                           sex=person.sex)
        return {k: v for k, v in subject.items() if v is not None}
    v = scan.vehicle
    return v.model_dump(exclude_none=True) | (
        {"read_confidence": scan.read_confidence} if scan.read_confidence is not None else {})


def document_difference(p: Prepared, answers: Answers, hit: Hit) -> DocumentDifference | None:
    """For a hit on an O/0, I/1 variant of the scanned number (matching/documents.py):
    which characters the record's number has otherwise, the rest masked on both sides."""
    if not any(pen.reason == PENALTY_REASON for pen in hit.penalties):
        return None
    for (_, fld), found in answers.items():
        if fld not in p.variant_fields or all(f.record_id != hit.record_id for f in found):
            continue
        listed, _, state = fld.partition("|")
        for scanned_fld in p.document_fields:
            scanned, _, scanned_state = scanned_fld.partition("|")
            if scanned_state != state or len(scanned) != len(listed):
                continue
            positions = [i for i, (a, b) in enumerate(zip(scanned, listed, strict=True))
                         if a != b]
            if positions and all(SWAPS.get(scanned[i]) == listed[i] for i in positions):
                shown = [_reveal(scanned, positions), _reveal(listed, positions)]
                if None in shown:
                    return None  # too short to mask a part: nothing is shown
                return DocumentDifference(scanned=str(shown[0]), listed=str(shown[1]),
                                          positions=positions)
    return None


def _reveal(number: str, positions: list[int]) -> str | None:
    """`number` masked as everywhere, with the characters at `positions` shown."""
    masked = mask_document(number)
    if len(masked) != len(number):
        return None
    chars = list(masked)
    for i in positions:
        chars[i] = number[i]
    return "".join(chars)


# With hits of several kinds, the first of these the hits ask for is the instruction.
INSTRUCTION_ORDER: tuple[Instruction, ...] = (
    "REFER_SECONDARY", "SEIZE_DOCUMENT", "HOLD_VEHICLE", "PROTECT_PERSON", "DISCREET_CHECK")


def instruction_for(matches: list[Match]) -> Instruction:
    asked = {m.instruction for m in matches}
    return next((i for i in INSTRUCTION_ORDER if i in asked), "REFER_SECONDARY")


def matches_of(p: Prepared, answers: Answers, records: Records, at: Screening) -> list[Match]:
    """Every list's hits, best first; none of a list dormant in the mode in force."""
    if p.answered is False:  # no look-up of the scan found anything: no candidate
        return []
    found = [m for lst in _lists(p) for m in lst.hits(p, answers, records, at)]
    if at.dormant:
        found = [m for m in found if (m.hit.list, m.hit.category) not in at.dormant]
    return sorted(found, key=lambda m: (-m.hit.score, m.hit.list, m.hit.record_id))


@lru_cache(maxsize=4)
def _screening(now: datetime, threshold: float, dormant: frozenset[tuple[str, str]]) -> Screening:
    """One Screening (frozen) per batch, not per scan: a batch's scans share the clock."""
    return Screening(now=now, threshold=threshold, dormant=dormant)


def decide(p: Prepared, answers: Answers, records: Records, *, version: str, now: datetime,
           threshold: float, unavailable: bool = False,
           dormant: frozenset[tuple[str, str]] = DORMANT) -> tuple[CheckResult, list[Alert]]:
    """The one result for a prepared scan, and an alert per hit. Possible matches
    (tier "possible") are alerts for analysts only: the result, its hits and its
    instruction are the referrals'."""
    scan = p.scan
    kind = "traveller" if isinstance(scan, TravellerScan) else "vehicle"
    found = matches_of(p, answers, records, _screening(now, threshold, dormant))
    matches = [m for m in found if m.tier == "referral"]
    ordered = [m.hit for m in matches]
    warnings = list(p.warnings)
    if ordered:
        outcome = "hit"
        if unavailable:
            warnings.append("LIST_UNAVAILABLE")
    else:
        outcome = "unverified" if unavailable else "clear"
        if unavailable:
            warnings.append("LIST_UNAVAILABLE")
    # The terminal's hits name no alias of the record (contract v2: no personal data of
    # the watchlist record at the gate); the alerts keep it, for analysts.
    gate_hits = [h.model_copy(update={"matched_alias": None}) if h.matched_alias else h
                 for h in ordered]
    # Instruction and reference given as the model's validator would fill them in: it
    # then copies no dict (a third of the result's cost, made once per scan).
    result = CheckResult(event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                         terminal_id=scan.terminal_id, kind=kind, outcome=outcome,
                         hits=gate_hits, warnings=warnings, decided_at=now,
                         watchlist_version=version,
                         instruction=(instruction_for(matches) if matches
                                      else OUTCOME_INSTRUCTION[outcome]),
                         reference=reference_of(scan.event_id), exercise=scan.exercise)
    alerts = []
    if found:
        subject = _subject(scan, p)
        for m in found:
            alerts.append(Alert(alert_id=alert_id(scan.event_id, m.hit), event_id=scan.event_id,
                                raised_at=now, priority=m.priority,
                                checkpoint_id=scan.checkpoint_id, terminal_id=scan.terminal_id,
                                hit=m.hit, subject=subject, record=m.record,
                                scan_kind=kind, watchlist_version=version,
                                instruction=result.instruction,
                                reference=result.reference, action=m.action,
                                owner=m.owner, tier=m.tier, exercise=scan.exercise,
                                document_difference=document_difference(p, answers, m.hit)))
    return result, alerts


def hit_key(hit: Hit) -> str:
    """How an edge names a hit it found offline (its forwarded scan's header)."""
    return f"{hit.list}:{hit.record_id}"


def retroactive(alerts: list[Alert], offline_hits: frozenset[str]) -> list[Alert]:
    """The alerts of a scan an edge answered offline: those whose hit its snapshot did
    not find are `retroactive` (the gate let the subject go on the edge's answer); those
    it found are the edge's local alerts again (same id), marked `raised_offline` as the
    edge's copy is, so that the copy the console keeps (the worker's, arriving second)
    still says so."""
    return [a.model_copy(update={"raised_offline": True}) if hit_key(a.hit) in offline_hits
            else a.model_copy(update={"kind": "retroactive"}) for a in alerts]


def unverified(p: Prepared, *, version: str, now: datetime) -> CheckResult:
    """A scan whose lists could not be consulted: never `clear`."""
    scan = p.scan
    kind = "traveller" if isinstance(scan, TravellerScan) else "vehicle"
    return CheckResult(event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                       terminal_id=scan.terminal_id, kind=kind, outcome="unverified",
                       warnings=[*p.warnings, "LIST_UNAVAILABLE"], decided_at=now,
                       watchlist_version=version, exercise=scan.exercise)


def rejected(exc: InvalidScan, kind: str, *, version: str, now: datetime) -> CheckResult | None:
    """The `rejected` answer for an invalid scan whose event id could be read."""
    if exc.event_id is None:
        return None
    return CheckResult(event_id=exc.event_id, checkpoint_id=exc.checkpoint_id or "",
                       terminal_id=exc.terminal_id or "", kind=kind,
                       outcome="rejected", warnings=["INVALID_INPUT", exc.code], decided_at=now,
                       watchlist_version=version)
