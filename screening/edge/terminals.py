"""Terminals of one site and their tokens: who may post scans to the edge, as what.

A file per site (`<secrets_dir>/edge/<site>.terminals`, mode 0600), one JSON object a
line: terminal id, the checkpoint it stands at, the SHA-256 of its token, when it was
made and, once revoked, when. Only the hash is kept: a token is 32 random bytes, so a
fast hash is enough (a slow one like scrypt protects guessable passwords, and would
cost every scan a tenth of a second). `screening security add-terminal` and
`revoke-terminal` write the file; the edge reads it again whenever it changes, so a
revocation holds from the next request, also when the link to the centre is down.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from screening.security.roles import check_site
from screening.security.secretsdir import write_private
from screening.settings import Settings

TOKEN_PREFIX = "scr_t_"
# A token's role: a terminal posts scans and reads its instructions; a site supervisor
# reads the site's local alerts (`GET /v1/alerts`) and posts nothing.
TERMINAL_ROLE, SUPERVISOR_ROLE = "terminal", "supervisor"


@dataclass(frozen=True, slots=True)
class Terminal:
    terminal_id: str
    checkpoint_id: str
    token_sha256: str
    created_at: str
    revoked_at: str | None = None
    role: str = TERMINAL_ROLE

    def to_line(self) -> bytes:
        return orjson.dumps({"terminal_id": self.terminal_id,
                             "checkpoint_id": self.checkpoint_id,
                             "token_sha256": self.token_sha256,
                             "created_at": self.created_at, "revoked_at": self.revoked_at,
                             "role": self.role})


def terminals_file(settings: Settings, site: str) -> Path:
    if settings.edge_terminals_file is not None:
        return Path(settings.edge_terminals_file)
    return Path(settings.secrets_dir) / "edge" / f"{check_site(site)}.terminals"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def read_terminals(path: Path) -> dict[str, Terminal]:
    """Terminals by id; the file's last line for an id wins."""
    out: dict[str, Terminal] = {}
    if not path.exists():
        return out
    for line in path.read_bytes().splitlines():
        if line.strip():
            t = Terminal(**orjson.loads(line))
            out[t.terminal_id] = t
    return out


def _write(path: Path, terminals: dict[str, Terminal]) -> None:
    write_private(path, b"".join(t.to_line() + b"\n" for t in terminals.values()))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_terminal(path: Path, terminal_id: str, checkpoint_id: str,
                 role: str = TERMINAL_ROLE) -> str:
    """Makes (or replaces) a terminal's (or a supervisor's) token; returns the token,
    shown this once."""
    terminals = read_terminals(path)
    token = new_token()
    terminals[terminal_id] = Terminal(terminal_id, checkpoint_id, token_digest(token), _now(),
                                      role=role)
    _write(path, terminals)
    return token


def revoke_terminal(path: Path, terminal_id: str) -> bool:
    """Revokes a terminal's token; False when there is no such terminal."""
    terminals = read_terminals(path)
    old = terminals.get(terminal_id)
    if old is None:
        return False
    terminals[terminal_id] = Terminal(old.terminal_id, old.checkpoint_id, old.token_sha256,
                                      old.created_at, old.revoked_at or _now(), old.role)
    _write(path, terminals)
    return True


class TerminalRegistry:
    """The edge's view of the file, read again when it changes (checked per request: a
    stat is a microsecond)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._by_digest: dict[str, Terminal] = {}

    def _reload(self) -> None:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = (0, 0, 0)
        if stamp != self._stamp:
            self._by_digest = {t.token_sha256: t for t in read_terminals(self.path).values()}
            self._stamp = stamp

    def authenticate(self, token: str) -> Terminal | None:
        """The terminal a bearer token belongs to; None when unknown or revoked."""
        self._reload()
        digest = token_digest(token)
        found = self._by_digest.get(digest)
        # The dict lookup already found it by the whole digest; compare again in constant
        # time so that no timing says how much of a digest matched.
        if found is None or not hmac.compare_digest(found.token_sha256, digest):
            return None
        return None if found.revoked_at else found
