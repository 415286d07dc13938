"""Sites: which checkpoints a site holds, which topic is whose, and SITE_MISMATCH."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from screening.core.engine import RawScan, Screener
from screening.security.roles import site_topics
from screening.settings import Settings
from screening.sites import Site, Sites, read_sites_file, topic_site

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SITES = Sites.of([Site("arena", frozenset({"arena-g1", "arena-g2"})), Site("port")])


@pytest.mark.parametrize(("site", "checkpoint", "held"), [
    ("arena", "arena-g1", True),
    ("arena", "arena-g3", False),          # declared checkpoints: only those
    ("arena", "port-1", False),
    ("port", "port-lane-4", True),          # none declared: the site id's prefix
    ("port", "arena-g1", False),
    ("default", "anything", True),          # the v1 topics' site holds every checkpoint
    ("unknown", "unknown-1", False),        # a site nobody declared holds nothing
])
def test_which_checkpoints_a_site_holds(site: str, checkpoint: str, held: bool) -> None:
    assert SITES.holds(site, checkpoint) is held


def test_topics_name_their_kind_and_site() -> None:
    s = Settings(topic_prefix="dep.")
    assert topic_site(s, "dep.scans.traveller") == ("traveller", "default")
    assert topic_site(s, "dep.scans.vehicle.arena") == ("vehicle", "arena")
    assert topic_site(s, "dep.screening.results.arena") is None
    assert topic_site(s, "scans.traveller.arena") is None      # another deployment's
    assert topic_site(s, "dep.scans.traveller.a.b") is None
    assert site_topics(s, "arena").results == "dep.screening.results.arena"
    assert site_topics(s, "default").results == "dep.screening.results"


def test_a_site_id_is_checked() -> None:
    for bad in ("", "a" * 33, "a.b", "a b", "ä"):
        with pytest.raises(ValueError):
            site_topics(Settings(), bad)


def test_registry_round_trip_and_sites_file(tmp_path) -> None:
    site = Site("arena", frozenset({"arena-g1"}), "Arena", 48.1, 11.5)
    assert Site.from_json("arena", site.to_json()) == site
    path = tmp_path / "sites.json"
    path.write_text('{"sites": {"arena": {"checkpoints": ["arena-g1"], "venue": "Arena", '
                    '"lat": 48.1, "lon": 11.5}, "port": {}}}')
    assert read_sites_file(path) == [site, Site("port")]


def _scan(checkpoint: str) -> bytes:
    return orjson.dumps({"event_id": "e1", "checkpoint_id": checkpoint, "terminal_id": "t1",
                         "scanned_at": "2026-11-28T11:59:59Z",
                         "document": {"number": "X1234567", "issuing_state": "UTO"}})


async def test_a_scan_from_another_sites_checkpoint_is_rejected(memory_store: Any) -> None:
    screener = Screener(memory_store, Settings(), clock=lambda: NOW)
    screener.sites = SITES
    own, foreign, v1 = await screener.screen([
        RawScan("traveller", _scan("arena-g1"), topic="scans.traveller.arena", site="arena"),
        RawScan("traveller", _scan("port-lane-1"), topic="scans.traveller.arena", site="arena"),
        RawScan("traveller", _scan("port-lane-1"), topic="scans.traveller", site="default")])
    assert own.result is not None and own.result.outcome == "hit"  # screened: a stolen one
    assert foreign.result is not None and foreign.result.outcome == "rejected"
    assert "SITE_MISMATCH" in foreign.result.warnings
    assert foreign.deadletter is not None and foreign.deadletter.reason.code == "SITE_MISMATCH"
    assert v1.result is not None and v1.result.outcome == "hit"
