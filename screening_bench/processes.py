"""Workers as real subprocesses: for the benchmark and the integration tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Self

from screening.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process, from /proc (Linux); 0 when unknown."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_status_mb(pid: int, field: str) -> float:
    """A memory field of /proc/PID/status (VmRSS, VmHWM, ...) in MB; 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0.0


def kafka_broker_pid() -> int | None:
    """The local Kafka broker's process, when it runs on this machine."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"kafka.Kafka" in (entry / "cmdline").read_bytes():
                    return int(entry.name)
            except OSError:
                continue
    return None


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child process build exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        text = str(value).lower() if isinstance(value, bool) else str(value)
        env[f"SCREENING_{name.upper()}"] = text
    env.update(extra)
    return env


def with_audit_key(settings: Settings) -> Settings:
    """Workers refuse to screen unaudited: a benchmark's worker gets a key of its own
    when none is configured (it measures the audit's cost, not the deployment's key)."""
    import secrets

    from pydantic import SecretStr

    from screening.audit.digests import audit_key

    if not settings.audit_searches or audit_key(settings) is not None:
        return settings
    return settings.model_copy(update={"audit_key": SecretStr(secrets.token_urlsafe(32))})


def screening_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "screening", *args]


class WorkerProcess:
    """`screening worker` as a subprocess, with its /metrics port and its memory."""

    def __init__(self, settings: Settings, log_path: Path, **env: str) -> None:
        self.settings = settings
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return screening_cmd("worker")

    def start(self) -> Self:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.command(), env=env_for(self.settings, **self.env),
                                         stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def metrics(self) -> str:
        url = f"http://127.0.0.1:{self.settings.web_port}/metrics"
        with urllib.request.urlopen(url, timeout=2) as resp:
            return str(resp.read().decode())

    def is_ready(self) -> bool:
        """A worker is ready once it serves its metrics."""
        try:
            self.metrics()
        except OSError:
            return False
        return True

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command()[-1]} exited early:\n{self.log_tail()}")
            if self.is_ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.command()[-1]} not ready in {timeout}s:\n{self.log_tail()}")

    def rss_mb(self) -> float:
        """Resident memory now, from /proc (Linux)."""
        return proc_status_mb(self.pid, "VmRSS")

    def peak_rss_mb(self) -> float:
        """The most resident memory the process has had so far (its high-water mark),
        from /proc (Linux): a peak between two polls of rss_mb() would be missed."""
        return proc_status_mb(self.pid, "VmHWM")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the worker has used so far, from /proc (Linux).

        On a shared machine the wall-clock rate depends on what else runs; CPU time per
        scan does much less, and says what one dedicated core would do."""
        return proc_cpu_seconds(self.pid)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig: int = 15, timeout: float = 20.0) -> int | None:
        return end_process(self.proc, sig, timeout)

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class EdgeProcess:
    """`screening edge` as a subprocess (its settings name its port, site and folders)."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.settings.edge_port}"

    def start(self) -> Self:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(screening_cmd("edge"), env=env_for(self.settings),
                                         stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_serving(self, timeout: float = 60.0) -> None:
        """Until the port takes connections (the edge tries the broker once first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"edge exited early:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.settings.edge_port), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"edge not serving in {timeout}s:\n{self.log_tail()}")

    def rss_mb(self) -> float:
        assert self.proc is not None
        return proc_status_mb(self.proc.pid, "VmRSS")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig: int = 15) -> int | None:
        return end_process(self.proc, sig)


def end_process(proc: subprocess.Popen[Any] | None, sig: int = 15,
                timeout: float = 20.0) -> int | None:
    """Signal a child (SIGTERM by default), wait `timeout` s, then SIGKILL; its exit code."""
    if proc is None or proc.poll() is not None:
        return proc.returncode if proc else None
    proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(10)
