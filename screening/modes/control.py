"""ModeChange messages: made and signed by `screening mode set`, read and verified by
workers and `screening mode show`. Pure but for reading keys.

A change is applied only when it is signed by a trusted supervisor key
(`SCREENING_CONTROL_KEYS_FILE`), names a known profile, and is newer than the change in
force: the control topic is compacted and re-read from its start by every worker, so an
old signed change sent again (a replay) must not switch the mode back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError

from screening.exceptions import SignatureRefused
from screening.models.modes import ModeChange
from screening.modes.profiles import PROFILES, Profile
from screening.settings import Settings
from screening.watchlists import signing

KEY = b"mode"
NORMAL = ModeChange(mode="normal", issued_at=datetime(1970, 1, 1, tzinfo=UTC), by="default")


class ModeRefused(SignatureRefused):
    """A ModeChange that is not applied; `code` says why (UNSIGNED_UPDATE, BAD_SIGNATURE,
    INVALID_MODE, UNKNOWN_PROFILE, ISSUED_AHEAD, STALE_MODE)."""


def trusted_keys(settings: Settings) -> signing.TrustedKeys:
    return signing.load_trusted_keys(settings.control_keys_file, settings.control_keys)


def make_change(mode: str, profile: str | None, by: str, settings: Settings,
                now: datetime | None = None) -> bytes:
    """A signed ModeChange, as sent (the supervisor's key from the settings)."""
    if mode == "incident" and profile not in PROFILES:
        raise ModeRefused("UNKNOWN_PROFILE", f"profile {profile!r} is not one of "
                          f"{', '.join(sorted(PROFILES))}")
    body: dict[str, Any] = {"mode": mode, "issued_at": (now or datetime.now(UTC)).isoformat(),
                            "by": by}
    if mode == "incident":
        body["profile"] = profile
    ModeChange.model_validate(body)
    secret = settings.control_signing_key
    key = signing.load_signing_key(settings.control_signing_key_file,
                                   secret.get_secret_value() if secret else None)
    return orjson.dumps(signing.sign_update(body, key))


def read_change(raw: bytes | None, trusted: signing.TrustedKeys, now: datetime,
                max_ahead_s: float) -> tuple[ModeChange, str]:
    """The change and the key id that signed it, or ModeRefused."""
    try:
        obj = orjson.loads(raw or b"")
        change = ModeChange.model_validate(obj)
    except (orjson.JSONDecodeError, ValidationError):
        raise ModeRefused("INVALID_MODE", "not a ModeChange") from None
    try:
        kid = signing.verify(obj, trusted, what="mode change")
    except SignatureRefused as exc:
        raise ModeRefused(exc.code, str(exc), key_id=exc.key_id) from None
    if change.mode == "incident" and change.profile not in PROFILES:
        raise ModeRefused("UNKNOWN_PROFILE", f"profile {str(change.profile)[:32]!r} unknown")
    if change.issued_at > now + timedelta(seconds=max_ahead_s):
        raise ModeRefused("ISSUED_AHEAD", "the change is dated ahead of this clock")
    return change, kid


@dataclass
class ModeState:
    """The mode in force in one process."""

    change: ModeChange = field(default_factory=lambda: NORMAL)
    key_id: str | None = None

    @property
    def profile(self) -> Profile | None:
        c = self.change
        return PROFILES.get(c.profile or "") if c.mode == "incident" else None

    def offer(self, change: ModeChange, key_id: str) -> None:
        """Apply `change` unless it is not newer than the one in force (ModeRefused)."""
        if change.issued_at <= self.change.issued_at:
            raise ModeRefused("STALE_MODE", "older than the change in force", key_id=key_id)
        self.change, self.key_id = change, key_id

    def describe(self) -> str:
        c = self.change
        since = f"(since {c.issued_at.isoformat()}, by {c.by})"
        if c.mode == "normal":
            return "normal" if c is NORMAL else f"normal {since}"
        profile = self.profile
        return (f"incident, profile {c.profile} {since}"
                + (f": {profile.description}" if profile else ""))
