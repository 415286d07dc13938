"""What each incident profile changes: the priority of alerts, by list and category.

Pure: the scan agent applies the mode in force to a batch's alerts after deciding them,
so a switch changes the next scan's alerts, and `normal` is the lists' own priorities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from screening.models import Alert, Priority

# A category of any list: every hit of the list.
ANY = "*"


@dataclass(frozen=True)
class Profile:
    name: str
    # Shown to analysts (the console's banner; `screening mode show`).
    description: str
    # (list, category) -> priority; list `correlation` with a correlation code.
    priorities: Mapping[tuple[str, str], Priority] = field(default_factory=dict)

    def priority(self, alert: Alert) -> Priority:
        if alert.correlation is not None:
            key: tuple[str, str] = ("correlation", alert.correlation.code)
        else:
            key = (alert.hit.list, alert.hit.category)
        return (self.priorities.get(key)
                or self.priorities.get((key[0], ANY))
                or alert.priority)


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("dvi", "Disaster victim identification: unidentified bodies (black notices), "
            "missing persons (yellow notices, the event's missing-person list) first.",
            {("notice", "black"): "critical", ("notice", "yellow"): "critical",
             ("event", "missing_person"): "critical", ("event", "incident"): "critical"}),
    Profile("missing_persons", "Missing persons: yellow notices and the event's "
            "missing-person list first.",
            {("notice", "yellow"): "critical", ("event", "missing_person"): "critical",
             ("event", "incident"): "critical"}),
    Profile("crime", "Crime scene: the event's suspect lookouts, wanted persons, documents "
            "used twice at once and gates tried after a referral first.",
            {("event", "national_lookout"): "critical", ("event", "incident"): "critical",
             ("notice", "red"): "critical",
             ("correlation", "DOCUMENT_SIMULTANEOUS_USE"): "critical",
             ("correlation", "GATE_SHOPPING"): "critical"}),
)}


def apply_profile(profile: Profile | None, alerts: Iterable[Alert]) -> list[Alert]:
    """`alerts` with the profile's priorities (the same objects where nothing changes)."""
    if profile is None:
        return list(alerts)
    out = []
    for a in alerts:
        p = profile.priority(a)
        out.append(a if p == a.priority else a.model_copy(update={"priority": p}))
    return out
