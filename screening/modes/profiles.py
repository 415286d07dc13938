"""What each incident profile changes: the priority of alerts, by list and category, and
which lists alert at all.

Some lists are loaded for an incident and mean nothing outside it: the event list's
`suspect_lookout` entries (a crime scene's descriptions of suspects) and its `incident`
entries (the people an incident has made missing). They are *dormant*: screened, but
never a hit, until a profile that activates them is in force. Every other list and
colour alerts in every mode; a profile only raises its priority.

Pure: the scan agent hands the screener the lists dormant under the mode in force and
applies its priorities to a batch's alerts after deciding them, so a switch changes the
next scan's answer and alerts, and `normal` is the lists' own.
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
    # (list, category) of dormant lists this profile makes alert.
    activates: frozenset[tuple[str, str]] = frozenset()

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
             ("event", "missing_person"): "critical", ("event", "incident"): "critical"},
            frozenset({("event", "incident")})),
    Profile("missing_persons", "Missing persons: yellow notices and the event's "
            "missing-person list first.",
            {("notice", "yellow"): "critical", ("event", "missing_person"): "critical",
             ("event", "incident"): "critical"},
            frozenset({("event", "incident")})),
    Profile("crime", "Crime scene: the event's suspect lookouts, wanted persons, documents "
            "used twice at once and gates tried after a referral first.",
            {("event", "national_lookout"): "critical", ("event", "incident"): "critical",
             ("event", "suspect_lookout"): "critical", ("notice", "red"): "critical",
             ("correlation", "DOCUMENT_SIMULTANEOUS_USE"): "critical",
             ("correlation", "GATE_SHOPPING"): "critical"},
            frozenset({("event", "suspect_lookout"), ("event", "incident")})),
)}

# Lists that alert only under a profile that activates them (see the module's text).
DORMANT: frozenset[tuple[str, str]] = frozenset().union(
    *(p.activates for p in PROFILES.values()))


def dormant(profile: Profile | None) -> frozenset[tuple[str, str]]:
    """(list, category) that are no hit while `profile` (None: normal mode) is in force."""
    return DORMANT - profile.activates if profile is not None else DORMANT


def apply_profile(profile: Profile | None, alerts: Iterable[Alert]) -> list[Alert]:
    """`alerts` with the profile's priorities (the same objects where nothing changes)."""
    if profile is None:
        return list(alerts)
    out = []
    for a in alerts:
        p = profile.priority(a)
        out.append(a if p == a.priority else a.model_copy(update={"priority": p}))
    return out
