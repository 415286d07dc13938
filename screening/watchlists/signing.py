"""Signed watchlist data: Ed25519 keys, canonical JSON, signed updates and bulk manifests.

Whoever can write `watchlist.updates` or hand a file to `watchlists load` could otherwise
delete a red notice; with signatures only a holder of a trusted feed key can. No I/O here
but reading and writing key and manifest files.

- **Canonical JSON** of an update or manifest: the received JSON object without its
  `signature`, keys sorted (at every depth), no spaces, UTF-8 (non-ASCII as itself, never
  `\\u` escapes), numbers as orjson writes them. What is verified is the object as it
  arrived, never a re-serialised model: the model drops unknown fields and strips
  whitespace, so its JSON is not what the feed signed.
- **key_id**: the first 16 hex digits of the SHA-256 of the raw 32-byte public key.
- **Trusted keys** (`SCREENING_FEED_KEYS_FILE`, or the same text in `SCREENING_FEED_KEYS`):
  JSON lines, one key a line, `{"key_id": ..., "alg": "ed25519", "public_key": <base64 of
  the raw 32 bytes>, "name": ...}`; blank lines and lines starting with `#` are skipped.
  A line whose key_id is not its key's is refused, and with it the whole file (a typo must
  not quietly leave a feed untrusted or, worse, trusted under another id).
- **Signing key** (`SCREENING_FEED_SIGNING_KEY_FILE`, or `SCREENING_FEED_SIGNING_KEY`):
  PKCS#8 PEM (what `watchlists keygen` writes, mode 0600) or the 32-byte seed in base64.
- **Manifest** `FILE.sig`: one JSON object `{"alg", "key_id", "sha256", "bytes", "records",
  "signature"}`; `records` counts the file's non-blank lines (what the loader reads as
  records, bad ones included), the signature covers the manifest's canonical JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from screening.exceptions import FeedKeyError, SignatureRefused

ALG = "ed25519"
UNSIGNED = "UNSIGNED_UPDATE"
BAD_SIGNATURE = "BAD_SIGNATURE"
PRIVATE_KEY_NAME = "feed-signing.key"
TRUSTED_KEYS_NAME = "feed-keys.jsonl"
MANIFEST_SUFFIX = ".sig"
_CHUNK = 4 << 20


# -- canonical JSON and keys --

def canonical_json(obj: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: `obj` without `signature`, keys sorted, compact, UTF-8."""
    body = {k: v for k, v in obj.items() if k != "signature"}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def parse_private_key(data: bytes | str) -> Ed25519PrivateKey:
    """A PKCS#8 PEM Ed25519 key, or its 32-byte seed in base64."""
    raw = data.encode() if isinstance(data, str) else data
    text = raw.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(text, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise FeedKeyError("the signing key is not an Ed25519 key")
            return key
        seed = base64.b64decode(text, validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except (ValueError, TypeError, binascii.Error) as exc:
        # Never the key's text in the message: it is a secret.
        raise FeedKeyError("the signing key is neither an Ed25519 PEM key nor a base64 "
                           f"32-byte seed ({type(exc).__name__})") from None


def trusted_line(key: Ed25519PublicKey, name: str = "") -> bytes:
    """One line of a trusted-keys file for `key`."""
    return orjson.dumps({"key_id": key_id_of(key), "alg": ALG,
                         "public_key": base64.b64encode(raw_public(key)).decode(),
                         "name": name,
                         "added_at": datetime.now(UTC).isoformat(timespec="seconds")}) + b"\n"


@dataclass(frozen=True)
class TrustedKeys:
    """The public keys whose signatures are accepted, by key_id."""

    keys: Mapping[str, Ed25519PublicKey]
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.keys)


def parse_trusted_keys(text: str | bytes, source: str = "feed keys") -> dict[str, Ed25519PublicKey]:
    out: dict[str, Ed25519PublicKey] = {}
    lines = text.decode() if isinstance(text, bytes) else text
    for n, line in enumerate(lines.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{n}"
        try:
            entry = orjson.loads(line)
            if not isinstance(entry, dict) or entry.get("alg", ALG) != ALG:
                raise FeedKeyError(f"{where}: not an {ALG} key entry")
            key = Ed25519PublicKey.from_public_bytes(
                base64.b64decode(str(entry["public_key"]), validate=True))
        except (orjson.JSONDecodeError, KeyError, ValueError, binascii.Error) as exc:
            raise FeedKeyError(f"{where}: unreadable key entry ({type(exc).__name__})") from None
        kid = key_id_of(key)
        if entry.get("key_id", kid) != kid:
            raise FeedKeyError(f"{where}: key_id {str(entry['key_id'])[:32]!r} is not this "
                               f"key's ({kid})")
        out[kid] = key
    return out


def load_trusted_keys(keys_file: Path | str | None, inline: str | None = None) -> TrustedKeys:
    """The trusted keys of a file and/or inline text (both are trusted when both are set).

    Raises FeedKeyError when a configured file cannot be read or holds a bad line."""
    keys: dict[str, Ed25519PublicKey] = {}
    sources = []
    if keys_file:
        path = Path(keys_file)
        try:
            keys.update(parse_trusted_keys(path.read_bytes(), str(path)))
        except OSError as exc:
            raise FeedKeyError(f"cannot read the trusted feed keys {path}: "
                               f"{exc.strerror or exc}") from None
        sources.append(str(path))
    if inline:
        keys.update(parse_trusted_keys(inline, "SCREENING_FEED_KEYS"))
        sources.append("SCREENING_FEED_KEYS")
    return TrustedKeys(keys, " + ".join(sources))


def load_signing_key(key_file: Path | str | None, inline: str | None = None) -> Ed25519PrivateKey:
    """The feed's private key: `inline` (tests) when given, else `key_file`'s."""
    if inline:
        return parse_private_key(inline)
    if not key_file:
        raise FeedKeyError("no feed signing key: set SCREENING_FEED_SIGNING_KEY_FILE "
                           "(`screening watchlists keygen --out DIR` makes one)")
    try:
        return parse_private_key(Path(key_file).read_bytes())
    except OSError as exc:
        raise FeedKeyError(f"cannot read the feed signing key {key_file}: "
                           f"{exc.strerror or exc}") from None


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write `key` as PEM, readable by its owner only from the first byte on (a folder
    made for it is its owner's only too)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem(key))
    os.chmod(path, 0o600)  # whatever the umask did


def add_trusted_key(keys_file: Path, key: Ed25519PublicKey, name: str = "") -> bool:
    """Append `key` to a trusted-keys file unless it is there already; True when added."""
    if keys_file.exists() and key_id_of(key) in parse_trusted_keys(keys_file.read_bytes(),
                                                                   str(keys_file)):
        return False
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    with open(keys_file, "ab") as fh:
        fh.write(trusted_line(key, name))
    return True


def ensure_feed_keys(directory: Path, name: str = "feed") -> tuple[Path, Path]:
    """A feed key pair under `directory`, made on first call: (private key, trusted keys).

    Idempotent: an existing private key is kept, and its public key added to the
    trusted-keys file only if missing."""
    directory = Path(directory)
    private, trusted = directory / PRIVATE_KEY_NAME, directory / TRUSTED_KEYS_NAME
    if private.exists():
        key = parse_private_key(private.read_bytes())
    else:
        key = new_key()
        write_private_key(private, key)
    add_trusted_key(trusted, key.public_key(), name)
    return private, trusted


# -- updates --

def sign_update(update: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """`update` (a JSON object, as it will be sent) with its `signature`."""
    body = {k: v for k, v in update.items() if k != "signature"}
    value = key.sign(canonical_json(body))
    body["signature"] = {"key_id": key_id_of(key.public_key()), "alg": ALG,
                         "value": base64.b64encode(value).decode()}
    return body


def verify(obj: Mapping[str, Any], trusted: TrustedKeys, *, unsigned: str = UNSIGNED,
           what: str = "update") -> str:
    """The key_id that signed `obj` (a received JSON object), or SignatureRefused."""
    sig = obj.get("signature")
    if sig is None:
        raise SignatureRefused(unsigned, f"the {what} is not signed")
    if not isinstance(sig, dict):
        raise SignatureRefused(BAD_SIGNATURE, f"the {what}'s signature is not an object")
    kid, alg, value = sig.get("key_id"), sig.get("alg"), sig.get("value")
    if alg != ALG:
        raise SignatureRefused(BAD_SIGNATURE, f"the {what}'s signature algorithm "
                               f"{str(alg)[:20]!r} is not {ALG}")
    if not isinstance(kid, str) or not isinstance(value, str):
        raise SignatureRefused(BAD_SIGNATURE, f"the {what}'s signature lacks key_id or value")
    key = trusted.keys.get(kid)
    if key is None:
        raise SignatureRefused(BAD_SIGNATURE, f"the {what} is signed by key {kid[:32]!r}, "
                               "which is not a trusted feed key", key_id=kid[:32])
    try:
        key.verify(base64.b64decode(value, validate=True), canonical_json(obj))
    except (InvalidSignature, binascii.Error, ValueError, orjson.JSONEncodeError):
        raise SignatureRefused(BAD_SIGNATURE, f"the {what}'s signature by key {kid} does not "
                               "match its content", key_id=kid) from None
    return kid


def verify_update(update: Mapping[str, Any], trusted: TrustedKeys) -> str:
    return verify(update, trusted)


# -- bulk files --

def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


@dataclass(frozen=True)
class FileDigest:
    sha256: str
    bytes: int
    records: int


def digest_file(path: Path) -> FileDigest:
    """SHA-256, size and non-blank lines of `path`, in one pass of bounded memory."""
    h = hashlib.sha256()
    size = records = 0
    carry = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            records += sum(1 for line in lines if line.strip())
    if carry.strip():
        records += 1
    return FileDigest(h.hexdigest(), size, records)


def make_manifest(path: Path, key: Ed25519PrivateKey) -> dict[str, Any]:
    d = digest_file(path)
    body = {"alg": ALG, "key_id": key_id_of(key.public_key()), "sha256": d.sha256,
            "bytes": d.bytes, "records": d.records}
    return {**body, "signature": base64.b64encode(key.sign(canonical_json(body))).decode()}


def sign_file(path: Path, key: Ed25519PrivateKey) -> Path:
    """Write `path`.sig beside `path`."""
    out = manifest_path(path)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(orjson.dumps(make_manifest(path, key)) + b"\n")
    tmp.replace(out)
    return out


def sign_files(paths: Iterable[Path], key: Ed25519PrivateKey) -> list[Path]:
    return [sign_file(Path(p), key) for p in paths]


def verify_manifest(path: Path, trusted: TrustedKeys) -> FileDigest:
    """Check `path` against its signed manifest `path`.sig; SignatureRefused says why not."""
    sig_path = manifest_path(path)
    try:
        manifest = orjson.loads(sig_path.read_bytes())
    except FileNotFoundError:
        raise SignatureRefused("UNSIGNED_FILE", f"{path}: no signed manifest {sig_path.name} "
                               "(`screening watchlists sign` writes it)") from None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise SignatureRefused("BAD_MANIFEST", f"{sig_path}: unreadable manifest "
                               f"({type(exc).__name__})") from None
    if not isinstance(manifest, dict):
        raise SignatureRefused("BAD_MANIFEST", f"{sig_path}: not a JSON object")
    # A manifest's "signature" is the base64 value itself, not an update's object.
    sig = manifest.get("signature")
    as_update = {**manifest, "signature": None if sig is None else {
        "key_id": manifest.get("key_id"), "alg": manifest.get("alg"), "value": sig}}
    try:
        verify(as_update, trusted, unsigned="UNSIGNED_FILE", what="manifest")
    except SignatureRefused as exc:
        raise SignatureRefused(exc.code, f"{sig_path}: {exc.message}", key_id=exc.key_id) from None
    d = digest_file(path)
    if (manifest.get("sha256"), manifest.get("bytes")) != (d.sha256, d.bytes):
        raise SignatureRefused("FILE_MISMATCH", f"{path}: its content is not what {sig_path.name} "
                               "signed (SHA-256 differs)")
    if manifest.get("records") != d.records:
        raise SignatureRefused("FILE_MISMATCH", f"{path}: {d.records} records, its manifest "
                               f"signed {manifest.get('records')}")
    return d


__all__ = [
    "ALG",
    "BAD_SIGNATURE",
    "UNSIGNED",
    "FileDigest",
    "TrustedKeys",
    "add_trusted_key",
    "canonical_json",
    "digest_file",
    "ensure_feed_keys",
    "key_id_of",
    "load_signing_key",
    "load_trusted_keys",
    "make_manifest",
    "manifest_path",
    "new_key",
    "parse_private_key",
    "parse_trusted_keys",
    "sign_file",
    "sign_files",
    "sign_update",
    "trusted_line",
    "verify_manifest",
    "verify_update",
]
