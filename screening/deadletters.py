"""Dead letters, built one way for every input that could not be processed (scans and
watchlist updates alike), so that each fits on the dead-letter topic.

A dead letter keeps the input's ids, the reason, its size and its SHA-256 in clear, and
the input itself only sealed (AES-256-GCM with the dead-letter key, a secret file made
by `screening security init`): a malformed scan still holds a name or an MRZ, and the
dead-letter topic outlives the event's results. `screening deadletters show` opens them
for an admin. Without a key the payload is withheld (the input stays at topic,
partition and offset on its source topic for that topic's retention).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from screening.exceptions import ConfigurationError
from screening.models import DeadLetter, DeadLetterReason, SealedPayload
from screening.settings import Settings

# Original bytes kept in a dead letter. A scan topic may accept messages larger than the
# dead-letter topic (or the worker's producer) does; a dead letter that cannot be sent is
# lost, so an oversized input keeps its head (where its ids are) and the reason says so.
DEADLETTER_PAYLOAD_BYTES = 64 << 10
ALG = "A256GCM"
NONCE_BYTES = 12


@dataclass(frozen=True)
class Sealer:
    """Seals payloads with the dead-letter key; with no key, withholds them."""

    key: bytes | None = None

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.key or b"").hexdigest()[:16]

    def seal(self, payload: bytes) -> tuple[str, SealedPayload | None]:
        if self.key is None or not payload:
            return "", None
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + AESGCM(self.key).encrypt(nonce, payload, ALG.encode())
        return base64.b64encode(sealed).decode(), SealedPayload(alg=ALG, key_id=self.key_id)


def read_key(text: str | bytes) -> bytes:
    key = base64.b64decode(text.strip())
    if len(key) != 32:
        raise ConfigurationError("the dead-letter key must be 32 bytes, base64-encoded")
    return key


def new_key_text() -> bytes:
    return base64.b64encode(AESGCM.generate_key(bit_length=256))


@lru_cache(maxsize=8)
def _sealer(key_file: Path | None, inline: str | None) -> Sealer:
    if inline:
        return Sealer(read_key(inline))
    if key_file is not None:
        try:
            return Sealer(read_key(Path(key_file).read_bytes()))
        except OSError as exc:
            raise ConfigurationError(f"SCREENING_DEADLETTER_KEY_FILE {key_file}: "
                                     f"{exc.strerror}") from None
    return Sealer(None)


def sealer_for(settings: Settings) -> Sealer:
    inline = settings.deadletter_key.get_secret_value() if settings.deadletter_key else None
    return _sealer(settings.deadletter_key_file, inline)


def dead_letter(payload: bytes | None, code: str, message: str, now: datetime, *, topic: str,
                partition: int | None, offset: int | None, sealer: Sealer) -> DeadLetter:
    payload = payload or b""
    size = len(payload)
    digest = hashlib.sha256(payload).hexdigest()
    if size > DEADLETTER_PAYLOAD_BYTES:
        message = (f"{message} (payload cut to its first {DEADLETTER_PAYLOAD_BYTES} "
                   f"of {len(payload)} bytes)")
        payload = payload[:DEADLETTER_PAYLOAD_BYTES]
    b64, sealed = sealer.seal(payload)
    return DeadLetter(received_at=now, topic=topic, partition=partition, offset=offset,
                      reason=DeadLetterReason(code=code, message=message),
                      payload_b64=b64, payload_bytes=size,
                      payload_truncated=len(payload) < size, payload_sha256=digest,
                      payload_sealed=sealed, payload_withheld=sealed is None and size > 0)


def open_payload(letter: DeadLetter | dict[str, Any], key: bytes) -> bytes:
    """The original bytes of a sealed dead letter (as far as it kept them)."""
    if isinstance(letter, dict):
        letter = DeadLetter.model_validate(letter)
    if letter.payload_sealed is None:
        if letter.payload_withheld:
            raise ValueError("this dead letter's payload was withheld (no key was set)")
        return base64.b64decode(letter.payload_b64)
    raw = base64.b64decode(letter.payload_b64)
    nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, body, letter.payload_sealed.alg.encode())


__all__ = ["DEADLETTER_PAYLOAD_BYTES", "Sealer", "dead_letter", "open_payload", "sealer_for"]
