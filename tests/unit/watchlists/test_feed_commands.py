"""`watchlists keygen|sign|publish`, and `load` refusing files without a trusted manifest
before anything reaches Redis."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from screening.cli import feed, main
from screening.exceptions import InvalidRecord
from screening.settings import Settings
from screening.watchlists import signing
from tests.support.feed import sign_files

SLTD = {"list": "sltd", "id": "S1", "document_number": "X1", "issuing_state": "D",
        "status": "lost"}


def test_keygen_writes_a_private_key_for_its_owner_and_trusts_its_public_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watchlists", "keygen", "--out", str(tmp_path / "k")]) == 0
    private = tmp_path / "k" / signing.PRIVATE_KEY_NAME
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = signing.parse_private_key(private.read_bytes())
    kid = signing.key_id_of(key.public_key())
    assert kid in capsys.readouterr().out
    assert list(signing.load_trusted_keys(tmp_path / "k" / signing.TRUSTED_KEYS_NAME).keys) == [kid]
    # A second keygen into the same folder never overwrites the key.
    assert main(["watchlists", "keygen", "--out", str(tmp_path / "k")]) == 1
    assert private.read_bytes() == signing.private_pem(key)


def test_keygen_appends_to_an_existing_trusted_keys_file(tmp_path: Path) -> None:
    keys = tmp_path / "trusted.jsonl"
    for name in ("a", "b"):
        assert main(["watchlists", "keygen", "--out", str(tmp_path / name),
                     "--keys-file", str(keys)]) == 0
    assert len(signing.load_trusted_keys(keys).keys) == 2


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "sltd.ndjson"
    path.write_bytes(orjson.dumps(SLTD) + b"\n")
    return path


def test_load_refuses_every_file_when_one_lacks_a_trusted_manifest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = _file(tmp_path), tmp_path / "other.ndjson"
    bad.write_bytes(orjson.dumps(SLTD) + b"\n")
    sign_files([good])
    # No Redis is running for unit tests: a refusal must come before any connection.
    assert main(["watchlists", "load", "--quiet", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "UNSIGNED_FILE" in err and "other.ndjson" in err and "nothing was loaded" in err
    assert "sltd.ndjson:" not in err


def test_manifests_are_checked_against_the_configured_keys(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path)
    sign_files([path])
    assert feed.check_manifests(Settings(), [path]) == []
    monkeypatch.delenv("SCREENING_FEED_KEYS")
    [why] = feed.check_manifests(Settings(), [path])
    assert "no trusted feed keys" in why
    other = tmp_path / "keys"
    _, keys_file = signing.ensure_feed_keys(other)
    [why] = feed.check_manifests(Settings(feed_keys_file=str(keys_file)), [path])
    assert why.startswith("BAD_SIGNATURE") and "not a trusted feed key" in why


def test_sign_writes_manifests_that_load_accepts(tmp_path: Path) -> None:
    path = _file(tmp_path)
    assert main(["watchlists", "sign", str(path)]) == 0
    assert feed.check_manifests(Settings(), [path]) == []


def test_sign_without_a_key_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SCREENING_FEED_SIGNING_KEY")
    assert main(["watchlists", "sign", str(_file(tmp_path))]) == 1
    assert "keygen" in capsys.readouterr().err


def test_generate_signs_its_files_when_a_signing_key_is_configured(tmp_path: Path) -> None:
    assert main(["watchlists", "generate", "--out", str(tmp_path), "--sltd", "5",
                 "--notices", "3", "--smv", "2"]) == 0
    lists = sorted(tmp_path.glob("*.ndjson"))
    assert len(lists) == 4
    assert feed.check_manifests(Settings(), lists) == []


NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def test_publish_turns_records_into_upserts_or_deletes_and_keeps_updates() -> None:
    update = {"update_id": "u9", "op": "delete", "issued_at": "2026-11-28T09:00:00Z",
              "record": {"list": "smv", "id": "V1"}}
    lines = [orjson.dumps(SLTD), b"", orjson.dumps(update)]
    ups = feed.updates_of(lines, delete=False, now=NOW)
    assert [(u["op"], u["record"]["id"], u["issued_at"]) for u in ups] == [
        ("upsert", "S1", "2026-11-28T10:00:00Z"), ("delete", "V1", "2026-11-28T09:00:00Z")]
    assert ups[0]["record"]["document_number"] == "X1"
    dels = feed.updates_of([orjson.dumps(SLTD)], delete=True, now=NOW)
    assert dels[0]["op"] == "delete" and dels[0]["record"] == {"list": "sltd", "id": "S1"}


def test_publish_sends_nothing_when_a_line_is_bad() -> None:
    with pytest.raises(InvalidRecord, match=r"line 2: record\.status"):
        feed.updates_of([orjson.dumps(SLTD), orjson.dumps({**SLTD, "status": "gone"})],
                        delete=False, now=NOW)
