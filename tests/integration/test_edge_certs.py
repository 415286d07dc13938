"""Terminals with client certificates against a real edge process, with curl as the
terminal: `screening security add-terminal --cert` makes the certificate, the edge
answers its scans as that terminal's, and refuses another CA's certificate, a revoked
one, and a body that names another terminal; tokens keep working beside it."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.edge.terminals import terminal_uri
from screening.security import pki
from screening.security.secretsdir import SecretsDir, write_private
from screening.settings import Settings
from tests.support.edge import (
    EdgeProcess,
    HttpsTerminal,
    add_terminal,
    edge_settings,
    revoke_terminal,
)
from tests.support.pipeline import load_lists
from tests.support.services import env_for, free_port, screening_cmd

pytestmark = pytest.mark.integration

CHECKPOINT = "CP-EDGE-1"


def _add_cert(settings: Settings, terminal: str, out: Path) -> str:
    done = subprocess.run(screening_cmd("security", "add-terminal", settings.edge_site,
                                        terminal, "--checkpoint", CHECKPOINT, "--cert",
                                        "--out", str(out)),
                          env=env_for(settings), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _curl(edge: EdgeProcess, body: dict[str, Any], cert: Path | None, key: Path | None,
          ) -> tuple[int, dict[str, Any] | None, str]:
    """(HTTP status, JSON body, curl's stderr); status 0 when TLS refused the client."""
    ca = SecretsDir(Path(edge.settings.secrets_dir)).ca_cert
    args = ["curl", "-sS", "--max-time", "20", "--cacert", str(ca), "-H",
            "Content-Type: application/json", "--data-binary", "@-", "-w", "\n%{http_code}"]
    if cert is not None and key is not None:
        args += ["--cert", str(cert), "--key", str(key)]
    done = subprocess.run([*args, f"{edge.url}/v1/scans/traveller"], input=orjson.dumps(body),
                          capture_output=True, timeout=60)
    out, _, code = done.stdout.decode().rpartition("\n")
    status = int(code) if code.isdigit() else 0
    return status, (orjson.loads(out) if out.strip() else None), done.stderr.decode()


def _body(**extra: Any) -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "scanned_at": datetime.now(UTC).isoformat(),
            "document": {"number": "X1234567", "issuing_state": "UTO"}, **extra}


async def test_a_terminal_with_a_client_certificate(settings, tmp_path) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=50, notices=10, smv=10)
    # The link is down: the edge answers from its files (a CheckResult all the same).
    es = edge_settings(settings, tmp_path / "edge", edge_snapshot_dir=paths[0].parent,
                       broker=f"kafka://127.0.0.1:{free_port()}")
    certs = tmp_path / "certs"
    fingerprint = _add_cert(es, "T-CERT-1", certs)
    cert, key = certs / "T-CERT-1.crt", certs / "T-CERT-1.key"
    assert pki.cert_sha256(pki.load_cert(cert)) == fingerprint
    token = add_terminal(es, "T-TOKEN-1", CHECKPOINT)
    edge = EdgeProcess(es, tmp_path / "edge.log").start()
    try:
        edge.wait_serving()
        # The certificate is the terminal's identity: the edge sets its ids.
        status, answer, err = _curl(edge, _body(), cert, key)
        assert status == 200, (err, answer, edge.log_tail())
        assert answer is not None
        assert (answer["terminal_id"], answer["checkpoint_id"]) == ("T-CERT-1", CHECKPOINT)
        assert answer["outcome"] == "clear" and "OFFLINE" in answer["warnings"]
        # A body naming another terminal: 403, as with a token.
        status, answer, _ = _curl(edge, _body(terminal_id="T-TOKEN-1"), cert, key)
        assert (status, answer and answer["code"]) == (403, "IDENTITY_MISMATCH")
        # Neither certificate nor token: 401.
        status, answer, _ = _curl(edge, _body(), None, None)
        assert (status, answer and answer["code"]) == (401, "UNAUTHENTICATED")
        # A certificate naming this terminal, from another CA: refused at TLS (or 401).
        other_key, other_ca = pki.make_ca("another CA")
        fake_key, fake = pki.make_client(other_key, other_ca, "T-CERT-1",
                                         terminal_uri(es.edge_site, "T-CERT-1"))
        write_private(tmp_path / "fake.key", pki.key_pem(fake_key))
        write_private(tmp_path / "fake.crt", pki.cert_pem(fake))
        status, answer, err = _curl(edge, _body(), tmp_path / "fake.crt",
                                    tmp_path / "fake.key")
        assert status in (0, 401), (status, answer)
        assert status == 401 or err, err
        print(f"\nanother CA: HTTP {status or 'none'}, curl: {err.strip()[:120]}")
        # Tokens keep working beside certificates.
        async with HttpsTerminal(edge, token) as gate:
            status, answer, _ = await gate.post("traveller", _body())
            assert (status, answer["terminal_id"]) == (200, "T-TOKEN-1")
        # A new certificate for the terminal voids the old one; revocation voids both.
        old_cert = tmp_path / "old.crt"
        old_cert.write_bytes(cert.read_bytes())
        write_private(tmp_path / "old.key", key.read_bytes())
        _add_cert(es, "T-CERT-1", certs)
        status, answer, _ = _curl(edge, _body(), old_cert, tmp_path / "old.key")
        assert (status, answer and answer["code"]) == (401, "INVALID_CERTIFICATE")
        status, _, _ = _curl(edge, _body(), cert, key)
        assert status == 200
        revoke_terminal(es, "T-CERT-1")
        status, answer, _ = _curl(edge, _body(), cert, key)
        assert (status, answer and answer["code"]) == (401, "INVALID_CERTIFICATE")
    finally:
        edge.stop()
