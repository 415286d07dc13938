"""The decision: given a prepared scan and what the lists answered, the result and alerts.

Pure: no I/O, no clock (the caller passes `now`), so the worker and `screening screen`
decide identically, and tests state cases as tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from screening.core.prepare import Prepared
from screening.exceptions import InvalidScan
from screening.matching.documents import PENALTY_PER_SWAP, PENALTY_REASON, variant_score
from screening.matching.normalize import canonical_country
from screening.matching.persons import candidate_filter
from screening.matching.persons import score as score_person
from screening.matching.plates import match_plate
from screening.matching.vin import PENALTY_PER_CORRECTION
from screening.matching.vin import PENALTY_REASON as VIN_CORRECTED
from screening.models import (
    Alert,
    Bonus,
    CheckResult,
    Hit,
    Instruction,
    Penalty,
    Priority,
    TravellerScan,
    VehicleScan,
)
from screening.privacy import mask_document
from screening.watchlists.base import parse_entries
from screening.watchlists.notices import DOC_TABLE, NAME_TABLE, PROFILE_TABLE
from screening.watchlists.sltd import TABLE as SLTD_TABLE
from screening.watchlists.smv import PLATE_TABLE, RECORD_TABLE, VIN_TABLE

Answers = Mapping[tuple[str, str], bytes | None]
# Records behind candidates, decoded once per batch: (table, record id) -> record.
Records = Mapping[tuple[str, str], dict[str, Any]]

_ALERT_NS = uuid.UUID("5b0c6c38-3a51-4b0e-9d57-0c6a3f1e2d10")
NOTICE_PRIORITY: dict[str, Priority] = {
    "red": "critical", "orange": "critical", "yellow": "high", "un": "high",
    "blue": "medium", "green": "medium", "purple": "medium", "black": "medium",
}
SLTD_PRIORITY: dict[str, Priority] = {
    "stolen": "high", "stolen_blank": "high", "revoked": "medium", "invalidated": "medium",
    "lost": "medium",
}


def blob_refs(p: Prepared, answers: Answers) -> list[tuple[str, str]]:
    """Second round trip: the records behind the candidates the first one found, less
    the name candidates that ``score`` would reject on their attributes alone (their
    entries carry the notice's date of birth, nationalities and sex)."""
    refs: list[tuple[str, str]] = []
    worth = None
    candidates: set[str] = set()
    for table, fld in p.lookups:
        raw = answers.get((table, fld))
        if not raw:  # most look-ups find nothing
            continue
        if table == NAME_TABLE:
            entries = parse_entries(raw)
            candidates.update(rid for rid, _ in entries)
            if p.threshold is None:
                refs += [(PROFILE_TABLE, rid) for rid, _ in entries]
                continue
            if worth is None:
                worth = candidate_filter(p.persons, p.threshold)
            refs += [(PROFILE_TABLE, rid) for rid, payload in entries if worth(payload)]
        elif table == DOC_TABLE:
            refs += [(PROFILE_TABLE, rid) for rid, _ in parse_entries(raw)]
        elif table in (VIN_TABLE, PLATE_TABLE):
            refs += [(RECORD_TABLE, rid) for rid, _ in parse_entries(raw)]
    p.name_candidates = candidates
    return refs


def alert_id(event_id: str, hit: Hit) -> str:
    """Deterministic, so a scan screened twice (after a crash) raises the same alert."""
    return str(uuid.uuid5(_ALERT_NS, f"{event_id}|{hit.list}|{hit.record_id}"))


def _merge(hits: dict[tuple[str, str], Hit], hit: Hit) -> None:
    key = (hit.list, hit.record_id)
    old = hits.get(key)
    if old is None:
        hits[key] = hit
        return
    matched_on = list(dict.fromkeys([*old.matched_on, *hit.matched_on]))
    best = hit if hit.score > old.score else old
    hits[key] = best.model_copy(update={"matched_on": matched_on})


def decode_records(blobs: Mapping[tuple[str, str], bytes | None]) -> dict[tuple[str, str], Any]:
    return {ref: orjson.loads(raw) for ref, raw in blobs.items() if raw}


def _document_hits(hits: dict[tuple[str, str], Hit], fld: str, swaps: int, answers: Answers,
                   records: Records, sltd_fields: dict[str, str]) -> None:
    """Hits on one document field: the number as scanned (swaps 0) or an O/0, I/1
    variant of it; `sltd_fields` notes which field each SLTD hit matched."""
    score = variant_score(swaps)
    penalties = [Penalty(reason=PENALTY_REASON, amount=round(PENALTY_PER_SWAP * swaps, 4))
                 ] if swaps else []
    matched_on = ["document_number", "issuing_state"]
    for rid, payload in parse_entries(answers.get((SLTD_TABLE, fld))):
        status = payload.split("|", 1)[0] or "unknown"
        if (old := hits.get(("sltd", rid))) is None or old.score < score:
            sltd_fields[rid] = fld
        _merge(hits, Hit(list="sltd", record_id=rid, score=score, category=status,
                         matched_on=matched_on, penalties=penalties))
    for rid, _ in parse_entries(answers.get((DOC_TABLE, fld))):
        colour = records.get((PROFILE_TABLE, rid), {}).get("colour", "unknown")
        _merge(hits, Hit(list="notice", record_id=rid, score=score, category=colour,
                         matched_on=matched_on, penalties=penalties))


def _traveller_hits(p: Prepared, answers: Answers, records: Records, threshold: float,
                    sltd_fields: dict[str, str]) -> dict[tuple[str, str], Hit]:
    hits: dict[tuple[str, str], Hit] = {}
    for fld in p.document_fields:
        _document_hits(hits, fld, 0, answers, records, sltd_fields)
    for fld, swaps in p.variant_fields.items():
        _document_hits(hits, fld, swaps, answers, records, sltd_fields)
    candidates = p.name_candidates
    if candidates is None:  # blob_refs did not see these answers
        candidates = {rid for table, fld in p.lookups if table == NAME_TABLE
                      for rid, _ in parse_entries(answers.get((table, fld)))}
    for rid in sorted(candidates):
        profile = records.get((PROFILE_TABLE, rid))
        if profile is None:
            continue  # removed between the two round trips
        for person in p.persons:
            m = score_person(person, profile, threshold)
            if m is not None:
                _merge(hits, Hit(list="notice", record_id=rid, score=round(m.score, 4),
                                 category=profile.get("colour", "unknown"),
                                 matched_on=list(m.matched_on), matched_alias=m.matched_alias,
                                 penalties=[Penalty(reason=r, amount=a) for r, a in m.penalties],
                                 name_similarity=m.name_similarity,
                                 bonuses=[Bonus(reason=r, amount=a) for r, a in m.bonuses]))
    return hits


def _vehicle_hits(p: Prepared, answers: Answers, records: Records) -> dict[tuple[str, str], Hit]:
    hits: dict[tuple[str, str], Hit] = {}
    if p.vin:
        for rid, _ in parse_entries(answers.get((VIN_TABLE, p.vin))):
            _merge(hits, Hit(list="smv", record_id=rid, score=1.0, category="stolen_vehicle",
                             matched_on=["vin"]))
    if p.vin_corrected is not None:
        vin, changed = p.vin_corrected
        amount = round(PENALTY_PER_CORRECTION * changed, 4)
        for rid, _ in parse_entries(answers.get((VIN_TABLE, vin))):
            _merge(hits, Hit(list="smv", record_id=rid, score=round(max(0.0, 1.0 - amount), 4),
                             category="stolen_vehicle", matched_on=["vin"],
                             penalties=[Penalty(reason=VIN_CORRECTED, amount=amount)]))
    if p.plate:
        scan_country = p.scan.vehicle.plate_country if isinstance(p.scan, VehicleScan) else None
        candidates = {rid for table, fld in p.lookups if table == PLATE_TABLE
                      for rid, _ in parse_entries(answers.get((table, fld)))}
        for rid in sorted(candidates):
            rec = records.get((RECORD_TABLE, rid))
            if rec is None or not rec.get("plate"):
                continue
            rec_country = rec.get("plate_country")
            if (scan_country and rec_country
                    and canonical_country(rec_country) != canonical_country(scan_country)):
                continue
            m = match_plate(p.plate, rec["plate"], low_confidence=p.low_confidence)
            if m is None:
                continue
            penalties = []
            if m.substitutions:
                penalties.append(Penalty(reason="plate_ocr_substitution",
                                         amount=round(0.05 * m.substitutions, 4)))
            if m.length_changed:
                penalties.append(Penalty(reason="plate_character_missing_or_extra", amount=0.1))
            matched_on = ["plate"] + (["plate_country"] if scan_country and rec_country else [])
            _merge(hits, Hit(list="smv", record_id=rid, score=m.score, category="stolen_vehicle",
                             matched_on=matched_on, penalties=penalties))
    return hits


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


def _record_summary(hit: Hit, records: Records, sltd_fields: Mapping[str, str]
                    ) -> dict[str, Any]:
    if hit.list == "notice":
        summary = records.get((PROFILE_TABLE, hit.record_id), {}).get("summary",
                                                                       {"id": hit.record_id})
        if not summary.get("documents"):
            return summary
        # The notice's travel documents are masked as SLTD numbers are (last 3 shown).
        return {**summary, "documents": [
            {**d, "number": mask_document(d.get("number"))} if isinstance(d, dict) else d
            for d in summary["documents"]]}
    if hit.list == "smv":
        return dict(records.get((RECORD_TABLE, hit.record_id), {"id": hit.record_id}))
    # The record's number is the field it matched: the scanned one or an O/0, I/1 variant.
    number, _, state = sltd_fields.get(hit.record_id, "").partition("|")
    return {"id": hit.record_id, "status": hit.category, "issuing_state": state,
            "document_number": mask_document(number)}


# What a hit asks of the officer when its record names no action of its own: stolen,
# lost and revoked documents are seized, stolen vehicles held; a yellow notice's missing
# person is protected (do not alarm), blue, green and purple notices ask for a discreet
# check (let pass, report the sighting); red, orange, UN and black notices: referral.
NOTICE_INSTRUCTION: dict[str, Instruction] = {
    "red": "REFER_SECONDARY", "orange": "REFER_SECONDARY", "un": "REFER_SECONDARY",
    "black": "REFER_SECONDARY", "yellow": "PROTECT_PERSON", "blue": "DISCREET_CHECK",
    "green": "DISCREET_CHECK", "purple": "DISCREET_CHECK"}
# With hits of several kinds, the first of these the hits ask for is the instruction.
INSTRUCTION_ORDER: tuple[Instruction, ...] = (
    "REFER_SECONDARY", "SEIZE_DOCUMENT", "HOLD_VEHICLE", "PROTECT_PERSON", "DISCREET_CHECK")


def _instruction(hit: Hit) -> Instruction:
    if hit.list == "sltd":
        return "SEIZE_DOCUMENT"
    if hit.list == "smv":
        return "HOLD_VEHICLE"
    return NOTICE_INSTRUCTION.get(hit.category, "REFER_SECONDARY")


def instruction_for(hits: list[Hit]) -> Instruction:
    asked = {_instruction(h) for h in hits}
    return next((i for i in INSTRUCTION_ORDER if i in asked), "REFER_SECONDARY")


def _priority(hit: Hit) -> Priority:
    if hit.list == "notice":
        return NOTICE_PRIORITY.get(hit.category, "high")
    if hit.list == "sltd":
        return SLTD_PRIORITY.get(hit.category, "medium")
    return "high"


def decide(p: Prepared, answers: Answers, records: Records, *, version: str, now: datetime,
           threshold: float, unavailable: bool = False) -> tuple[CheckResult, list[Alert]]:
    """The one result for a prepared scan, and an alert per hit."""
    scan = p.scan
    sltd_fields: dict[str, str] = {}
    if isinstance(scan, TravellerScan):
        kind = "traveller"
        hits = _traveller_hits(p, answers, records, threshold, sltd_fields)
    else:
        kind = "vehicle"
        hits = _vehicle_hits(p, answers, records)
    warnings = list(p.warnings)
    ordered = sorted(hits.values(), key=lambda h: (-h.score, h.list, h.record_id))
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
    result = CheckResult(event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                         terminal_id=scan.terminal_id, kind=kind, outcome=outcome,
                         hits=gate_hits, warnings=warnings, decided_at=now,
                         watchlist_version=version,
                         instruction=instruction_for(ordered) if ordered else None)
    alerts = []
    if ordered:
        subject = _subject(scan, p)
        for hit in ordered:
            alerts.append(Alert(alert_id=alert_id(scan.event_id, hit), event_id=scan.event_id,
                                raised_at=now, priority=_priority(hit),
                                checkpoint_id=scan.checkpoint_id, terminal_id=scan.terminal_id,
                                hit=hit, subject=subject,
                                record=_record_summary(hit, records, sltd_fields),
                                scan_kind=kind, watchlist_version=version,
                                instruction=result.instruction,
                                reference=result.reference))
    return result, alerts


def unverified(p: Prepared, *, version: str, now: datetime) -> CheckResult:
    """A scan whose lists could not be consulted: never `clear`."""
    scan = p.scan
    kind = "traveller" if isinstance(scan, TravellerScan) else "vehicle"
    return CheckResult(event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                       terminal_id=scan.terminal_id, kind=kind, outcome="unverified",
                       warnings=[*p.warnings, "LIST_UNAVAILABLE"], decided_at=now,
                       watchlist_version=version)


def rejected(exc: InvalidScan, kind: str, *, version: str, now: datetime) -> CheckResult | None:
    """The `rejected` answer for an invalid scan whose event id could be read."""
    if exc.event_id is None:
        return None
    return CheckResult(event_id=exc.event_id, checkpoint_id=exc.checkpoint_id or "",
                       terminal_id=exc.terminal_id or "", kind=kind,
                       outcome="rejected", warnings=["INVALID_INPUT", exc.code], decided_at=now,
                       watchlist_version=version)
