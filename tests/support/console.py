"""Shared by the console's integration and browser tests: the run's settings as the console
runs deployed, alerts shaped like the worker's, and the console as a process.

The console is started through the real command line (`python -m screening console`)
with the run's settings in its environment, as an operator would start it.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from screening.console.auth import hash_password
from screening.security.clients import aiokafka_options
from screening.security.secretsdir import principal_settings, redis_user_settings
from screening.settings import Settings
from screening_bench.processes import end_process, free_port
from tests.support.services import REPO, env_for, screening_cmd

ANALYST = "analyst.one"
PASSWORD = "correct horse battery staple"
OTHER_ANALYST = "analyst.two"
OTHER_PASSWORD = "another long passphrase"
SESSION_SECRET = "test-session-secret-0123456789abcdef"
# What an attacker could put in a scanned field: must reach the page as text, never HTML.
HOSTILE = '<img src=x onerror="document.title=\'pwned\'">'
# The Redis user the console connects as: `console` (keys `{console:<prefix>...` only).
CONSOLE_REDIS_USER = os.environ.get("SCREENING_TEST_CONSOLE_REDIS_USER", "console")


def console_settings(settings: Settings) -> Settings:
    """The run's settings as the console runs deployed: Kafka principal `console`, Redis
    user `console`."""
    return principal_settings(redis_user_settings(settings, CONSOLE_REDIS_USER), "console")


# Roles and sites (console/users.py): an analyst of site A, one of site B, a supervisor
# and an auditor, beside the two analysts of every site the older tests sign in as.
SITE_A, SITE_B = "arena", "stadium"
A_ANALYST, B_ANALYST, SUPERVISOR, AUDITOR = "ana.arena", "bo.stadium", "sue.super", "aud.it"


@functools.cache
def users_spec() -> str:
    return ",".join((
        f"{ANALYST}:{hash_password(PASSWORD)}:analyst:*",
        f"{OTHER_ANALYST}:{hash_password(OTHER_PASSWORD)}:analyst:*",
        f"{A_ANALYST}:{hash_password(PASSWORD)}:analyst:{SITE_A}",
        f"{B_ANALYST}:{hash_password(PASSWORD)}:analyst:{SITE_B}",
        f"{SUPERVISOR}:{hash_password(PASSWORD)}:supervisor:*",
        f"{AUDITOR}:{hash_password(PASSWORD)}:auditor:"))


def make_alert(*, list_: str = "notice", category: str = "red", priority: str = "critical",
               checkpoint: str = "gate-A", surname: str = "ERIKSSON", given: str = "ANNA",
               score: float = 0.93, age_s: float = 0.0, **extra: Any) -> dict[str, Any]:
    """An alert as the worker writes it (screening.core.decide), document number masked."""
    event_id = f"evt-{uuid.uuid4().hex[:12]}"
    raised = datetime.now(UTC) - timedelta(seconds=age_s)
    record_id = f"{list_}-{uuid.uuid4().hex[:8]}"
    if list_ == "smv":
        subject: dict[str, Any] = {"plate": "AB123CD", "plate_country": "F", "make": "Renault",
                                   "model": "Clio", "colour": "grey"}
        record: dict[str, Any] = {"id": record_id, "plate": "AB123CD", "make": "Renault"}
        matched_on = ["plate"]
    else:
        subject = {"document_number": "******2C3", "issuing_state": "UTO", "document_type": "P",
                   "surname": surname, "given_names": given, "date_of_birth": "1974-08-12",
                   "nationality": "UTO", "sex": "F"}
        if list_ == "notice":
            record = {"id": record_id, "colour": category,
                      "names": [{"surname": surname, "given_names": given, "script": "latin"},
                                {"surname": "ЭРИКССОН", "given_names": "АННА",
                                 "script": "cyrillic"}],
                      "date_of_birth": "1974-08", "nationalities": ["UTO"],
                      "documents": [{"number": "L898902C3", "issuing_state": "UTO"}]}
            matched_on = ["name", "date_of_birth"]
        else:
            record = {"id": record_id, "status": category, "issuing_state": "UTO",
                      "document_number": "******2C3"}
            matched_on = ["document_number"]
    alert: dict[str, Any] = {
        "alert_id": str(uuid.uuid4()), "event_id": event_id,
        "raised_at": raised.isoformat(), "priority": priority,
        "checkpoint_id": checkpoint, "terminal_id": "term-07",
        "hit": {"list": list_, "record_id": record_id, "score": score,
                "matched_on": matched_on, "category": category,
                "matched_alias": f"{surname} {given}" if list_ == "notice" else None,
                "penalties": ([{"reason": "date_of_birth_partial", "amount": 0.05}]
                              if list_ == "notice" else [])}
               | ({"name_similarity": 0.96,
                   "bonuses": [{"reason": "nationality_agrees", "amount": 0.02}]}
                  if list_ == "notice" else {}),
        "subject": subject, "record": record,
        "kind": "vehicle" if list_ == "smv" else "traveller", "watchlist_version": "v-test",
    }
    alert.update(extra)
    return alert


async def publish(settings: Settings, topic: str, values: list[dict[str, Any]],
                  key: str = "alert_id") -> None:
    """Each value to the run's `topic` (a settings topic name), keyed as the contract says."""
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(settings.topic(topic), orjson.dumps(value),
                                         key=str(value[key]).encode())
    finally:
        await producer.stop()


class ConsoleProcess:
    """`screening console` as a real subprocess on a free loopback port."""

    def __init__(self, settings: Settings, log_path: Path, **env: str) -> None:
        self.settings = settings
        self.log_path = log_path
        self.port = free_port()
        # As deployed: Kafka principal `console`, Redis user `console`.
        self.env = env_for(console_settings(settings)) | {
            "SCREENING_CONSOLE_HOST": "127.0.0.1",
            "SCREENING_CONSOLE_PORT": str(self.port),
            "SCREENING_CONSOLE_USERS": users_spec(),
            "SCREENING_CONSOLE_SESSION_SECRET": SESSION_SECRET,
        } | env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ConsoleProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(screening_cmd("console"), env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, cwd=REPO)
        return self

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as resp:
            return dict(json.loads(resp.read()))

    def wait_ready(self, timeout: float = 60.0) -> ConsoleProcess:
        """Until the console serves and its consumer has its partitions."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"console exited early:\n{self.log_tail()}")
            try:
                if self.health()["reading"]:
                    return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"console not ready in {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> int | None:
        return end_process(self.proc, timeout=timeout)
