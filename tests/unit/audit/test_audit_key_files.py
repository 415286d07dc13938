"""`security init --offline` makes the audit key once; `client-config` names it for the
principals that digest (worker, console, auditor, admin) and no other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from screening.cli import main


def test_init_makes_the_audit_key_once_and_client_config_names_it(tmp_path: Path,
                                                                    monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    secrets = tmp_path / "secrets"
    monkeypatch.setenv("SCREENING_SECRETS_DIR", str(secrets))
    assert main(["security", "init", "--offline"]) == 0
    key = secrets / "audit.key"
    first = key.read_text()
    assert len(first.strip()) >= 40 and oct(key.stat().st_mode & 0o777) == "0o600"
    assert main(["security", "init", "--offline"]) == 0
    assert key.read_text() == first  # kept: records already written stay queryable
    capsys.readouterr()
    for principal, named in (("worker", True), ("auditor", True), ("console", True),
                             ("admin", True), ("feed", False), ("site-default", False)):
        assert main(["security", "client-config", principal, "--format", "env"]) == 0
        out = capsys.readouterr().out
        assert (f"SCREENING_AUDIT_KEY_FILE={key.resolve()}" in out) is named, principal
        assert first.strip() not in out


def test_a_worker_without_an_audit_key_refuses_to_start(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SCREENING_KAFKA_SECURITY": "plaintext",
           "SCREENING_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "screening", "worker"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no audit key" in done.stderr and "SCREENING_AUDIT_SEARCHES=false" in done.stderr
