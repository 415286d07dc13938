"""Sites: groups of checkpoints under one authority, each with topics of its own (contract v2).

A site is declared in configuration (`SCREENING_SITES_FILE`, JSON) or with `screening
security add-site`; either way it is recorded in Redis (`{prefix}:sites`, one field a
site), where every worker reads it and follows new sites without a restart. The site
`default` uses the v1 topics and holds every checkpoint: a deployment with one
authority needs no site at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.security.roles import DEFAULT_SITE, check_site
from screening.settings import Settings

KINDS = ("traveller", "vehicle")


@dataclass(frozen=True)
class Site:
    id: str
    # Checkpoint ids of the site; empty: every id that starts with the site's id.
    checkpoints: frozenset[str] = frozenset()
    venue: str | None = None
    lat: float | None = None
    lon: float | None = None

    def holds(self, checkpoint_id: str) -> bool:
        if self.id == DEFAULT_SITE:
            return True
        if self.checkpoints:
            return checkpoint_id in self.checkpoints
        return checkpoint_id.startswith(self.id)

    def to_json(self) -> str:
        body: dict[str, Any] = {"checkpoints": sorted(self.checkpoints)}
        for name in ("venue", "lat", "lon"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        return json.dumps(body, sort_keys=True)

    @classmethod
    def from_json(cls, site_id: str, text: str | bytes) -> Site:
        body = json.loads(text)
        return cls(id=check_site(site_id), checkpoints=frozenset(body.get("checkpoints", ())),
                   venue=body.get("venue"), lat=body.get("lat"), lon=body.get("lon"))


@dataclass(frozen=True)
class Sites:
    """The declared sites; `default` is always there."""

    by_id: dict[str, Site] = field(default_factory=lambda: {DEFAULT_SITE: Site(DEFAULT_SITE)})

    def __iter__(self) -> Iterator[Site]:
        return iter(self.by_id.values())

    def ids(self) -> list[str]:
        return sorted(self.by_id)

    def holds(self, site_id: str, checkpoint_id: str) -> bool:
        site = self.by_id.get(site_id)
        return site is not None and site.holds(checkpoint_id)

    @classmethod
    def of(cls, sites: list[Site]) -> Sites:
        by_id = {DEFAULT_SITE: Site(DEFAULT_SITE)}
        by_id.update((s.id, s) for s in sites)
        return cls(by_id)


def registry_key(settings: Settings) -> str:
    return f"{{{settings.redis_prefix}}}:sites"


async def load_registry(redis: Any, settings: Settings) -> Sites:
    raw = await redis.hgetall(registry_key(settings))
    sites = []
    for key, value in raw.items():
        site_id = key.decode() if isinstance(key, bytes) else key
        sites.append(Site.from_json(site_id, value))
    return Sites.of(sites)


async def read_registry(settings: Settings) -> Sites:
    """The registry with a client of its own (a worker's start, the simulator)."""
    from screening.redis_client import make_redis

    redis = make_redis(settings)
    try:
        return await load_registry(redis, settings)
    finally:
        await redis.aclose()


async def record_site(redis: Any, settings: Settings, site: Site) -> None:
    await redis.hset(registry_key(settings), site.id, site.to_json())


def read_sites_file(path: Path) -> list[Site]:
    """`{"sites": {"venue-a": {"checkpoints": ["venue-a-g1"], "venue": "...", "lat": ..,
    "lon": ..}}}`: the declared sites of a deployment (config/sites.example.json)."""
    body = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Site.from_json(site_id, json.dumps(spec))
            for site_id, spec in body.get("sites", {}).items()]


def scan_topic_pattern(settings: Settings) -> re.Pattern[str]:
    """Scan topics of every site: `<prefix>scans.traveller[.<site>]` and vehicles alike."""
    names = "|".join(re.escape(getattr(settings, f"topic_{k}")) for k in KINDS)
    site = r"(?:\.([A-Za-z0-9_-]{1,32}))?"
    return re.compile(rf"^{re.escape(settings.topic_prefix)}({names}){site}$")


def topic_site(settings: Settings, topic: str) -> tuple[str, str] | None:
    """(kind, site) of a scan topic, None for any other topic."""
    match = scan_topic_pattern(settings).match(topic)
    if match is None:
        return None
    base, site = match.group(1), match.group(2) or DEFAULT_SITE
    kind = next(k for k in KINDS if getattr(settings, f"topic_{k}") == base)
    return kind, site
