"""The four patterns as tables of scripted sightings: each fires for its pattern and
not for its near misses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from screening.correlation.rules import Windows, distance_km, findings
from screening.correlation.sightings import Sighting
from screening.sites import Site, Sites

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC).timestamp()
# Arena and airport about 19 km apart: 14 min at 80 km/h.
SITES = Sites.of([
    Site("arena", frozenset({"arena-n", "arena-s"}), "National Arena", 48.2188, 11.6247),
    Site("airport", frozenset({"air-1"}), "Airport T2", 48.3538, 11.7861),
    Site("annex", frozenset({"annex-1"}), "National Arena", None, None),
])
W = Windows(travel_kmh=80, same_venue_s=60, gate_shopping_s=1800, person_s=14 * 86400,
            plate_s=14 * 86400)


def s(event: str, checkpoint: str, site: str | None, minutes: float, *,
      referred: bool = False, document: str | None = None, vin: str | None = None) -> Sighting:
    return Sighting(event, checkpoint, f"t-{checkpoint}", site, T0 + minutes * 60, referred,
                    document, vin)


def codes(kind: str, new: Sighting, *others: Sighting) -> list[str]:
    return [f.code for f in findings(kind, new, others, SITES, W)]  # type: ignore[arg-type]


def test_the_distance_between_the_sites_is_the_great_circle_one() -> None:
    assert distance_km((48.2188, 11.6247), (48.3538, 11.7861)) == pytest.approx(19.2, abs=0.3)


@pytest.mark.parametrize(("earlier", "later", "expected"), [
    # Airport then arena 5 min later: 19 km cannot be covered in 5 min at 80 km/h.
    (s("a", "air-1", "airport", 0), s("b", "arena-n", "arena", 5),
     ["DOCUMENT_SIMULTANEOUS_USE"]),
    # Near miss: 20 min apart, the trip takes 14: possible.
    (s("a", "air-1", "airport", 0), s("b", "arena-n", "arena", 20), []),
    # Two gates of one venue 30 s apart: impossible; 10 min apart: a walk.
    (s("a", "arena-n", "arena", 0), s("b", "arena-s", "arena", 0.5),
     ["DOCUMENT_SIMULTANEOUS_USE"]),
    (s("a", "arena-n", "arena", 0), s("b", "arena-s", "arena", 10), []),
    # Another site of the same venue name counts as the venue.
    (s("a", "arena-n", "arena", 0), s("b", "annex-1", "annex", 0.5),
     ["DOCUMENT_SIMULTANEOUS_USE"]),
    # One gate twice (a rescan) is nothing.
    (s("a", "arena-n", "arena", 0), s("b", "arena-n", "arena", 0.1), []),
    # A site without coordinates, and not the same venue: nothing to judge by.
    (s("a", "air-1", "airport", 0), s("b", "annex-1", "annex", 1), []),
])
def test_document_simultaneous_use(earlier: Sighting, later: Sighting,
                                   expected: list[str]) -> None:
    assert codes("document", later, earlier) == expected
    # Whichever of the two is processed second finds it.
    assert codes("document", earlier, later) == expected


@pytest.mark.parametrize(("earlier", "later", "expected"), [
    (s("a", "arena-n", "arena", 0, referred=True), s("b", "arena-s", "arena", 12),
     ["GATE_SHOPPING"]),
    # Near misses: not referred; referred but back at the same gate; past the window.
    (s("a", "arena-n", "arena", 0), s("b", "arena-s", "arena", 12), []),
    (s("a", "arena-n", "arena", 0, referred=True), s("b", "arena-n", "arena", 12), []),
    (s("a", "arena-n", "arena", 0, referred=True), s("b", "arena-s", "arena", 31), []),
    # Referred at the later gate only: they went in first, then were stopped.
    (s("a", "arena-n", "arena", 0), s("b", "arena-s", "arena", 12, referred=True), []),
])
def test_gate_shopping(earlier: Sighting, later: Sighting, expected: list[str]) -> None:
    assert codes("person", later, earlier) == expected
    assert codes("person", earlier, later) == expected


def test_person_with_two_documents_and_its_near_misses() -> None:
    first = s("a", "arena-n", "arena", 0, document="document:X")
    assert codes("person", s("b", "air-1", "airport", 600, document="document:Y"), first) == [
        "PERSON_MULTIPLE_DOCUMENTS"]
    assert codes("person", s("b", "air-1", "airport", 600, document="document:X"), first) == []
    assert codes("person", s("b", "air-1", "airport", 600), first) == []
    # Past the event's window (14 days).
    assert codes("person", s("b", "air-1", "airport", 15 * 1440, document="document:Y"),
                 first) == []


def test_plate_with_another_vin_and_its_near_misses() -> None:
    first = s("a", "arena-n", "arena", 0, vin="vin:1")
    assert codes("plate", s("b", "air-1", "airport", 60, vin="vin:2"), first) == [
        "PLATE_VIN_MISMATCH"]
    assert codes("plate", s("b", "air-1", "airport", 60, vin="vin:1"), first) == []
    assert codes("plate", s("b", "air-1", "airport", 60), first) == []  # plate read alone


def test_a_scan_replayed_is_no_pattern_with_itself() -> None:
    a = s("a", "arena-n", "arena", 0, referred=True, document="document:X")
    assert codes("document", a, a) == []
    assert codes("person", a, a) == []


def test_the_explanation_says_where_when_and_why() -> None:
    [f] = findings("document", s("b", "arena-n", "arena", 5),
                   [s("a", "air-1", "airport", 0)], SITES, W)
    assert (f.earlier.event_id, f.later.event_id) == ("a", "b")
    assert "air-1 (airport)" in f.explanation and "arena-n (arena)" in f.explanation
    assert "5 min apart" in f.explanation and "14 min at 80 km/h" in f.explanation
