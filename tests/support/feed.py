"""The test run's feed key: what tests sign watchlist updates and bulk files with.

One key pair per test session, made on first use; tests/conftest.py puts it in the
environment (SCREENING_FEED_KEYS, SCREENING_FEED_SIGNING_KEY) so that every Settings
built in a test, and every worker or command a test starts, trusts it."""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from screening.models import WatchlistUpdate
from screening.watchlists import signing


@functools.cache
def feed_key() -> Ed25519PrivateKey:
    return signing.new_key()


@functools.cache
def stranger_key() -> Ed25519PrivateKey:
    """A well-formed key nobody trusts."""
    return signing.new_key()


def feed_env() -> dict[str, str]:
    """SCREENING_* variables that make Settings() trust and sign with the test key."""
    seed = feed_key().private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
    return {"SCREENING_FEED_KEYS": signing.trusted_line(feed_key().public_key(), "tests").decode(),
            "SCREENING_FEED_SIGNING_KEY": base64.b64encode(seed).decode()}


def signed_dict(update: dict[str, Any] | WatchlistUpdate,
                key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    if isinstance(update, WatchlistUpdate):
        update = update.model_dump(mode="json", exclude_none=True)
    return signing.sign_update(update, key or feed_key())


def signed(update: dict[str, Any] | WatchlistUpdate,
           key: Ed25519PrivateKey | None = None) -> bytes:
    """The update as a feed sends it: JSON with its signature by the test key."""
    return orjson.dumps(signed_dict(update, key))


def sign_files(paths: Iterable[Path | str]) -> None:
    """Write FILE.sig beside each bulk file, as `screening watchlists sign` does."""
    signing.sign_files([Path(p) for p in paths], feed_key())
