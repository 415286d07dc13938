"""Who may use the console: scrypt password hashes, session cookies, CSRF tokens.

Sessions live in Redis (sessions.py) so that they can end; the cookie carries only a
random token, HMAC-signed with the key console replicas share.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from screening.console.sessions import Session, SessionStore
from screening.console.users import USERNAME, InvalidUsers, User, parse_users

# scrypt cost: 2**15 × 8 × 128 bytes = 32 MiB and ~0.1 s per check, a brute-force
# brake that a handful of analysts signing in once a shift never notices.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_MAXMEM = 64 * 1024 * 1024
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_SALT = b"screening-console-no-such-user"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P,
                  salt: bytes | None = None) -> str:
    """"scrypt$N$r$p$salt$hash": the parameters travel with the hash, so they can rise later."""
    if not password:
        raise ValueError("empty password")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str | None) -> bool:
    """Constant-time check; an unknown user (`encoded` None) costs the same and fails."""
    try:
        if encoded is None:
            raise ValueError
        scheme, n, r, p, salt, want = encoded.split("$")
        if scheme != "scrypt":
            raise ValueError
        got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=_MAXMEM, dklen=len(_unb64(want)))
        return hmac.compare_digest(got, _unb64(want))
    except ValueError:
        hashlib.scrypt(password.encode(), salt=_DUMMY_SALT, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                       maxmem=_MAXMEM, dklen=32)
        return False


def fingerprint(encoded: str) -> str:
    return _b64(hashlib.sha256(encoded.encode()).digest()[:9])


@dataclass
class Signer:
    """HMAC-SHA256 over cookie values, with a purpose so one token never passes for another."""

    key: bytes

    def sign(self, purpose: str, payload: bytes) -> str:
        body = _b64(payload)
        mac = hmac.new(self.key, f"{purpose}|{body}".encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def unsign(self, purpose: str, token: str) -> bytes | None:
        body, _, mac = token.partition(".")
        if not body or not mac:
            return None
        want = hmac.new(self.key, f"{purpose}|{body}".encode(), hashlib.sha256).digest()
        try:
            ok = hmac.compare_digest(_unb64(mac), want)
            return _unb64(body) if ok else None
        except ValueError:
            return None

    def csrf_token(self, csrf_cookie: str, session_id: str = "") -> str:
        """The token forms and fetch() send back: only a page of ours can read it. Bound to
        the session too: a cookie and token pair that an attacker got from us for their
        own browser and then planted in an analyst's (a sibling domain can set cookies)
        does not pass once the analyst is signed in."""
        message = f"csrf|{csrf_cookie}|{session_id}".encode()
        return _b64(hmac.new(self.key, message, hashlib.sha256).digest())

    def check_csrf(self, csrf_cookie: str | None, token: str | None,
                   session_id: str = "") -> bool:
        if not csrf_cookie or not token:
            return False
        return hmac.compare_digest(self.csrf_token(csrf_cookie, session_id).encode(),
                                   token.encode())


@dataclass
class Sessions:
    """Session cookies over the Redis store, checked against the current analysts: a
    session names the analyst and a fingerprint of their password hash, so removing an
    analyst or changing a password ends their sessions at once."""

    signer: Signer
    users: Mapping[str, User]
    store: SessionStore

    async def issue(self, analyst: str, address: str) -> str:
        """A new session (never one the browser brought): the cookie's value."""
        token = await self.store.create(analyst, fingerprint(self.users[analyst].encoded), address)
        return self.signer.sign("session", token.encode())

    def _token(self, cookie: str | None) -> str | None:
        raw = self.signer.unsign("session", cookie) if cookie else None
        try:
            return raw.decode("ascii") if raw else None
        except UnicodeDecodeError:
            return None

    async def current(self, cookie: str | None) -> Session | None:
        """The signed-in session, or None for a missing, forged, expired, ended or
        revoked one, or one whose analyst is gone or has a new password."""
        token = self._token(cookie)
        if token is None:
            return None
        session = await self.store.get(token)
        if session is None:
            return None
        user = self.users.get(session.analyst)
        if user is None or not hmac.compare_digest(session.pw, fingerprint(user.encoded)):
            return None
        return session

    async def current_user(self, cookie: str | None) -> tuple[Session, User] | None:
        """The session and its user's entry as it is now (role and sites included: they
        are looked up on every request, never kept from sign-in)."""
        session = await self.current(cookie)
        if session is None:
            return None
        user = self.users.get(session.analyst)
        return (session, user) if user is not None else None

    async def end(self, cookie: str | None) -> Session | None:
        token = self._token(cookie)
        return await self.store.end(token) if token is not None else None


__all__ = ["USERNAME", "InvalidUsers", "Sessions", "Signer", "fingerprint", "hash_password",
           "parse_users", "verify_password"]
