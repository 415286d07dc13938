"""How a scan is answered from the SLTD: its document numbers, as scanned and as O/0, I/1
variants (matching/documents.py), each an exact look-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from screening.matching.documents import PENALTY_PER_SWAP, PENALTY_REASON, variant_score
from screening.models import Hit, Penalty, Priority
from screening.privacy import mask_document
from screening.watchlists.actions import instruction_for, lapsed
from screening.watchlists.base import Answers, Lookup, Match, RecordRef, Records, Screening
from screening.watchlists.sltd.compact import TABLE, SltdLayout
from screening.watchlists.sltd.record import SltdRecord

if TYPE_CHECKING:
    from screening.core.prepare import Prepared

PRIORITY: dict[str, Priority] = {
    "stolen": "high", "stolen_blank": "high", "revoked": "medium", "invalidated": "medium",
    "lost": "medium",
}


class SltdList:
    name: ClassVar[str] = "sltd"
    model: ClassVar[type[SltdRecord]] = SltdRecord
    layout = SltdLayout()

    def lookups(self, p: Prepared) -> list[Lookup]:
        return [(TABLE, f) for f in (*p.document_fields, *p.variant_fields)]

    def record_refs(self, p: Prepared, answers: Answers) -> list[RecordRef]:
        return []  # the entry says all a hit needs (status, type)

    def hits(self, p: Prepared, answers: Answers, records: Records,
             at: Screening) -> list[Match]:
        """The best hit per record: the number as scanned (no swaps) before a variant."""
        best: dict[str, Match] = {}
        fields = [(f, 0) for f in p.document_fields] + list(p.variant_fields.items())
        for fld, swaps in fields:
            score = variant_score(swaps)
            penalties = ([Penalty(reason=PENALTY_REASON, amount=round(PENALTY_PER_SWAP * swaps, 4))]
                         if swaps else [])
            for found in answers.get((TABLE, fld), ()):
                old = best.get(found.record_id)
                if old is not None and old.hit.score >= score:
                    continue
                # "status|type", then US action US owner US valid_until when it has them.
                head, *rest = found.payload.split("\x1f")
                status = head.split("|", 1)[0]
                action, owner, until = [*rest, "", "", ""][:3]
                if lapsed(until or None, at.now):
                    continue
                status = status or "unknown"
                number, _, state = fld.partition("|")
                hit = Hit(list="sltd", record_id=found.record_id, score=score, category=status,
                          matched_on=["document_number", "issuing_state"], penalties=penalties)
                # The record's number is the field it matched: as scanned or a variant.
                record = {"id": found.record_id, "status": status, "issuing_state": state,
                          "document_number": mask_document(number)}
                record.update({k: v for k, v in (("action", action), ("owner", owner),
                                                 ("valid_until", until)) if v})
                best[found.record_id] = Match(
                    hit, record, instruction_for(action or None, "SEIZE_DOCUMENT",
                                                 "SEIZE_DOCUMENT"),
                    PRIORITY.get(status, "medium"), action=action or None, owner=owner or None)
        return list(best.values())


LIST = SltdList()
