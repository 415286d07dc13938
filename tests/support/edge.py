"""The edge's integration tests' helpers: its settings for a run, terminals added and
revoked with the real command, and a terminal that speaks HTTPS to the edge process
(screening_bench.processes.EdgeProcess)."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path
from typing import Any, Self

import aiohttp
import orjson

from screening.security.secretsdir import SecretsDir
from screening.settings import Settings
from screening_bench.processes import EdgeProcess, env_for, free_port, screening_cmd


def edge_settings(settings: Settings, folder: Path, principal: str = "site-default",
                  **overrides: Any) -> Settings:
    """A run's edge: the default site's principal (or `principal`), its own port,
    terminals file and data folder under the test's tmp folder; its lists from its
    files only (no refresh from Redis) unless `edge_refresh_s` says otherwise."""
    from screening.security.secretsdir import principal_settings

    values: dict[str, Any] = {
        "edge_site": "default", "edge_port": free_port(),
        "edge_terminals_file": folder / "terminals", "edge_data_dir": folder / "data",
        # Its files only, unless a test asks for copies of Redis's version (refresh.py).
        "edge_refresh_s": 0.0}
    values.update(overrides)
    return principal_settings(settings, principal).model_copy(update=values)


def add_terminal(settings: Settings, terminal: str, checkpoint: str) -> str:
    done = subprocess.run(screening_cmd("security", "add-terminal", settings.edge_site,
                                        terminal, "--checkpoint", checkpoint),
                          env=env_for(settings), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def add_supervisor(settings: Settings, name: str) -> str:
    """A site supervisor's token (reads the edge's local alerts)."""
    done = subprocess.run(screening_cmd("security", "add-terminal", settings.edge_site, name,
                                        "--supervisor"),
                          env=env_for(settings), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def add_edge(settings: Settings) -> None:
    """`screening security add-edge` for the run's site (as admin)."""
    done = subprocess.run(screening_cmd("security", "add-edge", settings.edge_site),
                          env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def revoke_terminal(settings: Settings, terminal: str) -> None:
    done = subprocess.run(screening_cmd("security", "revoke-terminal", settings.edge_site,
                                        terminal),
                          env=env_for(settings), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


class PrivateBroker:
    """A plaintext Kafka of the test's own (scripts/services.sh on free ports and a folder
    of its own), which a test may stop and start again: the shared broker never is.
    Stopped by its own pid; its folder goes with the test's tmp folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.controller_port = free_port()

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        import os

        from tests.support.services import REPO

        return {**os.environ, "SCREENING_LOCAL_DIR": str(self.folder),
                "KAFKA_LIBS": os.environ.get("KAFKA_LIBS", str(REPO / ".local" / "kafka-libs")),
                "KAFKA_SECURITY": "plaintext", "KAFKA_PORT": str(self.port),
                "KAFKA_CONTROLLER_PORT": str(self.controller_port),
                "KAFKA_HEAP_OPTS": "-Xmx512m -Xms128m"}

    def start(self) -> None:
        from tests.support.services import REPO

        done = subprocess.run(["bash", str(REPO / "scripts" / "services.sh"), "up", "kafka"],
                              env=self._env(), capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr

    def pid(self) -> int | None:
        path = self.folder / "kafka" / str(self.port) / "kafka.pid"
        text = path.read_text().strip() if path.exists() else ""
        return int(text) if text.isdigit() else None

    def stop(self) -> None:
        """SIGTERM to our broker's pid, then SIGKILL after 30 s."""
        import os
        import signal
        import time

        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)


def client_ssl(settings: Settings) -> ssl.SSLContext:
    """Trusts the local CA only, with host name checks: as a terminal would."""
    return ssl.create_default_context(cafile=str(SecretsDir(Path(settings.secrets_dir)).ca_cert))


class HttpsTerminal:
    """A terminal posting scans over one keep-alive HTTPS connection pool."""

    def __init__(self, edge: EdgeProcess, token: str | None) -> None:
        self.edge = edge
        self.token = token
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=client_ssl(self.edge.settings), limit=64))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def post(self, kind: str, body: bytes | dict[str, Any],
                   token: str | None = None, anonymous: bool = False,
                   ) -> tuple[int, dict[str, Any], dict[str, str]]:
        assert self.session is not None
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        headers = {"Content-Type": "application/json"}
        if not anonymous and (token or self.token) is not None:
            headers["Authorization"] = f"Bearer {token or self.token}"
        async with self.session.post(f"{self.edge.url}/v1/scans/{kind}", data=raw,
                                     headers=headers) as resp:
            return resp.status, orjson.loads(await resp.read()), dict(resp.headers)

    async def get(self, path: str, token: str | None = None,
                  signed_in: bool = False) -> tuple[int, dict[str, Any]]:
        """GET `path`; with `token`, or the terminal's own when `signed_in`."""
        assert self.session is not None
        bearer = token or (self.token if signed_in else None)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        async with self.session.get(f"{self.edge.url}{path}", headers=headers) as resp:
            return resp.status, orjson.loads(await resp.read())


__all__ = ["EdgeProcess", "HttpsTerminal", "PrivateBroker", "add_edge", "add_supervisor",
           "add_terminal", "client_ssl",
           "edge_settings", "revoke_terminal"]
