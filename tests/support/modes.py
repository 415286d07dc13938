"""A supervisor key for the tests of incident mode: what `screening mode set` signs with
and workers trust (SCREENING_CONTROL_SIGNING_KEY, SCREENING_CONTROL_KEYS)."""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from screening.watchlists import signing


@functools.cache
def supervisor_key() -> Ed25519PrivateKey:
    return signing.new_key()


def control_env() -> dict[str, str]:
    """SCREENING_* variables: sign with the test supervisor key and trust it."""
    seed = supervisor_key().private_bytes(serialization.Encoding.Raw,
                                          serialization.PrivateFormat.Raw,
                                          serialization.NoEncryption())
    return {"SCREENING_CONTROL_KEYS": signing.trusted_line(supervisor_key().public_key(),
                                                           "supervisor").decode(),
            "SCREENING_CONTROL_SIGNING_KEY": base64.b64encode(seed).decode()}


def control_settings() -> dict[str, str]:
    """The same as Settings fields."""
    return {k.removeprefix("SCREENING_").lower(): v for k, v in control_env().items()}
