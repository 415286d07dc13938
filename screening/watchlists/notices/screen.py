"""How a traveller is answered from the notices: the document numbers the scan carries
(exact, and O/0, I/1 variants), and the names (blocking keys, then scoring against the
profile, matching/persons.py).

`Persons` is that procedure over any list of persons in the notices' layout; what a hit
is called and asks of the gate comes from the list (`Verdict`): event lists reuse it.
"""

from __future__ import annotations

from datetime import datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from screening.matching.documents import PENALTY_PER_SWAP, PENALTY_REASON, variant_score
from screening.matching.persons import candidate_filter
from screening.matching.persons import score as score_person
from screening.models import Bonus, Hit, Instruction, Penalty, Priority
from screening.privacy import mask_document
from screening.watchlists.actions import instruction_for, lapsed
from screening.watchlists.base import (
    Answers,
    Lookup,
    Match,
    RecordRef,
    Records,
    Screening,
    Verdict,
    keep_best,
)
from screening.watchlists.generic import EntriesLayout
from screening.watchlists.notices.layout import LAYOUT, NOTICE_TABLES, PersonTables
from screening.watchlists.notices.record import NoticeRecord

if TYPE_CHECKING:
    from screening.core.prepare import Prepared

PRIORITY: dict[str, Priority] = {
    "red": "critical", "orange": "critical", "yellow": "high", "un": "high",
    "blue": "medium", "green": "medium", "purple": "medium", "black": "medium",
}
# What a hit asks of the officer when its record names no action of its own: a yellow
# notice's missing person is protected (do not alarm), blue, green and purple notices ask
# for a discreet check (let pass, report the sighting); red, orange, UN and black
# notices: referral.
INSTRUCTION: dict[str, Instruction] = {
    "red": "REFER_SECONDARY", "orange": "REFER_SECONDARY", "un": "REFER_SECONDARY",
    "black": "REFER_SECONDARY", "yellow": "PROTECT_PERSON", "blue": "DISCREET_CHECK",
    "green": "DISCREET_CHECK", "purple": "DISCREET_CHECK"}


def notice_verdict(profile: dict[str, Any], now: datetime
                   ) -> tuple[str, Instruction, Priority] | None:
    """The colour names the hit; the notice's action, else its colour, the instruction."""
    record = profile.get("summary", {})
    if lapsed(record.get("valid_until"), now):
        return None
    colour = profile.get("colour", "unknown")
    instruction = instruction_for(record.get("action"),
                                  INSTRUCTION.get(colour, "REFER_SECONDARY"), "REFER_SECONDARY")
    return colour, instruction, PRIORITY.get(colour, "high")


def analyst_summary(profile: dict[str, Any] | None, record_id: str) -> dict[str, Any]:
    """What analysts see of a listed person: the record, its travel documents masked as
    SLTD numbers are (last 3 shown)."""
    summary: dict[str, Any] = (profile or {}).get("summary", {"id": record_id})
    if not summary.get("documents"):
        return summary
    return {**summary, "documents": [
        {**d, "number": mask_document(d.get("number"))} if isinstance(d, dict) else d
        for d in summary["documents"]]}


class Persons:
    """Screening a traveller against one list of persons kept in the notices' layout."""

    def __init__(self, list_name: str, tables: PersonTables, verdict: Verdict) -> None:
        self.list_name = list_name
        self.tables = tables
        self.verdict = verdict

    def lookups(self, p: Prepared) -> list[Lookup]:
        t = self.tables
        documents = repeat(t.documents)  # pairs made by zip: ~8 a traveller, per list
        return [*zip(documents, p.document_fields, strict=False),
                *zip(documents, p.variant_fields, strict=False),
                *zip(repeat(t.names), p.name_keys, strict=False)]

    def record_refs(self, p: Prepared, answers: Answers) -> list[RecordRef]:
        """The profiles behind the candidates, less the name candidates that scoring
        would reject on their attributes alone (their entries carry the record's date
        of birth, nationalities and sex)."""
        t = self.tables
        names, profiles, get = t.names, t.profiles, answers.get
        refs: list[RecordRef] = []
        worth = None
        for fld in p.name_keys:
            found = get((names, fld))
            if not found:  # most keys find nothing
                continue
            if p.threshold is None:
                refs += [(profiles, f.record_id) for f in found]
                continue
            if worth is None:
                worth = candidate_filter(p.persons, p.threshold, with_possible=True)
            refs += [(profiles, f.record_id) for f in found if worth(f.payload)]
        for fld in (*p.document_fields, *p.variant_fields):
            if found := get((t.documents, fld)):
                refs += [(profiles, f.record_id) for f in found]
        return refs

    def hits(self, p: Prepared, answers: Answers, records: Records,
             at: Screening) -> list[Match]:
        t = self.tables
        get = answers.get
        found: dict[str, Hit] = {}
        fields = [(f, 0) for f in p.document_fields] + list(p.variant_fields.items())
        for fld, swaps in fields:
            entries = get((t.documents, fld))
            if not entries:  # most numbers are on no list
                continue
            penalties = ([Penalty(reason=PENALTY_REASON, amount=round(PENALTY_PER_SWAP * swaps, 4))]
                         if swaps else [])
            for entry in entries:
                keep_best(found, Hit(list=self.list_name, record_id=entry.record_id,
                                 score=variant_score(swaps), category="",
                                 matched_on=["document_number", "issuing_state"],
                                 penalties=penalties))
        names = t.names
        candidates = {e.record_id for k in p.name_keys if (entries := get((names, k)))
                      for e in entries}
        if not candidates and not found:  # the common case: nothing to answer
            return []
        possible: dict[str, Hit] = {}  # name matches too weak for the gate
        for rid in sorted(candidates):
            profile = records.get((t.profiles, rid))
            if profile is None:
                continue  # removed between the two round trips, or not worth fetching
            for person in p.persons:
                m = score_person(person, profile, at.threshold, with_possible=True)
                if m is not None:
                    keep_best(possible if m.tier == "possible" else found, Hit(
                        list=self.list_name, record_id=rid, score=round(m.score, 4),
                        category="", matched_on=list(m.matched_on),
                        matched_alias=m.matched_alias,
                        penalties=[Penalty(reason=r, amount=a) for r, a in m.penalties],
                        name_similarity=m.name_similarity,
                        bonuses=[Bonus(reason=r, amount=a) for r, a in m.bonuses]))
        out = []
        # A record referred on any ground (a document, another person's name) is a
        # referral; one only possibly matched asks nothing of the gate.
        only_possible = {rid: hit for rid, hit in possible.items() if rid not in found}
        tiers: list[tuple[dict[str, Hit], Literal["referral", "possible"]]] = [
            (found, "referral"), (only_possible, "possible")]
        for hits, tier in tiers:
            for rid, hit in hits.items():
                profile = records.get((t.profiles, rid))
                verdict = self.verdict(profile or {}, at.now)
                if verdict is None:
                    continue
                category, instruction, priority = verdict
                if tier == "possible":
                    instruction, priority = "PROCEED", "low"
                record = analyst_summary(profile, rid)
                out.append(Match(hit.model_copy(update={"category": category}), record,
                                 instruction, priority, action=record.get("action"),
                                 owner=record.get("owner"), tier=tier))
        return out


class NoticeList(Persons):
    name: ClassVar[str] = "notice"
    model: ClassVar[type[NoticeRecord]] = NoticeRecord
    layout: EntriesLayout = LAYOUT

    def __init__(self) -> None:
        super().__init__("notice", NOTICE_TABLES, notice_verdict)


LIST = NoticeList()
