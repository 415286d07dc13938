"""Scans the edge answered offline, kept on disk until the centre has them.

SQLite in WAL mode with `synchronous=FULL`: a row is on disk (fsynced) before the
terminal gets its answer, a SIGKILL or power cut loses none, and the standard library
needs no server or new dependency. One row per (terminal, event id): a terminal that
repeats a scan while offline is stored and forwarded once. Rows are forwarded in the
order they were answered.

States: `pending` (to forward), `sent` (its first publication reached the broker after
the budget ran out: the centre has it, nothing to forward), `forwarded`.

Calls block on the disk; the edge runs them on one thread of their own (`Outbox.run`),
so the event loop keeps serving while a row is fsynced.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson

T = TypeVar("T")
# Days a scan is kept once the centre has it (forwarded, or its own publication arrived).
KEEP_DAYS = 7

SCHEMA = """
CREATE TABLE IF NOT EXISTS scans (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    terminal_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    answer BLOB NOT NULL,
    answered_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    done_at TEXT,
    UNIQUE (terminal_id, event_id)
);
CREATE INDEX IF NOT EXISTS scans_pending ON scans (state, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    terminal_id: str
    event_id: str
    kind: str
    body: bytes
    answer: bytes


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-outbox")
        # It holds whole scans (personal data): private from its first byte; SQLite makes
        # its -wal and -shm files with the database file's mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        path.chmod(0o600)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        # Scans the centre has had for a week are of no more use here (a terminal repeats
        # a scan within seconds): they go, and with them the personal data they hold.
        cutoff = (datetime.now(UTC) - timedelta(days=KEEP_DAYS)).isoformat()
        self._db.execute("DELETE FROM scans WHERE state != 'pending' AND done_at < ?",
                         (cutoff,))
        # The keys of what is stored, read once here and kept with every row added: a
        # scan whose key is not among them (nearly every one) needs no trip to the disk
        # thread to learn that it was never answered offline.
        self.keys: set[tuple[str, str]] = {
            (t, e) for t, e in self._db.execute("SELECT terminal_id, event_id FROM scans")}

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Runs `fn` on the outbox's thread, after what is queued, without waiting."""
        self._pool.submit(fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._db.close()

    # -- blocking calls, for `run` ------------------------------------------------

    def keep(self, stored: Stored) -> bool:
        """Stores an offline-answered scan; False when this terminal's event was stored
        before (the first is kept, and forwarded once)."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO scans (terminal_id, event_id, kind, body, answer, "
            "answered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (stored.terminal_id, stored.event_id, stored.kind, stored.body, stored.answer,
             _now()))
        self.keys.add((stored.terminal_id, stored.event_id))
        return cur.rowcount == 1

    def answer_of(self, terminal_id: str, event_id: str) -> bytes | None:
        """The offline answer a terminal already got for this event, if any."""
        row = self._db.execute("SELECT answer FROM scans WHERE terminal_id = ? AND "
                               "event_id = ?", (terminal_id, event_id)).fetchone()
        return None if row is None else bytes(row[0])

    def pending(self, limit: int = 500) -> list[Stored]:
        rows = self._db.execute(
            "SELECT seq, terminal_id, event_id, kind, body, answer FROM scans "
            "WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [Stored(*row) for row in rows]

    def mark(self, terminal_id: str, event_id: str, state: str) -> None:
        self._db.execute("UPDATE scans SET state = ?, done_at = ? WHERE terminal_id = ? AND "
                         "event_id = ? AND state = 'pending'",
                         (state, _now(), terminal_id, event_id))

    def meta(self, key: str) -> Any:
        """A value the edge keeps beside the scans (feed.py: where updates start)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (key, orjson.dumps(value)))

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM scans GROUP BY state"))
