"""The contract's principals and exactly what each may do, as data (contract v2).

Pure: `grants(settings, sites)` lists every ACL a deployment needs, so a test can
read the table without a broker and `provision` applies it. Rights are literal topic
names, or a principal's own prefix for its consumer groups and transactional ids
(Strimzi's and Confluent's multi-tenancy: nothing by wildcard). `admin` is a super
user of the broker and has no ACLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from screening.settings import Settings

DEFAULT_SITE = "default"
SITE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
# Roles other than the per-site ones; `admin` is the broker's super user.
SERVICE_ROLES = ("admin", "worker", "feed", "console", "auditor")
REDIS_USERS = ("admin", "worker", "console", "edge")

Resource = Literal["topic", "group", "transactional_id"]
Operation = Literal["read", "write", "describe"]
Pattern = Literal["literal", "prefixed"]


@dataclass(frozen=True, order=True)
class Grant:
    """Allow `principal` to `operation` the resource `name` (or every name it prefixes)."""

    principal: str
    resource: Resource
    name: str
    operation: Operation
    pattern: Pattern = "literal"


@dataclass(frozen=True)
class SiteTopics:
    traveller: str
    vehicle: str
    results: str
    instructions: str

    @property
    def scans(self) -> tuple[str, str]:
        return (self.traveller, self.vehicle)


def check_site(site: str) -> str:
    if not SITE_ID.fullmatch(site):
        raise ValueError(f"site id {site!r}: 1-32 characters of A-Z, a-z, 0-9, '_' and '-'")
    return site


def site_principal(site: str) -> str:
    return f"site-{check_site(site)}"


def edge_principal(site: str) -> str:
    """The principal of a site's edge (`screening edge`): the site's rights, and the
    list updates that keep its snapshot current."""
    return f"edge-{check_site(site)}"


def site_topics(settings: Settings, site: str) -> SiteTopics:
    """The site's own topics; the `default` site of a one-authority deployment uses v1's."""
    check_site(site)
    suffix = "" if site == DEFAULT_SITE else f".{site}"
    return SiteTopics(
        traveller=settings.topic(settings.topic_traveller + suffix),
        vehicle=settings.topic(settings.topic_vehicle + suffix),
        results=settings.topic(settings.topic_results + suffix),
        instructions=settings.topic(settings.topic_instructions + suffix))


def shared_topics(settings: Settings) -> dict[str, str]:
    """The deployment's topics that belong to no one site, by role in the contract."""
    return {name: settings.topic(getattr(settings, f"topic_{name}")) for name in (
        "alerts", "decisions", "updates", "deadletter", "control", "audit")}


def principals(sites: list[str]) -> list[str]:
    return [*SERVICE_ROLES, *(site_principal(s) for s in sites)]


def own_group_prefix(principal: str) -> str:
    """Consumer groups a principal may use: its name and a dot (`console.cli-1a2b`)."""
    return f"{principal}."


def grants(settings: Settings, sites: list[str], edges: tuple[str, ...] = ()) -> list[Grant]:
    """Every ACL of the deployment; `edges`: the sites that run an edge."""
    t = shared_topics(settings)
    out: list[Grant] = []

    def allow(principal: str, operation: Operation, *topics: str) -> None:
        out.extend(Grant(principal, "topic", name, operation) for name in topics)

    def own_groups(principal: str) -> None:
        out.append(Grant(principal, "group", own_group_prefix(principal), "read", "prefixed"))

    for site in sites:
        st, who = site_topics(settings, site), site_principal(site)
        allow(who, "write", *st.scans)
        allow(who, "read", st.results, st.instructions)
        own_groups(who)
        allow("worker", "read", *st.scans)
        allow("worker", "write", st.results, st.instructions)

    for site in edges:
        if site not in sites:
            raise ValueError(f"edge of site {site!r}, which is not declared")
        st, who = site_topics(settings, site), edge_principal(site)
        allow(who, "write", *st.scans)
        allow(who, "read", st.results, st.instructions, t["updates"], t["control"])
        # The edge's own instructions (the centre's answer differs from the offline
        # one) and the local alerts it raised while offline, forwarded once back.
        allow(who, "write", st.instructions, t["alerts"])
        own_groups(who)

    allow("worker", "read", t["updates"], t["decisions"], t["control"])
    allow("worker", "write", t["alerts"], t["deadletter"], t["audit"])
    # The worker's group is its app id (Faust's) and the live updates' one beside it;
    # its transactional ids (exactly_once) are Faust's "{group}-{topic group}-{partition}".
    out.append(Grant("worker", "group", settings.app_id, "read"))
    out.append(Grant("worker", "group", f"{settings.app_id}.watchlist-updates", "read"))
    out.append(Grant("worker", "transactional_id", f"{settings.app_id}-", "write", "prefixed"))
    out.append(Grant("worker", "transactional_id", f"{settings.app_id}-", "describe",
                     "prefixed"))

    allow("feed", "write", t["updates"])

    allow("console", "read", t["alerts"], t["decisions"])
    # The console's auditor view reads the audit on behalf of users with the auditor role
    # (console/users.py). Read on the audit topic alone: the view assigns partitions by
    # hand (audit/query.py), so no consumer group is needed for it.
    allow("console", "read", t["audit"])
    # The mode in force, for the console's banner and `screening mode show`: read by hand
    # from the start of the compacted topic (no group), as workers do.
    allow("console", "read", t["control"])
    allow("console", "write", t["decisions"], t["control"], t["audit"])
    for site in sites:
        allow("console", "write", site_topics(settings, site).instructions)
    own_groups("console")
    # A decision and the instruction it sends to the gate go in one transaction
    # (console/feed.py), under transactional ids of the console's own prefix.
    for operation in ("write", "describe"):
        out.append(Grant("console", "transactional_id", own_group_prefix("console"),
                         operation, "prefixed"))

    allow("auditor", "read", t["audit"])
    own_groups("auditor")
    return sorted(set(out))


@dataclass(frozen=True)
class TopicSpec:
    name: str
    retention_h: float
    compact: bool = False


def topic_specs(settings: Settings, sites: list[str]) -> list[TopicSpec]:
    """Every topic of the deployment with its retention (settings `retention_*_h`)."""
    s, t = settings, shared_topics(settings)
    specs = [TopicSpec(t["alerts"], s.retention_alerts_h),
             TopicSpec(t["decisions"], s.retention_alerts_h),
             TopicSpec(t["updates"], s.retention_updates_h),
             TopicSpec(t["deadletter"], s.retention_deadletter_h),
             TopicSpec(t["audit"], s.retention_audit_h),
             # The current mode is the last record of its key: compacted, kept.
             TopicSpec(t["control"], s.retention_audit_h, compact=True)]
    for site in sites:
        st = site_topics(settings, site)
        specs += [TopicSpec(st.traveller, s.retention_scans_h),
                  TopicSpec(st.vehicle, s.retention_scans_h),
                  TopicSpec(st.results, s.retention_results_h),
                  TopicSpec(st.instructions, s.retention_results_h)]
    return specs
