"""`screening purge --before T`: what the deployment keeps about people, deleted after
the event (issue 21, minimisation).

From every topic the deployment owns (each site's scans, results and instructions,
alerts, decisions, dead letters, watchlist updates) the records older than T are deleted
with the broker's delete-records (the log start moves past them), and every retired
watchlist version in Redis is dropped. The audit topic is kept for its legal term and
the mode topic is tiny: neither is purged. A `purge` audit record says who purged what.
Runs as `admin`, the one principal the ACLs let delete records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from screening.security import roles
from screening.security.provision import TIMEOUT_S
from screening.settings import Settings

KEPT = ("audit", "control")


@dataclass
class PurgeReport:
    records: dict[str, int] = field(default_factory=dict)  # topic -> records deleted
    versions: list[str] = field(default_factory=list)       # retired list versions dropped

    @property
    def total(self) -> int:
        return sum(self.records.values())


def purged_topics(settings: Settings, sites: list[str]) -> list[str]:
    kept = {settings.topic(getattr(settings, f"topic_{name}")) for name in KEPT}
    return [t.name for t in roles.topic_specs(settings, sites) if t.name not in kept]


def _offsets(admin: AdminClient, tps: list[TopicPartition], spec: OffsetSpec) -> dict[
        tuple[str, int], int]:
    futures = admin.list_offsets({tp: spec for tp in tps}, request_timeout=TIMEOUT_S)
    return {(tp.topic, tp.partition): f.result(timeout=TIMEOUT_S).offset
            for tp, f in futures.items()}


def purge_topics(admin: AdminClient, topics: list[str], before: datetime,
                 *, dry_run: bool = False) -> dict[str, int]:
    """Deletes every record older than `before`; returns how many per topic."""
    metadata = admin.list_topics(timeout=TIMEOUT_S)
    tps = [TopicPartition(t, p) for t in topics if t in metadata.topics
           for p in metadata.topics[t].partitions]
    if not tps:
        return {}
    earliest = _offsets(admin, tps, OffsetSpec.earliest())
    latest = _offsets(admin, tps, OffsetSpec.latest())
    at = _offsets(admin, tps, OffsetSpec.for_timestamp(int(before.timestamp() * 1000)))
    cut: list[TopicPartition] = []
    counts: dict[str, int] = {}
    for tp in tps:
        key = (tp.topic, tp.partition)
        # -1: no record at or after `before`, so every record is older.
        upto = latest[key] if at[key] < 0 else at[key]
        if upto > earliest[key]:
            cut.append(TopicPartition(tp.topic, tp.partition, upto))
            counts[tp.topic] = counts.get(tp.topic, 0) + upto - earliest[key]
    if cut and not dry_run:
        for future in admin.delete_records(cut, request_timeout=TIMEOUT_S).values():
            future.result(timeout=TIMEOUT_S)
    return counts
