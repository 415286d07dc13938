"""The test session's dead-letter key: every Settings and every process a test starts
seals dead letters with it (tests/conftest.py), and tests open them with `opened`."""

from __future__ import annotations

import functools
from typing import Any

from screening.deadletters import new_key_text, open_payload, read_key
from screening.models import DeadLetter


@functools.cache
def key_text() -> str:
    return new_key_text().decode()


def opened(letter: DeadLetter | dict[str, Any]) -> bytes:
    return open_payload(letter, read_key(key_text()))
