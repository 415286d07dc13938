"""Fixtures of every test: the session's feed key, trusted by every Settings built, and
its dead-letter key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.deadletters import key_text
from tests.support.feed import feed_env


@pytest.fixture(scope="session", autouse=True)
def trusted_feed_key() -> Iterator[None]:
    """Workers and `watchlists load` refuse unsigned lists: the tests' own key is trusted
    (and is the signing key) in every Settings and every process a test starts."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("SCREENING_FEED_KEYS_FILE", "SCREENING_FEED_SIGNING_KEY_FILE"):
            mp.delenv(name, raising=False)
        for name, value in feed_env().items():
            mp.setenv(name, value)
        # Dead letters are sealed with the session's own key.
        mp.delenv("SCREENING_DEADLETTER_KEY_FILE", raising=False)
        mp.setenv("SCREENING_DEADLETTER_KEY", key_text())
        yield
