"""The compiled audit digests (native/src/digest.rs) against the standard library's
HMAC-SHA-256 (RFC 2104), case for case: every kind, keys shorter and longer than a
block, any text. The reference is hmac.digest itself, so a digest written before the
compiled core (audit records already on the topic, the console's searches) is the same
digest after it."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
import screening_native
from hypothesis import example, given
from hypothesis import strategies as st

from screening.audit.digests import DIGEST_BYTES, KINDS, SUBJECT, Digester

ALL_KINDS = (*KINDS, SUBJECT)


def reference(key: bytes, kind: str, value: str) -> str:
    mac = hmac.digest(key, f"{kind}\x1f{value}".encode(), hashlib.sha256)[:DIGEST_BYTES]
    return f"{kind}:" + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


@given(key=st.binary(min_size=0, max_size=200), kind=st.sampled_from(ALL_KINDS),
       value=st.text(st.characters(exclude_categories=["Cs"]), max_size=80))
@example(key=b"k" * 64, kind="document", value="AB1234567|DEU")  # a key of one block
@example(key=b"k" * 65, kind="person", value="MÜLLER,ÉRIC|1970-01-01")  # hashed first
@example(key=b"k" * 16, kind="name", value="")
def test_the_compiled_digest_is_hmac_sha256_truncated(key: bytes, kind: str, value: str) -> None:
    assert Digester(key).digest(kind, value) == reference(key, kind, value)


@pytest.mark.parametrize("size", [1, 15, 16, 17, 32])
def test_any_truncation_is_the_reference_prefix(size: int) -> None:
    key = b"a-sixteen-char-k"
    mac = hmac.digest(key, b"vin\x1f1M8GDM9AXKP042788", hashlib.sha256)[:size]
    want = "vin:" + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    assert screening_native.AuditDigester(key, ["vin"], size).digest(
        "vin", "1M8GDM9AXKP042788") == want


def test_an_unknown_kind_is_a_key_error_and_a_bad_size_refused() -> None:
    with pytest.raises(KeyError):
        Digester(b"k" * 16).digest("passport", "X")
    for size in (0, 33):
        with pytest.raises(ValueError):
            screening_native.AuditDigester(b"k" * 16, ["vin"], size)


def test_a_lone_surrogate_is_refused_as_python_would() -> None:
    with pytest.raises(UnicodeEncodeError):
        "\ud800".encode()
    with pytest.raises(UnicodeEncodeError):
        Digester(b"k" * 16).digest("name", "\ud800")
