"""How a vehicle is answered from the stolen-vehicle list: the VIN exactly (and its one
correction when read with I, O or Q), the plate by OCR-tolerant keys, then scored
against the record's plate and country (matching/plates.py).

`Vehicles` is that procedure over any list of vehicles in this layout; what a hit is
called and asks of the gate comes from the list (`Verdict`): event lists reuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from screening.matching.normalize import canonical_country
from screening.matching.plates import match_plate
from screening.matching.vin import PENALTY_PER_CORRECTION
from screening.matching.vin import PENALTY_REASON as VIN_CORRECTED
from screening.models import Hit, Instruction, Penalty, Priority
from screening.watchlists.base import (
    Answers,
    Lookup,
    Match,
    RecordRef,
    Records,
    Screening,
    keep_best,
)
from screening.watchlists.generic import EntriesLayout
from screening.watchlists.smv.layout import LAYOUT, SMV_TABLES, VehicleTables
from screening.watchlists.smv.record import SmvRecord

if TYPE_CHECKING:
    from screening.core.prepare import Prepared

Verdict = Callable[[dict[str, Any], datetime], tuple[str, Instruction, Priority] | None]


def smv_verdict(record: dict[str, Any], now: datetime) -> tuple[str, Instruction, Priority] | None:
    return "stolen_vehicle", "HOLD_VEHICLE", "high"


class Vehicles:
    """Screening a vehicle against one list of vehicles kept in the SMV's layout."""

    def __init__(self, list_name: str, tables: VehicleTables, verdict: Verdict) -> None:
        self.list_name = list_name
        self.tables = tables
        self.verdict = verdict

    def lookups(self, p: Prepared) -> list[Lookup]:
        t = self.tables
        out = [(t.vins, p.vin)] if p.vin else []
        if p.vin_corrected is not None:
            out.append((t.vins, p.vin_corrected[0]))
        return out + [(t.plates, k) for k in p.plate_keys]

    def record_refs(self, p: Prepared, answers: Answers) -> list[RecordRef]:
        return [(self.tables.records, f.record_id) for lookup in self.lookups(p)
                for f in answers.get(lookup, ())]

    def hits(self, p: Prepared, answers: Answers, records: Records,
             at: Screening) -> list[Match]:
        t = self.tables
        found: dict[str, Hit] = {}
        if p.vin:
            for f in answers.get((t.vins, p.vin), ()):
                keep_best(found, Hit(list=self.list_name, record_id=f.record_id, score=1.0,
                                 category="", matched_on=["vin"]))
        if p.vin_corrected is not None:
            vin, changed = p.vin_corrected
            amount = round(PENALTY_PER_CORRECTION * changed, 4)
            for f in answers.get((t.vins, vin), ()):
                keep_best(found, Hit(list=self.list_name, record_id=f.record_id,
                                 score=round(max(0.0, 1.0 - amount), 4), category="",
                                 matched_on=["vin"],
                                 penalties=[Penalty(reason=VIN_CORRECTED, amount=amount)]))
        if p.plate:
            for hit in self._plate_hits(p, answers, records):
                keep_best(found, hit)
        out = []
        for rid, hit in found.items():
            record = records.get((t.records, rid))
            verdict = self.verdict(record or {}, at.now)
            if verdict is None:
                continue
            category, instruction, priority = verdict
            out.append(Match(hit.model_copy(update={"category": category}),
                             dict(record or {"id": rid}), instruction, priority))
        return out

    def _plate_hits(self, p: Prepared, answers: Answers, records: Records) -> list[Hit]:
        assert p.plate is not None
        t = self.tables
        scan_country = p.plate_country
        candidates = sorted({f.record_id for k in p.plate_keys
                             for f in answers.get((t.plates, k), ())})
        hits = []
        for rid in candidates:
            rec = records.get((t.records, rid))
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
            hits.append(Hit(list=self.list_name, record_id=rid, score=m.score, category="",
                            matched_on=matched_on, penalties=penalties))
        return hits


class SmvList(Vehicles):
    name: ClassVar[str] = "smv"
    model: ClassVar[type[SmvRecord]] = SmvRecord
    layout: EntriesLayout = LAYOUT

    def __init__(self) -> None:
        super().__init__("smv", SMV_TABLES, smv_verdict)


LIST = SmvList()
