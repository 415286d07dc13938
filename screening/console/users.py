"""Who may use the console, as what, for which sites: the user store.

An entry is `name:scrypt$N$r$p$salt$hash:ROLE:SITES`, entries separated by commas or
line breaks (a file may also hold `#` comments):

- ROLE is `analyst` (the alerts of SITES), `supervisor` (every site's alerts, and the
  alerts whose site cannot be told; mode changes and escalations when they exist) or
  `auditor` (the audit view, no alert at all);
- SITES is site ids joined by `+`, or `*` for every declared site; an analyst needs
  one at least, a supervisor has every site whatever is written, an auditor none.

An entry of the first format, `name:hash` alone, is read as an analyst of every site
(`*`): what it could see before roles existed, less the alerts of no known site and
anything a supervisor or auditor may do. `screening console users add` rewrites it with
an explicit role.

Entries come from SCREENING_CONSOLE_USERS (inline, fixed for the process's life) and
SCREENING_CONSOLE_USERS_FILE (what `screening console users` writes). The console
looks at the file (a stat) on every request and reads it again when it was replaced or
changed, so a role or site taken away applies to the very next request and to open
streams (which end when their user's entry changes) without a restart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from screening.security.roles import SITE_ID

Role = Literal["analyst", "supervisor", "auditor"]
ROLES: tuple[Role, ...] = ("analyst", "supervisor", "auditor")
ALL_SITES = "*"
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class InvalidUsers(ValueError):
    """The users cannot be read; the message says which entry."""


@dataclass(frozen=True)
class User:
    name: str
    # "scrypt$N$r$p$salt$hash" (auth.hash_password).
    encoded: str
    role: Role
    # Site ids; ALL_SITES in it: every site. Empty for auditors.
    sites: frozenset[str]
    # True for a `name:hash` entry made before roles (read as analyst of every site).
    legacy: bool = False

    @property
    def sees_alerts(self) -> bool:
        return self.role in ("analyst", "supervisor")

    @property
    def audits(self) -> bool:
        return self.role == "auditor"

    def may_see(self, site: str | None) -> bool:
        """May this user see an alert of `site` (None: its site cannot be told)?"""
        if self.role == "supervisor":
            return True
        if self.role != "analyst" or site is None:
            return False
        return ALL_SITES in self.sites or site in self.sites

    def entry(self) -> str:
        sites = "" if self.role == "auditor" else (
            ALL_SITES if self.role == "supervisor" or ALL_SITES in self.sites
            else "+".join(sorted(self.sites)))
        return f"{self.name}:{self.encoded}:{self.role}:{sites}"

    def scope(self) -> tuple[str, frozenset[str]]:
        """What an open stream was allowed when it started: it ends when this changes."""
        return self.role, self.sites


def _check_hash(i: int, name: str, encoded: str) -> None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(x.isdigit() for x in parts[1:4]):
        raise InvalidUsers(f"entry {i}: ({name}): not a hash from "
                           "`screening console hash-password`")


def parse_entry(i: int, entry: str) -> User:
    name, sep, rest = entry.partition(":")
    if not sep or not USERNAME.match(name):
        raise InvalidUsers(f"entry {i}: expected name:scrypt$...[:role:sites], name of 1-64 "
                           "letters, digits or ._@-")
    encoded, _, scope = rest.partition(":")
    _check_hash(i, name, encoded)
    if not scope:
        return User(name, encoded, "analyst", frozenset({ALL_SITES}), legacy=True)
    role, _, sites_text = scope.partition(":")
    if role not in ROLES:
        raise InvalidUsers(f"entry {i} ({name}): role {role!r} is not one of "
                           f"{', '.join(ROLES)}")
    sites = frozenset(s.strip() for s in sites_text.split("+") if s.strip())
    for site in sites:
        if site != ALL_SITES and not SITE_ID.fullmatch(site):
            raise InvalidUsers(f"entry {i} ({name}): site {site!r} is not a site id")
    if role == "analyst" and not sites:
        raise InvalidUsers(f"entry {i} ({name}): an analyst needs one site at least "
                           f"(or {ALL_SITES} for every site)")
    if role == "auditor" and sites:
        raise InvalidUsers(f"entry {i} ({name}): an auditor sees no alerts: no sites")
    if role == "supervisor":
        sites = frozenset({ALL_SITES})
    return User(name, encoded, role, sites)


def parse_users(spec: str) -> dict[str, User]:
    """Every entry of `spec` (commas or line breaks between them; `#` starts a comment
    line), by name."""
    users: dict[str, User] = {}
    lines = (line for line in spec.splitlines() if not line.lstrip().startswith("#"))
    for i, entry in enumerate(e.strip() for e in ",".join(lines).split(",")):
        if not entry:
            continue
        user = parse_entry(i + 1, entry)
        if user.name in users:
            raise InvalidUsers(f"entry {i + 1}: {user.name} is listed twice")
        users[user.name] = user
    return users


def read_users_file(path: Path) -> dict[str, User]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InvalidUsers(f"{path}: {exc.strerror}") from None
    try:
        return parse_users(text)
    except InvalidUsers as exc:
        raise InvalidUsers(f"{path}: {exc}") from None


def write_users_file(path: Path, users: Mapping[str, User]) -> None:
    """Replaces the file at once (a console never reads half of it), mode 0600."""
    body = "# screening console users: name:hash:role:sites (`screening console users`)\n"
    body += "".join(u.entry() + "\n" for u in sorted(users.values(), key=lambda u: u.name))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class UserStore(Mapping[str, User]):
    """The inline users and the file's, the file looked at again when it changes. A file
    that turns unreadable or invalid keeps nobody of it: its users are refused (fail
    closed) until it is mended, and the error is logged once."""

    def __init__(self, inline: str, path: Path | None, *,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.inline = parse_users(inline)
        self.path = path
        self.on_error = on_error
        self._file: dict[str, User] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._error: str | None = None
        if path is not None:
            self._file = self._read_file()  # at start an invalid file is an error
            self._stamp = self._stat()

    def _stat(self) -> tuple[int, int, int] | None:
        assert self.path is not None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        # The inode too: `users` replaces the file, which a coarse mtime may not show.
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _read_file(self) -> dict[str, User]:
        assert self.path is not None
        users = read_users_file(self.path)
        both = sorted(set(users) & set(self.inline))
        if both:
            raise InvalidUsers(f"{self.path}: {', '.join(both)} also in SCREENING_CONSOLE_USERS")
        return users

    def refresh(self) -> None:
        if self.path is None:
            return
        stamp = self._stat()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            self._file = self._read_file()
            self._error = None
        except InvalidUsers as exc:
            self._file = {}
            if self.on_error is not None and str(exc) != self._error:
                self.on_error(str(exc))
            self._error = str(exc)

    def _all(self) -> dict[str, User]:
        self.refresh()
        return self.inline | self._file

    def __getitem__(self, name: str) -> User:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


__all__ = ["ALL_SITES", "ROLES", "InvalidUsers", "Role", "User", "UserStore", "parse_users",
           "read_users_file", "write_users_file"]
