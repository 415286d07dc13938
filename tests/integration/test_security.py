"""Who may do what on the secured broker and Redis (contract v2, "Sites and identities").

Every principal's allowed operations work and its forbidden ones fail with an
authorization error; plaintext and wrong passwords are refused; Redis asks for a user
and keeps each user to its keys and commands; a site added while a worker runs is
answered within 30 s, and a scan from another site's checkpoint is rejected.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import time
import uuid
from typing import Any

import orjson
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from confluent_kafka import KafkaException
from redis.exceptions import AuthenticationError, NoPermissionError, ResponseError

from screening import kafka_io
from screening.security import provision, roles
from screening.security.clients import aiokafka_options, redis_options
from screening.security.secretsdir import principal_settings, redis_user_settings
from screening.settings import Settings
from tests.support.deadletters import opened
from tests.support.services import collect, create_topics, env_for, screening_cmd

pytestmark = pytest.mark.integration


async def can_write(settings: Settings, topic: str) -> bool:
    producer = AIOKafkaProducer(**aiokafka_options(settings), request_timeout_ms=10_000,
                                enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"probe")
        return True
    except TopicAuthorizationFailedError:
        return False
    finally:
        await producer.stop()


async def can_read(settings: Settings, topic: str, group: str | None = None) -> bool:
    """True when the principal may read the topic (joining `group`, or its own group)."""
    consumer = AIOKafkaConsumer(topic, **aiokafka_options(settings),
                                group_id=group or kafka_io.throwaway_group(settings, "probe"),
                                auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=3000)
        await consumer.getmany(timeout_ms=1000)
        return True
    except (TopicAuthorizationFailedError, GroupAuthorizationFailedError):
        return False
    finally:
        await consumer.stop()


@pytest.fixture
async def deployment(settings: Settings) -> tuple[Settings, str]:
    """The run's topics and ACLs, with a second site beside `default`."""
    other = f"s{uuid.uuid4().hex[:8]}"
    await create_topics(settings)
    await asyncio.to_thread(provision.apply, settings, [roles.DEFAULT_SITE, other], users=False)
    return settings, other


@pytest.fixture
async def running_worker(settings: Settings, worker_factory: Any, redis_client: Any) -> Any:
    """The run's topics and a worker (as `worker`) ready to answer; its keys removed after."""
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    return worker


def _as(settings: Settings, principal: str) -> Settings:
    return principal_settings(settings, principal)


async def test_each_principal_may_do_its_work_and_nothing_more(deployment) -> None:
    settings, other = deployment
    s = settings
    t = roles.shared_topics(s)
    mine, theirs = roles.site_topics(s, "default"), roles.site_topics(s, other)
    site = _as(s, "site-default")
    # A gate writes its own scans and reads its own answers.
    assert await can_write(site, mine.traveller)
    assert await can_read(site, mine.results)
    assert await can_read(site, mine.instructions)
    # ... and nothing of another site, nor alerts, dead letters, audit, updates.
    assert not await can_write(site, theirs.traveller)
    assert not await can_read(site, theirs.results)
    for topic in (t["alerts"], t["deadletter"], t["audit"], t["decisions"]):
        assert not await can_read(site, topic), topic
    assert not await can_write(site, t["updates"])
    assert not await can_write(site, mine.results)          # no forged answers
    assert not await can_read(site, mine.results, group=s.app_id)  # not the worker's group

    feed = _as(s, "feed")
    assert await can_write(feed, t["updates"])
    assert not await can_read(feed, mine.traveller)
    assert not await can_write(feed, t["alerts"])

    console = _as(s, "console")
    assert await can_read(console, t["alerts"])
    assert await can_write(console, t["decisions"])
    # For its auditor view (on behalf of auditor users): read, no write of its own beyond
    # its records; nothing else of the auditor's.
    assert await can_read(console, t["audit"])
    assert not await can_write(console, t["updates"])
    assert not await can_read(console, mine.traveller)

    auditor = _as(s, "auditor")
    assert await can_read(auditor, t["audit"])
    assert not await can_read(auditor, t["alerts"])

    worker = _as(s, "worker")
    assert await can_read(worker, mine.traveller, group=s.app_id)
    assert await can_write(worker, t["alerts"])
    assert not await can_write(worker, t["updates"])        # lists change only by the feed


async def test_the_worker_cannot_grant_itself_rights(deployment) -> None:
    settings, _ = deployment
    worker = provision.admin_client(_as(settings, "worker"))
    grant = roles.Grant("worker", "topic", settings.topic("screening.audit"), "read")
    with pytest.raises(KafkaException, match=r"(?i)authoriz"):
        provision.create_acls(worker, [grant])
    with pytest.raises(KafkaException, match=r"(?i)authoriz"):
        provision.ensure_topics(worker, [roles.TopicSpec(settings.topic("rogue"), 1)], 1, 1)


async def test_plaintext_and_wrong_passwords_are_refused(settings: Settings, caplog) -> None:
    plain = settings.model_copy(update={"kafka_security": "plaintext"})
    producer = AIOKafkaProducer(**aiokafka_options(plain), request_timeout_ms=5000)
    with pytest.raises((KafkaConnectionError, asyncio.TimeoutError, OSError)):
        await asyncio.wait_for(producer.start(), 20)
    await producer.stop()
    wrong = settings.model_copy(update={"kafka_password": type(settings.kafka_password)(
        "not-the-password")})
    producer = AIOKafkaProducer(**aiokafka_options(wrong), request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(producer.start(), 20)
    await producer.stop()
    assert "Authentication failed" in caplog.text  # aiokafka logs the broker's reason


async def test_redis_wants_a_user_and_keeps_each_to_its_keys(settings: Settings) -> None:
    url = settings.redis_url
    tls = {k: v for k, v in redis_options(settings).items() if k.startswith("ssl_")}
    anonymous = aioredis.Redis.from_url(url, **tls)
    with pytest.raises((AuthenticationError, ResponseError), match=r"NOAUTH|authenticated"):
        await anonymous.ping()
    await anonymous.aclose()
    default = aioredis.Redis.from_url(url, username="default", password="", **tls)
    with pytest.raises((AuthenticationError, ResponseError)):
        await default.ping()
    await default.aclose()
    worker = aioredis.Redis.from_url(url, **redis_options(settings))
    try:
        assert await worker.ping()
        await worker.set(f"{{{settings.redis_prefix}}}:probe", b"1", ex=5)
        with pytest.raises(NoPermissionError):
            await worker.set("elsewhere:probe", b"1")
        with pytest.raises(NoPermissionError):  # nor the console's sessions
            await worker.get(f"{{console:{settings.redis_prefix}}}:session:x")
        for command in (("FLUSHALL",), ("CONFIG", "GET", "*"), ("KEYS", "*"),
                        ("ACL", "LIST")):
            with pytest.raises(NoPermissionError):
                await worker.execute_command(*command)
    finally:
        await worker.aclose()
    console = aioredis.Redis.from_url(url, **redis_options(redis_user_settings(settings,
                                                                               "console")))
    try:
        # Of the worker's keys the console reads the site registry, and only reads it.
        assert await console.hgetall(f"{{{settings.redis_prefix}}}:sites") == {}
        with pytest.raises(NoPermissionError):
            await console.hset(f"{{{settings.redis_prefix}}}:sites", "evil", "{}")
        with pytest.raises(NoPermissionError):
            await console.get(f"{{{settings.redis_prefix}}}:probe")
    finally:
        await console.aclose()


async def _publish(settings: Settings, topic: str, scans: list[dict[str, Any]]) -> None:
    producer = kafka_io.producer(settings)
    await producer.start()
    try:
        for scan in scans:
            await producer.send_and_wait(topic, orjson.dumps(scan), key=b"T1")
    finally:
        await producer.stop()


@pytest.mark.slow
async def test_a_site_added_while_the_worker_runs_is_answered(settings,
                                                               running_worker) -> None:
    site = f"s{uuid.uuid4().hex[:8]}"
    added = await asyncio.to_thread(
        subprocess.run, screening_cmd("security", "add-site", site, "--checkpoint",
                                      f"{site}-gate-1"),
        env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr
    topics = roles.site_topics(settings, site)
    gate = _as(settings, roles.site_principal(site))
    own = {"event_id": f"{site}-own", "checkpoint_id": f"{site}-gate-1", "terminal_id": "T1",
           "scanned_at": "2026-12-06T10:00:00Z",
           "document": {"number": "X0000001", "issuing_state": "UTO"}}
    foreign = {**own, "event_id": f"{site}-foreign", "checkpoint_id": "CP-01"}
    started = time.monotonic()
    await _publish(gate, topics.traveller, [own, foreign])
    answers = await collect(settings, f"{settings.topic_results}.{site}", until=2, timeout=60)
    took = time.monotonic() - started
    results = {r["event_id"]: r for r in (orjson.loads(m.value) for m in answers)}
    assert results[f"{site}-own"]["outcome"] in ("clear", "unverified")
    assert results[f"{site}-foreign"]["outcome"] == "rejected"
    assert "SITE_MISMATCH" in results[f"{site}-foreign"]["warnings"]
    assert took < 30, f"the new site was answered after {took:.1f} s"
    # The v1 results topic got neither; the site's own terminal can read its answers.
    assert await can_read(gate, topics.results)
    assert not await can_read(gate, settings.topic(settings.topic_results))


@pytest.mark.slow
async def test_dead_letters_keep_a_malformed_scan_only_sealed(settings,
                                                              running_worker) -> None:
    mrz = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
           "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    scan = {"event_id": f"dl-{uuid.uuid4().hex[:8]}", "checkpoint_id": "CP-1",
            "terminal_id": "T1", "scanned_at": "not a time",
            "holder": {"surname": "WOLFESCHLEGEL", "given_names": "HUBERT"},
            "document": {"mrz": mrz}}
    raw = orjson.dumps(scan)
    await _publish(settings, settings.topic(settings.topic_traveller), [scan])
    [letter] = await collect(settings, settings.topic_deadletter, until=1, timeout=60)
    assert b"WOLFESCHLEGEL" not in letter.value and b"ERIKSSON" not in letter.value
    assert b"L898902C3" not in letter.value
    body = orjson.loads(letter.value)
    assert body["payload_sealed"]["alg"] == "A256GCM"
    assert body["payload_sha256"] == hashlib.sha256(raw).hexdigest()
    assert opened(body) == raw


async def test_topics_are_made_with_the_configured_retention(deployment) -> None:
    from confluent_kafka.admin import ConfigResource, ResourceType

    settings, _ = deployment
    admin = provision.admin_client(_as(settings, "admin"))
    specs = {t.name: t for t in roles.topic_specs(settings, [roles.DEFAULT_SITE])}
    resources = [ConfigResource(ResourceType.TOPIC, name) for name in specs]
    for resource, future in admin.describe_configs(resources).items():
        config = future.result(timeout=30)
        hours = int(config["retention.ms"].value) / 3_600_000
        assert hours == pytest.approx(specs[resource.name].retention_h), resource.name
    assert specs[settings.topic("screening.audit")].retention_h == 3 * 365 * 24
