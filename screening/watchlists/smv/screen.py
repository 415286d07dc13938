"""How a vehicle is answered from the stolen-vehicle list: the VIN exactly (and its one
correction when read with I, O or Q), the plate by OCR-tolerant keys, then scored
against the record's plate and country (matching/plates.py).

`Vehicles` is that procedure over any list of vehicles in this layout; what a hit is
called and asks of the gate comes from the list (`Verdict`): event lists reuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from screening.matching.normalize import canonical_country
from screening.matching.plates import match_plate
from screening.matching.vin import PENALTY_PER_CORRECTION, normalize_vin
from screening.matching.vin import PENALTY_REASON as VIN_CORRECTED
from screening.models import Hit, Instruction, Penalty, Priority
from screening.watchlists.actions import instruction_for, lapsed
from screening.watchlists.base import (
    Answers,
    Found,
    Lookup,
    Match,
    RecordRef,
    Records,
    Screening,
    Verdict,
    keep_best,
)
from screening.watchlists.smv.compact import PLATE_LOOKUP, RECORD_REF, VIN_LOOKUP, SmvLayout
from screening.watchlists.smv.layout import VehicleTables
from screening.watchlists.smv.record import SmvRecord

if TYPE_CHECKING:
    from screening.core.prepare import Prepared


def smv_verdict(record: dict[str, Any], now: datetime) -> tuple[str, Instruction, Priority] | None:
    if lapsed(record.get("valid_until"), now):
        return None
    return ("stolen_vehicle", instruction_for(record.get("action"), "HOLD_VEHICLE",
                                              "HOLD_VEHICLE"), "high")


# The entries of a look-up's answer that are its key's (a packed layout's field holds
# other keys' entries too: SmvLayout.narrow).
Narrow = Callable[[Lookup, Sequence[Found]], Sequence[Found]]


def _all(lookup: Lookup, found: Sequence[Found]) -> Sequence[Found]:
    return found


class Vehicles:
    """Screening a vehicle against one list of vehicles kept in the SMV's layout."""

    def __init__(self, list_name: str, tables: VehicleTables, verdict: Verdict,
                 narrow: Narrow = _all) -> None:
        self.list_name = list_name
        self.tables = tables
        self.verdict = verdict
        self.narrow = narrow

    def _answer(self, answers: Answers, lookup: Lookup) -> Sequence[Found]:
        return self.narrow(lookup, answers.get(lookup, ()))

    def lookups(self, p: Prepared) -> list[Lookup]:
        t = self.tables
        out = [(t.vins, p.vin)] if p.vin else []
        if p.vin_corrected is not None:
            out.append((t.vins, p.vin_corrected[0]))
        return out + [(t.plates, k) for k in p.plate_keys]

    def record_refs(self, p: Prepared, answers: Answers) -> list[RecordRef]:
        t = self.tables
        return [(t.records, f.record_id) for lookup in p.lookups
                if lookup[0] in (t.vins, t.plates) for f in self._answer(answers, lookup)]

    def hits(self, p: Prepared, answers: Answers, records: Records,
             at: Screening) -> list[Match]:
        """Candidates are verified against their records (a VIN equal, a plate matched in
        its country): an index entry alone is never a hit, so short digests are safe."""
        t = self.tables
        found: dict[str, Hit] = {}
        bodies: dict[str, dict[str, Any]] = {}
        vins = [(p.vin, 0)] if p.vin else []
        if p.vin_corrected is not None:
            vins.append(p.vin_corrected)
        for vin, changed in vins:
            amount = round(PENALTY_PER_CORRECTION * changed, 4)
            penalties = [Penalty(reason=VIN_CORRECTED, amount=amount)] if changed else []
            for body in self._bodies(self._answer(answers, (t.vins, vin)), records):
                if normalize_vin(body.get("vin") or "") != vin:
                    continue  # a digest shared with another VIN
                bodies[body["id"]] = body
                keep_best(found, Hit(list=self.list_name, record_id=body["id"],
                                     score=round(max(0.0, 1.0 - amount), 4), category="",
                                     matched_on=["vin"], penalties=penalties))
        if p.plate:
            candidates = [f for k in p.plate_keys for f in self._answer(answers, (t.plates, k))]
            for body in self._bodies(candidates, records):
                hit = self._plate_hit(p, body)
                if hit is not None:
                    bodies[body["id"]] = body
                    keep_best(found, hit)
        out = []
        for rid, hit in sorted(found.items()):
            body = bodies[rid]
            verdict = self.verdict(body, at.now)
            if verdict is None:
                continue
            category, instruction, priority = verdict
            record = {k: v for k, v in body.items() if k != "also"}
            out.append(Match(hit.model_copy(update={"category": category}), record,
                             instruction, priority, action=record.get("action"),
                             owner=record.get("owner")))
        return out

    def _bodies(self, entries: Iterable[Found], records: Records) -> list[dict[str, Any]]:
        """The records behind index entries, each once (a record field may hold several
        records whose digests met: smv/compact.py)."""
        out: dict[str, dict[str, Any]] = {}
        for entry in entries:
            record = records.get((self.tables.records, entry.record_id))
            if record is None:
                continue  # removed between the two round trips
            for body in (record, *record.get("also", ())):
                if body.get("id"):
                    out.setdefault(body["id"], body)
        return [out[k] for k in sorted(out)]

    def _plate_hit(self, p: Prepared, rec: dict[str, Any]) -> Hit | None:
        assert p.plate is not None
        if not rec.get("plate"):
            return None
        scan_country, rec_country = p.plate_country, rec.get("plate_country")
        if (scan_country and rec_country
                and canonical_country(rec_country) != canonical_country(scan_country)):
            return None
        m = match_plate(p.plate, rec["plate"], low_confidence=p.low_confidence)
        if m is None:
            return None
        penalties = []
        if m.substitutions:
            penalties.append(Penalty(reason="plate_ocr_substitution",
                                     amount=round(0.05 * m.substitutions, 4)))
        if m.length_changed:
            penalties.append(Penalty(reason="plate_character_missing_or_extra", amount=0.1))
        matched_on = ["plate"] + (["plate_country"] if scan_country and rec_country else [])
        return Hit(list=self.list_name, record_id=rec["id"], score=m.score, category="",
                   matched_on=matched_on, penalties=penalties)


class SmvList(Vehicles):
    name: ClassVar[str] = "smv"
    model: ClassVar[type[SmvRecord]] = SmvRecord
    layout = SmvLayout()

    def __init__(self) -> None:
        super().__init__("smv", VehicleTables(VIN_LOOKUP, PLATE_LOOKUP, RECORD_REF),
                         smv_verdict, self.layout.narrow)


LIST = SmvList()
