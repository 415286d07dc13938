"""Terminals of one site, their tokens and certificates: who may post scans to the edge,
as what.

A file per site (`<secrets_dir>/edge/<site>.terminals`, mode 0600), one JSON object a
line: terminal id, the checkpoint it stands at, the SHA-256 of its token, the SHA-256
fingerprint of its client certificate, when it was made and, once revoked, when. Only
the token's hash is kept: a token is 32 random bytes, so a fast hash is enough (a slow
one like scrypt protects guessable passwords, and would cost every scan a tenth of a
second). `screening security add-terminal` (`--cert`: a client certificate instead of
a token) and `revoke-terminal` write the file; the edge reads it again whenever it
changes, so a revocation holds from the next request, for the token and the certificate
alike, also when the link to the centre is down.

A client certificate names its terminal in its subjectAltName, the URI
`screening:terminal:SITE/TERMINAL` (terminal id percent-encoded). The TLS handshake
checks it was signed by the deployment's CA; the edge then takes the terminal the URI
names and accepts the certificate only if it is the one recorded for that terminal (its
fingerprint): a new certificate (`add-terminal --cert` again) voids the old one, as a
new token does, and revocation needs no CRL.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import orjson

from screening.security.roles import check_site
from screening.security.secretsdir import write_private
from screening.settings import Settings

TOKEN_PREFIX = "scr_t_"
URI_SCHEME = "screening:terminal:"
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
    # The SHA-256 fingerprint of its client certificate (None: tokens only); an empty
    # token_sha256: certificate only.
    cert_sha256: str | None = None

    def to_line(self) -> bytes:
        return orjson.dumps({"terminal_id": self.terminal_id,
                             "checkpoint_id": self.checkpoint_id,
                             "token_sha256": self.token_sha256,
                             "created_at": self.created_at, "revoked_at": self.revoked_at,
                             "role": self.role, "cert_sha256": self.cert_sha256})


def terminal_uri(site: str, terminal_id: str) -> str:
    """The identity a terminal's client certificate carries (subjectAltName URI)."""
    return f"{URI_SCHEME}{site}/{quote(terminal_id, safe='')}"


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


def _put(path: Path, terminal_id: str, checkpoint_id: str, role: str,
         **credential: Any) -> None:
    """Records a terminal with a new credential (a token's hash or a certificate's
    fingerprint); the other one it had is kept, unless it was revoked or had another role
    (a re-added revoked terminal starts with only the new credential)."""
    terminals = read_terminals(path)
    old = terminals.get(terminal_id)
    kept: dict[str, Any] = {"token_sha256": "", "cert_sha256": None}
    if old is not None and old.revoked_at is None and old.role == role:
        kept = {"token_sha256": old.token_sha256, "cert_sha256": old.cert_sha256}
    terminals[terminal_id] = Terminal(terminal_id, checkpoint_id, created_at=_now(),
                                      role=role, **{**kept, **credential})
    _write(path, terminals)


def add_terminal(path: Path, terminal_id: str, checkpoint_id: str,
                 role: str = TERMINAL_ROLE) -> str:
    """Makes (or replaces) a terminal's (or a supervisor's) token; returns the token,
    shown this once."""
    token = new_token()
    _put(path, terminal_id, checkpoint_id, role, token_sha256=token_digest(token))
    return token


def add_terminal_cert(path: Path, terminal_id: str, checkpoint_id: str, cert_sha256: str,
                      role: str = TERMINAL_ROLE) -> None:
    """Records (or replaces) a terminal's client certificate by its fingerprint."""
    _put(path, terminal_id, checkpoint_id, role, cert_sha256=cert_sha256.lower())


def revoke_terminal(path: Path, terminal_id: str) -> bool:
    """Revokes a terminal's token; False when there is no such terminal."""
    terminals = read_terminals(path)
    old = terminals.get(terminal_id)
    if old is None:
        return False
    terminals[terminal_id] = Terminal(old.terminal_id, old.checkpoint_id, old.token_sha256,
                                      old.created_at, old.revoked_at or _now(), old.role,
                                      old.cert_sha256)
    _write(path, terminals)
    return True


class TerminalRegistry:
    """The edge's view of the file, read again when it changes (checked per request: a
    stat is a microsecond)."""

    def __init__(self, path: Path, site: str = "default") -> None:
        self.path = path
        self.site = site
        self._stamp: tuple[int, int, int] | None = None
        self._by_digest: dict[str, Terminal] = {}
        self._by_id: dict[str, Terminal] = {}

    def _reload(self) -> None:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = (0, 0, 0)
        if stamp != self._stamp:
            self._by_id = read_terminals(self.path)
            self._by_digest = {t.token_sha256: t for t in self._by_id.values()
                               if t.token_sha256}
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

    def authenticate_cert(self, uris: list[str], der: bytes) -> Terminal | None:
        """The terminal a verified client certificate belongs to: the one its URI names,
        if that is the certificate recorded for it (fingerprint of `der`) and it is not
        revoked; None otherwise."""
        self._reload()
        prefix = f"{URI_SCHEME}{self.site}/"
        named = {unquote(u[len(prefix):]) for u in uris if u.startswith(prefix)}
        if len(named) != 1:
            return None
        found = self._by_id.get(named.pop())
        if found is None or not found.cert_sha256 or found.revoked_at:
            return None
        digest = hashlib.sha256(der).hexdigest()
        return found if hmac.compare_digest(found.cert_sha256, digest) else None
