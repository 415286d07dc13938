"""Scans the edge answered offline, kept on disk until the centre has them.

SQLite in WAL mode with `synchronous=FULL`: a row is on disk (fsynced) before the
terminal gets its answer, a SIGKILL or power cut loses none, and the standard library
needs no server or new dependency. One row per (terminal, event id): a terminal that
repeats a scan while offline is stored and forwarded once. Rows are forwarded in the
order they were answered.

States: `pending` (to forward), `sent` (its first publication reached the broker after
the budget ran out: the centre has it, nothing to forward), `forwarded`. `compared_at`:
when the centre's own result for the scan was compared with the offline answer.

Beside the scans: `alerts`, the local alerts of offline hits (forwarded to the alerts
topic once the link is back), and `instructions`, what each terminal is to be told
(`GET /v1/instructions`): the edge's own when the centre's answer differs from its
offline one (`pending` until published on the site's instructions topic), and those
read from that topic (the operations room's decisions).

Calls block on the disk; the edge runs them on one thread of their own (`Outbox.run`),
so the event loop keeps serving while a row is fsynced. Writes made while answering
(`Outbox.write`) are committed in groups: every write queued while the disk thread is
busy goes in the next transaction, one fsync for all of them, and each caller resumes
once its own write is on disk.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
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
CREATE TABLE IF NOT EXISTS alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    body BLOB NOT NULL,
    raised_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS alerts_pending ON alerts (state, seq);
CREATE TABLE IF NOT EXISTS instructions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    terminal_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    instruction TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL,
    UNIQUE (terminal_id, event_id, alert_id, instruction, issued_at)
);
CREATE INDEX IF NOT EXISTS instructions_terminal ON instructions (terminal_id, seq);
CREATE INDEX IF NOT EXISTS instructions_pending ON instructions (state, seq);
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
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(scans)")}
        if "compared_at" not in columns:  # a database of an edge before instructions
            self._db.execute("ALTER TABLE scans ADD COLUMN compared_at TEXT")
        # Scans the centre has had for a week are of no more use here (a terminal repeats
        # a scan within seconds): they go, and with them the personal data they hold.
        cutoff = (datetime.now(UTC) - timedelta(days=KEEP_DAYS)).isoformat()
        self._db.execute("DELETE FROM scans WHERE state != 'pending' AND done_at < ?",
                         (cutoff,))
        self._db.execute("DELETE FROM alerts WHERE state != 'pending' AND done_at < ?",
                         (cutoff,))
        self._db.execute("DELETE FROM instructions WHERE state != 'pending' AND issued_at < ?",
                         (cutoff,))
        # The keys of what is stored, read once here and kept with every row added: a
        # scan whose key is not among them (nearly every one) needs no trip to the disk
        # thread to learn that it was never answered offline.
        self.keys: set[tuple[str, str]] = {
            (t, e) for t, e in self._db.execute("SELECT terminal_id, event_id FROM scans")}
        # Group commit: writes waiting for the disk thread, and whether a flush is queued.
        self._queue: list[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]] = []
        self._lock = threading.Lock()
        self._flushing = False

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Runs `fn` on the outbox's thread, after what is queued, without waiting."""
        self._pool.submit(fn, *args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs `fn` on the disk thread inside a transaction it may share with other
        writes queued meanwhile (one fsync for the group); returns once it is committed.
        A write that raises is undone alone (a savepoint each), the others still commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._queue.append((fn, args, future))
            start, self._flushing = not self._flushing, True
        if start:
            self._pool.submit(self._flush, loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            with self._lock:
                batch, self._queue = self._queue, []
                if not batch:
                    self._flushing = False
                    return
            done: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for fn, args, future in batch:
                    self._db.execute("SAVEPOINT one")
                    try:
                        done.append((future, fn(*args), None))
                        self._db.execute("RELEASE one")
                    except Exception as exc:
                        self._db.execute("ROLLBACK TO one")
                        self._db.execute("RELEASE one")
                        done.append((future, None, exc))
                self._db.execute("COMMIT")
            except Exception as failed:  # the commit itself (a full disk): none is kept
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                done = [(future, None, failed) for _, _, future in batch]
            for future, value, problem in done:
                loop.call_soon_threadsafe(_settle, future, value, problem)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._db.close()

    # -- blocking calls, for `run` and `write` --------------------------------------

    def keep(self, stored: Stored, alerts: Sequence[tuple[str, bytes]] = ()) -> bool:
        """Stores an offline-answered scan and its local alerts ((alert_id, body) each);
        False when this terminal's event was stored before (the first is kept, and
        forwarded once)."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO scans (terminal_id, event_id, kind, body, answer, "
            "answered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (stored.terminal_id, stored.event_id, stored.kind, stored.body, stored.answer,
             _now()))
        if cur.rowcount == 1:
            self._db.executemany(
                "INSERT OR IGNORE INTO alerts (alert_id, event_id, body, raised_at) "
                "VALUES (?, ?, ?, ?)",
                [(alert_id, stored.event_id, body, _now()) for alert_id, body in alerts])
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

    def compare_once(self, terminal_id: str, event_id: str) -> bytes | None:
        """The offline answer of a scan whose central result has just come, the first
        time only (None after): the comparison, and any instruction, happen once."""
        cur = self._db.execute("UPDATE scans SET compared_at = ? WHERE terminal_id = ? AND "
                               "event_id = ? AND compared_at IS NULL",
                               (_now(), terminal_id, event_id))
        return self.answer_of(terminal_id, event_id) if cur.rowcount == 1 else None

    def awaiting_results(self) -> int:
        """Scans the centre has (forwarded, or published late) whose result the edge has
        not compared yet: after a restart it reads the results topic from where it was."""
        [(n,)] = self._db.execute("SELECT count(*) FROM scans WHERE state != 'pending' AND "
                                  "compared_at IS NULL")
        return int(n)

    # -- local alerts ----------------------------------------------------------------

    def pending_alerts(self, limit: int = 500) -> list[tuple[str, bytes]]:
        rows = self._db.execute("SELECT alert_id, body FROM alerts WHERE state = 'pending' "
                                "ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(a, bytes(b)) for a, b in rows]

    def mark_alert(self, alert_id: str) -> None:
        self._db.execute("UPDATE alerts SET state = 'forwarded', done_at = ? WHERE "
                         "alert_id = ? AND state = 'pending'", (_now(), alert_id))

    def alerts(self, since: int = 0, limit: int = 200) -> list[tuple[int, str, bytes]]:
        """Local alerts after `since` (seq, state, body), oldest first."""
        rows = self._db.execute("SELECT seq, state, body FROM alerts WHERE seq > ? "
                                "ORDER BY seq LIMIT ?", (since, limit)).fetchall()
        return [(q, st, bytes(b)) for q, st, b in rows]

    # -- instructions ------------------------------------------------------------------

    def add_instruction(self, message: dict[str, Any], state: str) -> int | None:
        """Keeps an instruction for its terminal; its seq, or None when it was kept
        already (the edge's own, read back from the topic)."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO instructions (terminal_id, event_id, alert_id, "
            "instruction, issued_at, body, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (message["terminal_id"], message["event_id"], message["alert_id"],
             message["instruction"], message["issued_at"], orjson.dumps(message), state))
        if cur.rowcount == 1:
            return cur.lastrowid
        if state == "published":  # the edge's own, seen on the topic: it went
            self._db.execute(
                "UPDATE instructions SET state = 'published' WHERE terminal_id = ? AND "
                "event_id = ? AND alert_id = ? AND instruction = ? AND issued_at = ?",
                (message["terminal_id"], message["event_id"], message["alert_id"],
                 message["instruction"], message["issued_at"]))
        return None

    def pending_instructions(self) -> list[tuple[int, bytes]]:
        rows = self._db.execute("SELECT seq, body FROM instructions WHERE state = 'pending' "
                                "ORDER BY seq").fetchall()
        return [(q, bytes(b)) for q, b in rows]

    def mark_instruction(self, seq: int) -> None:
        self._db.execute("UPDATE instructions SET state = 'published' WHERE seq = ?", (seq,))

    def instructions(self, terminal_id: str, since: int, limit: int = 100
                     ) -> list[tuple[int, bytes]]:
        rows = self._db.execute("SELECT seq, body FROM instructions WHERE terminal_id = ? "
                                "AND seq > ? ORDER BY seq LIMIT ?",
                                (terminal_id, since, limit)).fetchall()
        return [(q, bytes(b)) for q, b in rows]

    # -- the rest ----------------------------------------------------------------------

    def meta(self, key: str) -> Any:
        """A value the edge keeps beside the scans (feed.py: where updates start)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (key, orjson.dumps(value)))

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM scans GROUP BY state"))

    def alert_counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT state, count(*) FROM alerts GROUP BY state"))


def _settle(future: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if future.done():  # its caller gave up waiting (a cancelled request)
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)
