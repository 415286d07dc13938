"""The attribute prefilter: a notice's name-index entries carry the attributes the
ceiling needs (date of birth, nationalities, sex) so that a scan can drop most candidates
(a namesake born another day of the same year) before their profiles are fetched and
decoded. The payload is short ASCII: ``DOB;NAT,NAT;SEX`` (each part may be empty)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from screening.matching.person_evidence import (
    BirthDate,
    Prepared,
    attribute_ceiling,
    parse_dob,
    prepare,
)
from screening.matching.person_query import PersonQuery


def notice_attributes(profile: dict[str, Any]) -> str:
    """The payload of a notice's name-index entries (see ``could_hit``)."""
    dob = profile.get("dob") or ""
    nations = ",".join(profile.get("nat") or [])
    return f"{dob};{nations};{profile.get('sex') or ''}"


@lru_cache(maxsize=65536)
def _attributes(payload: str) -> tuple[BirthDate | None, list[str], str | None] | None:
    """A payload's date of birth (as weigh reads a profile's), nationalities and sex."""
    parts = payload.split(";")
    if len(parts) != 3:
        return None
    dob, nations, sex = parts
    return parse_dob(dob or None), nations.split(",") if nations else [], sex or None


def _worth(preps: list[Prepared], payload: str, threshold: float,
           with_possible: bool = False) -> bool:
    attrs = _attributes(payload) if payload else None
    if attrs is None:
        return True
    n_dob, nations, sex = attrs
    # A loop, not any(genexpr): this runs for most candidates of every scan.
    for p in preps:  # noqa: SIM110
        if attribute_ceiling(p, n_dob, nations, sex, with_possible) >= threshold:
            return True
    return False


def candidate_filter(queries: Sequence[PersonQuery], threshold: float, *,
                     with_possible: bool = False) -> Callable[[str], bool]:
    """For one scan: whether a name candidate whose entry carries this payload could hit
    any of the scan's persons (``could_hit``; ``with_possible``: as a possible match
    too), each payload judged once."""
    preps = [p for p in map(prepare, queries) if p is not None]
    seen: dict[str, bool] = {}

    def worth(payload: str) -> bool:
        ok = seen.get(payload)
        if ok is None:
            ok = seen[payload] = _worth(preps, payload, threshold, with_possible)
        return ok

    return worth


def could_hit(query: PersonQuery, payload: str, threshold: float, *,
              with_possible: bool = False) -> bool:
    """False only when ``score`` (given the same ``with_possible``) would reject a notice
    with these attributes whatever its names (the same ceiling, computed before names
    are compared). An empty or unknown payload (an index written before entries carried
    attributes) is always worth a look."""
    p = prepare(query)
    return p is not None and _worth([p], payload, threshold, with_possible)


__all__ = ["candidate_filter", "could_hit", "notice_attributes"]
