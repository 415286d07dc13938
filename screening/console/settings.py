"""The console's own settings, read from the same `SCREENING_*` environment.

These fields belong in `screening.settings.Settings`; until they are added there the
console reads them with this small class (same prefix, same frozen style), so that
`SCREENING_CONSOLE_PORT=8081 screening console` already works.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", frozen=True, extra="ignore")

    # Address the analysts' console binds to; loopback unless a TLS proxy fronts it.
    console_host: str = "127.0.0.1"
    # Port of the analysts' console.
    console_port: int = Field(default=8080, ge=0, le=65535)
    # Analysts allowed to sign in: "name:scrypt$...,name2:scrypt$..." (hashes from
    # `screening console hash-password`). Empty: the console refuses to start.
    console_users: SecretStr = SecretStr("")
    # Key signing session and CSRF cookies; share it between console replicas. Unset: a
    # random key per process (everyone signs in again after a restart).
    console_session_secret: SecretStr | None = None
    # Lifetime of a sign-in, in seconds (a shift).
    console_session_ttl_s: int = Field(default=12 * 3600, ge=60)
    # Mark cookies Secure: set when the console is served over HTTPS (behind a proxy).
    console_secure_cookies: bool = False
    # Alerts read back per partition when the console starts, so a new page is not empty.
    console_lookback: int = Field(default=200, ge=0, le=100_000)
    # Alerts kept in memory and sent to a page when it connects.
    console_max_alerts: int = Field(default=2000, ge=10, le=100_000)
