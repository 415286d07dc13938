"""Applies principals, topics and ACLs to a running broker, as `admin` (confluent-kafka).

aiokafka's admin client has no SCRAM or ACL calls; confluent-kafka's AdminClient
(librdkafka, shipped in its wheel) has both, and is used for nothing else. Every step
is idempotent: SCRAM credentials are upserted, existing topics get their configuration
set again, an ACL that exists is left as it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from screening.security.clients import librdkafka_config
from screening.security.roles import Grant, TopicSpec
from screening.settings import Settings

TIMEOUT_S = 30.0
SCRAM_ITERATIONS = 8192

_RESOURCE = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP,
             "transactional_id": ResourceType.TRANSACTIONAL_ID}
_OPERATION = {"read": AclOperation.READ, "write": AclOperation.WRITE,
              "describe": AclOperation.DESCRIBE}
_PATTERN = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}


@dataclass
class Report:
    users: list[str] = field(default_factory=list)
    topics_created: list[str] = field(default_factory=list)
    topics_configured: list[str] = field(default_factory=list)
    acls: int = 0


def admin_client(settings: Settings) -> AdminClient:
    return AdminClient({**librdkafka_config(settings), "socket.timeout.ms": 10_000})


def _wait(futures: dict[Any, Any], what: str) -> None:
    for key, future in futures.items():
        try:
            future.result(timeout=TIMEOUT_S)
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            if isinstance(error, KafkaError) and error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            raise KafkaException(f"{what} {key}: {exc}") from None


def upsert_users(admin: AdminClient, passwords: dict[str, str]) -> list[str]:
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    upserts: list[Any] = [UserScramCredentialUpsertion(user, info, password.encode())
               for user, password in sorted(passwords.items())]
    if upserts:
        _wait(admin.alter_user_scram_credentials(upserts), "SCRAM user")
    return sorted(passwords)


def _topic_config(spec: TopicSpec) -> dict[str, str]:
    config = {"retention.ms": str(int(spec.retention_h * 3600 * 1000))}
    if spec.compact:
        config["cleanup.policy"] = "compact"
    return config


def ensure_topics(admin: AdminClient, specs: Iterable[TopicSpec], partitions: int,
                  replication: int) -> tuple[list[str], list[str]]:
    """Creates the missing topics and sets every topic's configuration as the specs say."""
    specs = list(specs)
    existing = set(admin.list_topics(timeout=TIMEOUT_S).topics)
    new = [s for s in specs if s.name not in existing]
    if new:
        _wait(admin.create_topics([NewTopic(s.name, partitions, replication,
                                            config=_topic_config(s)) for s in new],
                                  operation_timeout=TIMEOUT_S), "topic")
    old = [s for s in specs if s.name in existing]
    if old:
        resources = [ConfigResource(ResourceType.TOPIC, s.name, incremental_configs=[
            ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
            for k, v in _topic_config(s).items()]) for s in old]
        _wait(admin.incremental_alter_configs(resources), "topic config")
    return [s.name for s in new], [s.name for s in old]


def acl_binding(grant: Grant) -> AclBinding:
    return AclBinding(_RESOURCE[grant.resource], grant.name, _PATTERN[grant.pattern],
                      f"User:{grant.principal}", "*", _OPERATION[grant.operation],
                      AclPermissionType.ALLOW)


def create_acls(admin: AdminClient, grants: Iterable[Grant]) -> int:
    """Creates the ACLs and returns once the broker enforces them: the controller
    commits them at once, the broker's authorizer a moment later (about a second on a
    busy machine), and a client that connects in between is refused."""
    bindings = [acl_binding(g) for g in grants]
    if bindings:
        _wait(admin.create_acls(bindings, request_timeout=TIMEOUT_S), "ACL")
        _await_enforced(admin, bindings)
    return len(bindings)


def _await_enforced(admin: AdminClient, bindings: list[AclBinding]) -> None:
    from confluent_kafka.admin import AclBindingFilter

    wanted = set(bindings)
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        pending = {b for b in wanted if not _described(admin, AclBindingFilter(
            b.restype, b.name, b.resource_pattern_type, b.principal, b.host, b.operation,
            b.permission_type))}
        if not pending:
            return
        if time.monotonic() > deadline:
            raise KafkaException(f"{len(pending)} ACLs not in force after {TIMEOUT_S:.0f} s")
        wanted = pending
        time.sleep(0.1)


def _described(admin: AdminClient, acl_filter: Any) -> bool:
    return bool(admin.describe_acls(acl_filter, request_timeout=TIMEOUT_S).result())


def delete_acls(admin: AdminClient, grants: Iterable[Grant]) -> None:
    """Removes exactly these grants (test runs clean up after themselves)."""
    from confluent_kafka.admin import AclBindingFilter

    filters = [AclBindingFilter(b.restype, b.name, b.resource_pattern_type, b.principal,
                                b.host, b.operation, b.permission_type)
               for b in map(acl_binding, grants)]
    if filters:
        _wait(admin.delete_acls(filters, request_timeout=TIMEOUT_S), "ACL delete")


def apply(settings: Settings, sites: list[str], *, users: bool) -> Report:
    """The deployment on the broker, as admin: SCRAM users of every principal in the
    secrets folder (with `users`), the topics with their retention, and the ACLs."""
    from pathlib import Path

    from screening.security import roles
    from screening.security.secretsdir import SecretsDir, principal_settings

    secrets = SecretsDir(Path(settings.secrets_dir))
    admin = admin_client(principal_settings(settings, "admin"))
    report = Report()
    if users:
        report.users = upsert_users(admin, {p: secrets.kafka_password(p)
                                            for p in secrets.kafka_principals() if p != "admin"})
    report.topics_created, report.topics_configured = ensure_topics(
        admin, roles.topic_specs(settings, sites), settings.topic_partitions,
        settings.topic_replication)
    # Sites whose edge has a principal (`screening security add-edge`) get its grants.
    made = set(secrets.kafka_principals())
    edges = tuple(s for s in sites if roles.edge_principal(s) in made)
    report.acls = create_acls(admin, roles.grants(settings, sites, edges))
    return report


def worker_settings(settings: Settings) -> Settings:
    """The settings a worker runs with on a secured deployment: the `worker` principal
    and Redis's `worker` user (plaintext: the settings as they are)."""
    if settings.kafka_security != "sasl_ssl":
        return settings
    from screening.security.secretsdir import principal_settings, redis_user_settings

    return redis_user_settings(principal_settings(settings, "worker"), "worker")


def provision_worker(settings: Settings) -> Settings:
    """A deployment's topics and ACLs on the broker (as admin), and `worker_settings`.
    For the benchmark and the tests, which start workers under prefixes of their own."""
    if settings.kafka_security == "sasl_ssl":
        from screening.security.roles import DEFAULT_SITE

        apply(settings, [DEFAULT_SITE], users=False)
    return worker_settings(settings)
