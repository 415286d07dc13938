"""Signed watchlist data: canonical JSON, keys, update signatures and bulk-file manifests."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import serialization

from screening.exceptions import FeedKeyError, InvalidRecord, SignatureRefused
from screening.models import WatchlistUpdate
from screening.watchlists import signing
from screening.watchlists.signing import TrustedKeys
from screening.watchlists.updates import read_update
from tests.support.feed import feed_key, signed, signed_dict, stranger_key

NOTICE_DELETE: dict[str, Any] = {
    "update_id": "u-1", "op": "delete", "issued_at": "2026-11-28T10:00:00Z",
    "record": {"list": "notice", "id": "N-1"}}
NOTICE_UPSERT: dict[str, Any] = {
    "update_id": "u-2", "op": "upsert", "issued_at": "2026-11-28T10:00:00Z",
    "record": {"list": "notice", "id": "N-1", "colour": "red",
               "names": [{"surname": "Müller", "given_names": "Zoë", "script": "Latn"},
                         {"surname": "Мюллер", "given_names": "Зоя", "script": "Cyrl"},
                         {"surname": "مولر", "given_names": "", "script": "Arab"}]}}


def trusted(*keys: Any) -> TrustedKeys:
    return TrustedKeys({signing.key_id_of(k.public_key()): k.public_key() for k in keys})


TRUSTED = trusted(feed_key())


# -- canonical JSON --

def test_canonical_json_sorts_keys_at_every_depth_without_spaces() -> None:
    obj = {"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": None}, "signature": {"value": "x"}}
    assert signing.canonical_json(obj) == b'{"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1}'


def test_canonical_json_keeps_non_ascii_as_utf8() -> None:
    out = signing.canonical_json(NOTICE_UPSERT)
    assert "Müller".encode() in out and "Мюллер".encode() in out and "مولر".encode() in out
    assert b"\\u" not in out
    assert out.decode("utf-8")  # valid UTF-8


def test_canonical_json_is_the_same_whatever_the_key_order_or_spacing() -> None:
    shuffled = orjson.loads(b'{ "record": {"id": "N-1", "list": "notice"}, "op": "delete",'
                            b' "issued_at": "2026-11-28T10:00:00Z", "update_id": "u-1" }')
    assert signing.canonical_json(shuffled) == signing.canonical_json(NOTICE_DELETE)


# -- keys --

def test_key_id_is_the_head_of_the_public_keys_sha256() -> None:
    pub = feed_key().public_key()
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signing.key_id_of(pub) == hashlib.sha256(raw).hexdigest()[:16]


def test_a_private_key_reads_from_pem_or_a_base64_seed() -> None:
    key = signing.new_key()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    for text in (signing.private_pem(key), base64.b64encode(seed)):
        got = signing.parse_private_key(text)
        assert signing.key_id_of(got.public_key()) == signing.key_id_of(key.public_key())


def test_an_unreadable_private_key_is_refused_without_showing_it() -> None:
    with pytest.raises(FeedKeyError) as caught:
        signing.parse_private_key("c2VjcmV0LXRleHQ=")  # base64 but not 32 bytes
    assert "c2VjcmV0" not in str(caught.value)


def test_trusted_keys_file_skips_comments_and_refuses_a_wrong_key_id(tmp_path: Path) -> None:
    a, b = signing.new_key(), signing.new_key()
    text = (b"# feed keys\n\n" + signing.trusted_line(a.public_key(), "a")
            + signing.trusted_line(b.public_key(), "b"))
    keys = signing.parse_trusted_keys(text)
    assert set(keys) == {signing.key_id_of(a.public_key()), signing.key_id_of(b.public_key())}
    entry = orjson.loads(signing.trusted_line(a.public_key()))
    entry["key_id"] = signing.key_id_of(b.public_key())  # b's id on a's key
    with pytest.raises(FeedKeyError, match=r"feed keys:1: key_id .* is not this key's"):
        signing.parse_trusted_keys(orjson.dumps(entry))
    with pytest.raises(FeedKeyError, match="unreadable"):
        signing.parse_trusted_keys('{"public_key": "not base64!"}')
    with pytest.raises(FeedKeyError, match="cannot read"):
        signing.load_trusted_keys(tmp_path / "missing.jsonl")
    assert not signing.load_trusted_keys(None, None)


def test_ensure_feed_keys_makes_a_pair_once(tmp_path: Path) -> None:
    private, keys_file = signing.ensure_feed_keys(tmp_path / "secrets")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    first = private.read_bytes()
    again = signing.ensure_feed_keys(tmp_path / "secrets")
    assert again == (private, keys_file)
    assert private.read_bytes() == first
    key = signing.parse_private_key(first)
    trusted_now = signing.load_trusted_keys(keys_file)
    assert list(trusted_now.keys) == [signing.key_id_of(key.public_key())]
    assert len(keys_file.read_text().splitlines()) == 1


# -- updates --

def test_a_signed_update_verifies_and_names_its_key() -> None:
    body = signed_dict(NOTICE_UPSERT)
    assert body["signature"]["alg"] == "ed25519"
    assert signing.verify_update(body, TRUSTED) == signing.key_id_of(feed_key().public_key())


def test_an_unsigned_update_is_refused_as_unsigned() -> None:
    with pytest.raises(SignatureRefused) as caught:
        signing.verify_update(NOTICE_DELETE, TRUSTED)
    assert caught.value.code == "UNSIGNED_UPDATE"


@pytest.mark.parametrize(("change", "words"), [
    (lambda u: u["record"].update(id="N-2"), "does not match"),  # content changed
    (lambda u: u.update(issued_at="2026-11-28T11:00:00Z"), "does not match"),
    (lambda u: u.update(extra="x"), "does not match"),  # a field added
    (lambda u: u["signature"].update(value=base64.b64encode(b"x" * 64).decode()),
     "does not match"),
    (lambda u: u["signature"].update(value="%%%"), "does not match"),
    (lambda u: u["signature"].update(alg="rsa"), "algorithm"),
    (lambda u: u["signature"].update(key_id="0123456789abcdef"), "not a trusted feed key"),
    (lambda u: u.update(signature="AAAA"), "not an object"),
    (lambda u: u["signature"].pop("value"), "lacks"),
])
def test_a_badly_signed_update_is_refused(change: Any, words: str) -> None:
    body = signed_dict(NOTICE_DELETE)
    change(body)
    with pytest.raises(SignatureRefused) as caught:
        signing.verify_update(body, TRUSTED)
    assert caught.value.code == "BAD_SIGNATURE"
    assert words in caught.value.message


def test_an_update_signed_by_an_untrusted_key_is_refused() -> None:
    with pytest.raises(SignatureRefused) as caught:
        signing.verify_update(signed_dict(NOTICE_DELETE, stranger_key()), TRUSTED)
    assert caught.value.code == "BAD_SIGNATURE"
    assert caught.value.key_id == signing.key_id_of(stranger_key().public_key())
    # Nothing trusted at all: refused the same way (fail closed).
    with pytest.raises(SignatureRefused, match="not a trusted"):
        signing.verify_update(signed_dict(NOTICE_DELETE), TrustedKeys({}))


def test_a_signature_moved_to_another_update_does_not_verify() -> None:
    genuine = signed_dict(NOTICE_UPSERT)
    forged = {**NOTICE_DELETE, "signature": genuine["signature"]}
    with pytest.raises(SignatureRefused, match="does not match"):
        signing.verify_update(forged, TRUSTED)


def test_the_worker_verifies_the_update_as_received_not_as_the_model_writes_it() -> None:
    """The model strips whitespace and drops unknown fields: a feed's update signed with
    either verifies (as received), and re-serialising it would not."""
    body = {**NOTICE_UPSERT, "feed_note": "kept", "record": {
        **NOTICE_UPSERT["record"], "names": [{"surname": " Müller ", "given_names": "Zoë"}]}}
    raw = signed(body)
    update = read_update(raw, TRUSTED)
    assert update.record.names[0].surname == "Müller"  # type: ignore[union-attr]
    assert update.signature is not None
    redone = update.model_dump(mode="json", exclude_none=True)
    with pytest.raises(SignatureRefused):
        signing.verify_update(redone, TRUSTED)


def test_read_update_tells_what_is_not_an_update_from_what_is_not_signed() -> None:
    with pytest.raises(InvalidRecord, match="Invalid JSON"):
        read_update(b'{"update_id": ', TRUSTED)
    with pytest.raises(InvalidRecord, match="not a JSON object"):
        read_update(b"[1, 2]", TRUSTED)
    with pytest.raises(SignatureRefused):  # signature first: an unsigned bad update is unsigned
        read_update(orjson.dumps({**NOTICE_DELETE, "op": "merge"}), TRUSTED)
    with pytest.raises(InvalidRecord, match="op"):
        read_update(signed({**NOTICE_DELETE, "op": "merge"}), TRUSTED)
    assert isinstance(read_update(signed(NOTICE_DELETE), TRUSTED), WatchlistUpdate)


# -- bulk-file manifests --

def _lists(tmp_path: Path) -> Path:
    path = tmp_path / "notices.ndjson"
    path.write_bytes(b"\n".join(orjson.dumps({"list": "sltd", "id": f"S{i}"}) for i in range(5))
                     + b"\n\n  \n")
    return path


def test_a_signed_file_verifies(tmp_path: Path) -> None:
    path = _lists(tmp_path)
    sig = signing.sign_file(path, feed_key())
    assert sig == tmp_path / "notices.ndjson.sig"
    manifest = orjson.loads(sig.read_bytes())
    assert manifest["records"] == 5  # blank lines are not records
    assert manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert signing.verify_manifest(path, TRUSTED).records == 5


def test_records_are_counted_without_a_final_newline_and_across_chunks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing, "_CHUNK", 7)  # lines cut across reads
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'{"a":1}\n{"bb":22}\n\n{"c":3}')
    assert signing.digest_file(path).records == 3


def _refusal(path: Path, keys: TrustedKeys = TRUSTED) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as caught:
        signing.verify_manifest(path, keys)
    return caught.value


def test_a_file_changed_after_signing_is_refused(tmp_path: Path) -> None:
    path = _lists(tmp_path)
    signing.sign_file(path, feed_key())
    path.write_bytes(path.read_bytes().replace(b'"S3"', b'"S9"'))
    refusal = _refusal(path)
    assert refusal.code == "FILE_MISMATCH" and "SHA-256" in refusal.message


def test_a_manifest_with_the_wrong_record_count_is_refused(tmp_path: Path) -> None:
    path = _lists(tmp_path)
    manifest = signing.make_manifest(path, feed_key())
    body = {k: v for k, v in manifest.items() if k != "signature"} | {"records": 4}
    body["signature"] = base64.b64encode(
        feed_key().sign(signing.canonical_json(body))).decode()  # genuinely signed, wrong count
    signing.manifest_path(path).write_bytes(orjson.dumps(body))
    refusal = _refusal(path)
    assert refusal.code == "FILE_MISMATCH" and "5 records" in refusal.message


def test_a_manifest_edited_after_signing_is_refused(tmp_path: Path) -> None:
    path = _lists(tmp_path)
    sig = signing.sign_file(path, feed_key())
    manifest = orjson.loads(sig.read_bytes())
    path.write_bytes(path.read_bytes() + b'{"list": "sltd", "id": "EXTRA"}\n')
    d = signing.digest_file(path)
    manifest |= {"sha256": d.sha256, "bytes": d.bytes, "records": d.records}
    sig.write_bytes(orjson.dumps(manifest))
    refusal = _refusal(path)
    assert refusal.code == "BAD_SIGNATURE" and "does not match" in refusal.message


def test_a_file_signed_by_an_unknown_key_or_unsigned_is_refused(tmp_path: Path) -> None:
    path = _lists(tmp_path)
    assert _refusal(path).code == "UNSIGNED_FILE"
    signing.sign_file(path, stranger_key())
    refusal = _refusal(path)
    assert refusal.code == "BAD_SIGNATURE" and "not a trusted feed key" in refusal.message
    signing.sign_file(path, feed_key())
    assert _refusal(path, TrustedKeys({})).code == "BAD_SIGNATURE"
    signing.manifest_path(path).write_bytes(b"not json")
    assert _refusal(path).code == "BAD_MANIFEST"
