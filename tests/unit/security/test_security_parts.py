"""The security parts that need no broker: the rights table, the secrets folder, the
certificates, and the connection options every client is built with."""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pydantic import SecretStr

from screening.exceptions import ConfigurationError
from screening.security import pki, roles
from screening.security.clients import aiokafka_options, librdkafka_config, redis_options
from screening.security.redis_users import acl_lines
from screening.security.secretsdir import SecretsDir, principal_settings
from screening.settings import Settings

SETTINGS = Settings(topic_prefix="dep.", app_id="screening-dep")


def _rights(principal: str, sites: list[str]) -> set[tuple[str, str, str, str]]:
    return {(g.resource, g.name, g.operation, g.pattern)
            for g in roles.grants(SETTINGS, sites) if g.principal == principal}


def test_a_site_may_write_its_scans_and_read_its_answers_only() -> None:
    assert _rights("site-arena", ["default", "arena"]) == {
        ("topic", "dep.scans.traveller.arena", "write", "literal"),
        ("topic", "dep.scans.vehicle.arena", "write", "literal"),
        ("topic", "dep.screening.results.arena", "read", "literal"),
        ("topic", "dep.screening.instructions.arena", "read", "literal"),
        ("group", "site-arena.", "read", "prefixed")}


def test_the_contracts_table_and_nothing_by_wildcard() -> None:
    grants = roles.grants(SETTINGS, ["default", "arena"])
    assert all("*" not in g.name and g.name for g in grants)
    assert {g.principal for g in grants} == {"site-default", "site-arena", "worker", "feed",
                                             "console", "auditor"}  # admin is a super user
    assert _rights("feed", ["default"]) == {("topic", "dep.watchlist.updates", "write",
                                             "literal")}
    assert _rights("auditor", ["default"]) == {
        ("topic", "dep.screening.audit", "read", "literal"),
        ("group", "auditor.", "read", "prefixed")}
    worker = _rights("worker", ["default", "arena"])
    assert ("topic", "dep.scans.traveller.arena", "read", "literal") in worker
    assert ("topic", "dep.screening.results.arena", "write", "literal") in worker
    assert ("topic", "dep.watchlist.updates", "read", "literal") in worker
    assert not any(op == "write" and name == "dep.watchlist.updates"
                   for _, name, op, _ in worker)
    assert not any(name == "dep.screening.audit" and op == "read" for _, name, op, _ in worker)
    console = _rights("console", ["default"])
    # Read on the audit topic for the console's auditor view (auditor users), no group
    # beyond its own: the view assigns the audit's partitions by hand.
    assert ("topic", "dep.screening.audit", "read", "literal") in console
    assert ("topic", "dep.screening.audit", "write", "literal") in console
    # The mode in force (banner, `mode show`), and the switch itself.
    assert ("topic", "dep.screening.control", "read", "literal") in console
    assert ("topic", "dep.screening.control", "write", "literal") in console
    assert {g for g in console if g[0] == "group"} == {("group", "console.", "read",
                                                         "prefixed")}


def test_topics_get_the_configured_retention() -> None:
    specs = {t.name: t for t in roles.topic_specs(SETTINGS, ["default"])}
    assert specs["dep.screening.audit"].retention_h == 3 * 365 * 24
    assert specs["dep.screening.results"].retention_h == 24
    assert specs["dep.screening.deadletter"].retention_h == 7 * 24
    assert specs["dep.screening.control"].compact


def test_the_secrets_folder_is_made_once_and_private(tmp_path: Path) -> None:
    secrets = SecretsDir(tmp_path / "s")
    made = secrets.ensure(["admin", "worker"], ["worker"])
    assert "ca.crt" in made and "kafka/worker.password" in made
    assert secrets.ensure(["admin", "worker"], ["worker"]) == []  # idempotent
    password = secrets.kafka_password("worker")
    secrets.ensure(["admin", "worker", "site-x"], ["worker"])
    assert secrets.kafka_password("worker") == password  # never overwritten
    assert stat.S_IMODE(os.stat(secrets.root).st_mode) == 0o700
    for path in secrets.root.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert secrets.kafka_principals() == ["admin", "site-x", "worker"]


def test_certificates_chain_to_the_ca_and_name_loopback(tmp_path: Path) -> None:
    secrets = SecretsDir(tmp_path / "s")
    secrets.ensure(["admin"], [])
    ca = pki.load_cert(secrets.ca_cert)
    redis = pki.load_cert(secrets.redis_cert)
    redis.verify_directly_issued_by(ca)
    names = redis.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    password = secrets.node_keystore_password.read_bytes()
    key, cert, chain = pkcs12.load_key_and_certificates(secrets.node_keystore.read_bytes(),
                                                        password)
    assert key is not None and cert is not None and chain
    cert.verify_directly_issued_by(ca)
    # Python's TLS stack accepts the CA as a trust anchor.
    ssl.create_default_context(cafile=str(secrets.ca_cert))


def test_clients_connect_with_tls_and_scram_or_say_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SCREENING_KAFKA_USERNAME"):
        aiokafka_options(Settings())
    plain = aiokafka_options(Settings(kafka_security="plaintext"))
    assert set(plain) == {"bootstrap_servers"}
    secrets = SecretsDir(tmp_path / "s")
    secrets.ensure(["worker"], ["worker"])
    s = principal_settings(Settings(secrets_dir=secrets.root), "worker")
    options = aiokafka_options(s)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert librdkafka_config(s)["ssl.ca.location"] == str(secrets.ca_cert.resolve())
    password = secrets.kafka_password("worker")
    assert password not in repr(s) and password not in str(s.model_dump())
    tls = redis_options(Settings(redis_url="rediss://h:6380/0", redis_ca_file=secrets.ca_cert,
                                 redis_username="worker", redis_password=SecretStr("x")))
    assert tls["ssl_cert_reqs"] == "required" and tls["username"] == "worker"


def test_password_files_are_read_and_missing_ones_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("s3cret\n")
    s = Settings(kafka_password_file=path)
    assert s.kafka_password is not None and s.kafka_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s)
    with pytest.raises(ValueError, match="kafka_password_file"):
        Settings(kafka_password_file=tmp_path / "missing")


def test_redis_users_keep_to_their_keys(tmp_path: Path) -> None:
    secrets = SecretsDir(tmp_path / "s")
    secrets.ensure([], ["admin", "worker", "console", "edge"])
    lines = {line.split()[1]: line for line in acl_lines(secrets, "scr")}
    assert lines["default"].startswith("user default off")
    assert "~{scr*" in lines["worker"] and "~*" not in lines["worker"]
    assert "-@dangerous" in lines["worker"] and "+@scripting" in lines["worker"]
    assert "+@scripting" not in lines["console"]
    assert "~{console:scr*" in lines["console"]
    # Of the worker's keys, the console reads the site registry only, and only reads it;
    # the namesake clearances it writes (the worker reads them).
    keys = [w for w in lines["console"].split() if "~" in w]
    assert keys == ["~{console:scr*", "%R~{scr*}:sites", "~{scr*}:clearances"]
    assert "console" not in lines["worker"].split("resetchannels")[0].replace("user worker", "")
    # The sites' edges read the lists' versions (pointer, metadata, buckets), nothing else,
    # and only read.
    keys = [w for w in lines["edge"].split() if "~" in w]
    assert keys == ["%R~{scr*}:current", "%R~scr*:meta:*", "%R~scr*:*:*:*"]
    assert "+@write" not in lines["edge"] and "+@scripting" not in lines["edge"]
    assert "+hgetall" in lines["edge"] and "-@all" in lines["edge"]
