"""Shared by the console's integration and browser tests: the run's settings as the
console runs deployed (Kafka principal `console`, Redis user `console`)."""

from __future__ import annotations

import os

from screening.security.secretsdir import principal_settings, redis_user_settings
from screening.settings import Settings

# The Redis user the console connects as: `console` (keys `{console:<prefix>...` only).
CONSOLE_REDIS_USER = os.environ.get("SCREENING_TEST_CONSOLE_REDIS_USER", "console")


def console_settings(settings: Settings) -> Settings:
    return principal_settings(redis_user_settings(settings, CONSOLE_REDIS_USER), "console")
