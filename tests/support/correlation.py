"""Correlation without Redis: the state script's behaviour in memory (file once per
event id, return the key's others), for the correlator's unit tests; and scripted
scans for the tests that correlate through a real worker."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from screening.correlation.sightings import Filed, Sighting

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class MemoryCorrelationState:
    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Sighting]] = {}

    async def observe(self, filed: Sequence[Filed], ttl_s: Sequence[float],
                      window_s: Sequence[float]) -> list[list[Sighting]]:
        out = []
        for f in filed:
            held = self.keys.setdefault(f.key, {})
            held.setdefault(f.sighting.event_id, f.sighting)
            out.append([s for e, s in held.items() if e != f.sighting.event_id])
        return out


def at(minutes: float, t0: datetime = T0) -> str:
    """`t0` plus `minutes`, as a scan's scanned_at."""
    return (t0 + timedelta(minutes=minutes)).isoformat()


def traveller(checkpoint: str, minutes: float, *, number: str, surname: str = "NOVAK",
              given: str = "JANA", dob: str = "1990-04-02", nationality: str = "CZE",
              state: str = "CZE", event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or uuid.uuid4().hex, "checkpoint_id": checkpoint,
            "terminal_id": f"t-{checkpoint}", "scanned_at": at(minutes),
            "document": {"number": number, "issuing_state": state},
            "holder": {"surname": surname, "given_names": given, "date_of_birth": dob,
                       "nationality": nationality}}


def vehicle(checkpoint: str, minutes: float, *, plate: str, vin: str | None,
            event_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"plate": plate, "plate_country": "D"}
    if vin is not None:
        body["vin"] = vin
    return {"event_id": event_id or uuid.uuid4().hex, "checkpoint_id": checkpoint,
            "terminal_id": f"t-{checkpoint}", "scanned_at": at(minutes), "vehicle": body}


def raw(scan: dict[str, Any]) -> bytes:
    return orjson.dumps(scan)


# -- through a real worker (tests/integration/test_correlation.py) --

# Sites with coordinates: the airport is 19.2 km from the arena.
SITES = {
    "arena": {"venue": "National Arena", "lat": 48.2188, "lon": 11.6247,
              "checkpoints": ["arena-n", "arena-s"]},
    "airport": {"venue": "Airport T2", "lat": 48.3538, "lon": 11.7861,
                "checkpoints": ["air-1"]},
}
SITE_OF = {cp: site for site, spec in SITES.items() for cp in spec["checkpoints"]}
# A stolen passport (its holder is referred at the gate), appended to the mock lists.
STOLEN = [{"list": "sltd", "id": f"S-CORR{i}", "document_number": number,
           "issuing_state": "FRA", "document_type": "P", "status": "stolen",
           "reported_at": "2026-01-01"} for i, number in enumerate(("K7Q3M9X2P", "K7Q3M9X3R"))]


def provision_sites(settings: Any) -> None:
    """The run's per-site topics and ACLs, and the sites in the registry the worker reads
    at start (as `screening security add-site` would)."""
    import asyncio

    from screening.redis_client import make_redis
    from screening.security.provision import apply
    from screening.security.roles import DEFAULT_SITE
    from screening.sites import Site, record_site

    apply(settings, [DEFAULT_SITE, *SITES], users=False)

    async def record() -> None:
        redis = make_redis(settings)
        try:
            for site_id, spec in SITES.items():
                await record_site(redis, settings, Site.from_json(site_id, orjson.dumps(spec)))
        finally:
            await redis.aclose()

    asyncio.run(record())


def load_lists(settings: Any, out: Any, extra: list[dict[str, Any]] | None = None) -> None:
    """A few mock records of each list and `extra` (default: the STOLEN passports),
    signed and loaded."""
    import subprocess

    from screening.mockdata.lists import generate_lists
    from tests.support.feed import sign_files
    from tests.support.services import env_for, screening_cmd

    paths = generate_lists(out, sltd=20, notices=5, smv=5, event=5, seed=23)
    for record in STOLEN if extra is None else extra:
        path = paths[record["list"]]
        path.write_bytes(path.read_bytes() + orjson.dumps(record) + b"\n")
    sign_files(paths.values())
    done = subprocess.run(screening_cmd("watchlists", "load", "--quiet",
                                        *map(str, paths.values())),
                          env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


class Gates:
    """Checkpoint terminals of the SITES: each scan goes to its checkpoint's site topic;
    results are read back from every site's results topic."""

    def __init__(self, settings: Any) -> None:
        from screening.security.roles import site_topics
        from tests.support.terminal import Terminal

        self.settings = settings
        self.topics = {site: site_topics(settings, site) for site in SITES}
        # The clients and the reading of results are a terminal's, on every site's topics.
        self.terminal = Terminal(settings, "gates",
                                 results=[t.results for t in self.topics.values()])
        self.producer = self.terminal.producer

    async def __aenter__(self) -> Gates:
        await self.terminal.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.terminal.__aexit__(*exc)

    async def send(self, *scans: dict[str, Any]) -> None:
        for scan in scans:
            st = self.topics[SITE_OF[scan["checkpoint_id"]]]
            topic = st.vehicle if "vehicle" in scan else st.traveller
            await self.producer.send_and_wait(topic, raw(scan),
                                              key=scan["terminal_id"].encode())

    async def send_update(self, record: dict[str, Any]) -> dict[str, Any]:
        """A signed upsert of `record` on the updates topic; the update as sent."""
        from tests.support.feed import signed_dict

        update = signed_dict({"update_id": uuid.uuid4().hex, "op": "upsert",
                              "issued_at": datetime.now(UTC).isoformat(), "record": record})
        s = self.settings
        await self.producer.send_and_wait(s.topic(s.topic_updates), orjson.dumps(update),
                                          key=f"{record['list']}:{record['id']}".encode())
        return update

    async def answered(self, *scans: dict[str, Any], within_s: float = 60) -> list[Any]:
        """The results of `scans` (in their order), once every one has arrived."""
        await self.terminal.wait({s["event_id"] for s in scans}, within_s=within_s)
        return [self.terminal.results[s["event_id"]] for s in scans]


async def correlation_alerts(settings: Any, *, until: int, settle: float = 3.0,
                             within_s: float = 30.0) -> list[dict[str, Any]]:
    """Every correlation alert message on the run's alerts topic (repeats included)."""
    from tests.support.services import collect

    messages = await collect(settings, settings.topic_alerts, until=until, timeout=within_s,
                             settle=settle)
    alerts = [orjson.loads(m.value) for m in messages]
    return [a for a in alerts if a.get("kind") == "correlation"]
