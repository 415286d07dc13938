"""The deployment files stay secured: no plaintext listener, nothing open to every
address that need not be, images pinned by digest, authorization that denies by default."""

from __future__ import annotations

import re
from pathlib import Path

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def _properties(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


def test_the_broker_template_listens_only_with_sasl_ssl_and_denies_by_default() -> None:
    props = _properties(DOCKER / "kafka" / "server.properties.template")
    assert props["listeners"].startswith("SASL_SSL://127.0.0.1:")
    assert "PLAINTEXT" not in props["listener.security.protocol.map"].replace("SASL_SSL", "")
    assert props["listener.security.protocol.map"] == "CONTROLLER:SSL,SASL_SSL:SASL_SSL"
    assert props["listener.name.controller.ssl.client.auth"] == "required"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["auto.create.topics.enable"] == "false"
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")


def test_compose_pins_images_binds_loopback_and_keeps_secrets_in_files() -> None:
    text = (DOCKER / "compose.yaml").read_text()
    images = re.findall(r"^\s*image:\s*(\S+)", text, flags=re.MULTILINE)
    external = [i for i in images if not i.startswith("screening:")]
    assert external and all(re.search(r"@sha256:[0-9a-f]{64}$", i) for i in external), external
    assert "0.0.0.0" not in text
    assert "PLAINTEXT" not in text
    assert not re.search(r"PASSWORD:\s*\S", text.replace("PASSWORD_FILE", "").replace(
        "PASSWORD__FILE", "")), "a password given as an environment value"
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert all("@sha256:" in line for line in dockerfile.splitlines() if line.startswith("FROM"))
    assert "0.0.0.0" not in dockerfile
