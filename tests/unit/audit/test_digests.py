"""Keyed digests: the key matters, and the worker's and the auditor's sides meet."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from screening.audit.digests import Digester, audit_key, query_sets, require_key
from screening.exceptions import ConfigurationError
from screening.settings import Settings

KEY = b"k" * 32


def test_a_different_key_gives_different_digests() -> None:
    a, b = Digester(KEY), Digester(b"K" * 32)
    for da, db in ((a.document("L898902C3", "UTO"), b.document("L898902C3", "UTO")),
                   (a.person("ERIKSSON", "ANNA", "1974-08-12"),
                    b.person("ERIKSSON", "ANNA", "1974-08-12")),
                   (a.vin("1M8GDM9AXKP042788"), b.vin("1M8GDM9AXKP042788")),
                   (a.plate("B-AB 1234", "D"), b.plate("B-AB 1234", "D"))):
        assert da and db and not set(da) & set(db)
        assert da == [x for x in da]  # deterministic order
    assert a.document("L898902C3", "UTO") == Digester(KEY).document("L898902C3", "UTO")


def test_digests_are_not_plain_hashes_of_the_value() -> None:
    import base64
    import hashlib

    [number_only, _] = Digester(KEY).document("L898902C3", "UTO")
    plain = base64.urlsafe_b64encode(hashlib.sha256(b"L898902C3").digest()[:16]).rstrip(b"=")
    assert plain.decode() not in number_only


@pytest.mark.parametrize(("scanned", "asked"), [
    (("l898902c3", "uto"), ("L898 902C3", "UTO")),
    (("L898902C3", "DEU"), ("L898902C3", "D")),  # the matcher's one name per country
    (("L-898902-C3", "D<<"), ("l898902c3", "deu")),
])
def test_documents_normalised_as_the_matcher_does(scanned: tuple[str, str],
                                                   asked: tuple[str, str]) -> None:
    d = Digester(KEY)
    assert set(d.document(*scanned)) == set(d.document(*asked))


def test_names_meet_across_icao_folds_and_the_mrz_form() -> None:
    d = Digester(KEY)

    def person(*args: str) -> set[str]:
        return {x for x in d.person(*args) if x.startswith("person:")}

    printed = person("Müller", "Anna-Maria", "1974-08-12")
    assert person("MUELLER", "ANNA MARIA", "1974-08-12") & printed  # the MRZ's form
    assert person("Muller", "Anna Maria", "1974-08-12") & printed  # bare letters
    assert not person("Müller", "Anna-Maria", "1974-08-13") & printed
    assert not person("Müller", "Anna", "1974-08-12") & printed


def test_plates_by_the_matcher_key() -> None:
    d = Digester(KEY)
    assert set(d.plate("b-ab 1234", "DEU")) == set(d.plate("BAB1234", "D"))
    # the same skeleton: the read the matcher looked up as B-AB 1234
    assert set(d.plate("8-A8 1234", "D")) == set(d.plate("B-AB 1234", "D"))
    assert not set(d.plate("B-AB 1235", "D")) & set(d.plate("B-AB 1234", "D"))


def test_query_sets_pick_the_kind_asked() -> None:
    d = Digester(KEY)
    held = set(d.document("L898902C3", "UTO") + d.person("ERIKSSON", "ANNA", "1974-08-12"))

    def found(**kw: str) -> bool:
        return all(held & s for s in query_sets(d, **kw))

    assert found(document="L898902C3", state="UTO")
    assert found(document="L898902C3")  # any state
    assert not found(document="L898902C3", state="D")
    assert found(name="ERIKSSON, ANNA", dob="1974-08-12")
    assert found(name="eriksson,anna")
    assert not found(name="ERIKSSON", dob="1974-08-12")  # given names are part of it
    assert found(document="L898902C3", name="ERIKSSON, ANNA")
    assert not found(document="L898902C3", vin="1M8GDM9AXKP042788")
    assert not found(document="")  # nothing usable matches nothing


def test_the_key_comes_from_settings_and_must_be_a_secret() -> None:
    assert audit_key(Settings()) is None
    with pytest.raises(ConfigurationError, match="no audit key"):
        require_key(Settings())
    with pytest.raises(ConfigurationError, match="at least"):
        audit_key(Settings(audit_key=SecretStr("short")))
    assert audit_key(Settings(audit_key=SecretStr("x" * 40))) == b"x" * 40
    assert "x" * 40 not in repr(Settings(audit_key=SecretStr("x" * 40)))
    assert "k" * 32 not in repr(Digester(KEY))


def test_the_key_file_wins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "audit.key"
    path.write_text("f" * 43 + "\n")
    s = Settings(audit_key_file=path, audit_key=SecretStr("i" * 40))
    assert audit_key(s) == b"f" * 43


def test_the_digest_is_rfc_2104_hmac_sha256_truncated() -> None:
    import base64
    import hashlib
    import hmac

    for key in (KEY, b"short-but-16-chars", b"z" * 100):  # a key over a block is hashed
        mac = hmac.digest(key, b"vin\x1f1M8GDM9AXKP042788", hashlib.sha256)[:16]
        want = "vin:" + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        assert Digester(key).digest("vin", "1M8GDM9AXKP042788") == want


def test_a_search_id_is_the_audit_id_of_its_position() -> None:
    from screening.audit.records import audit_id, search_id
    from screening.core.engine import RawScan, Screened

    item = Screened(RawScan(kind="traveller", value=b"", topic="scans.x", partition=3,
                            offset=42))
    assert search_id(item, "e1") == audit_id("search", "scans.x", 3, 42)
    assert search_id(Screened(RawScan(kind="traveller", value=b"")), "e1") == audit_id(
        "search", "event", "e1")


def test_prepared_documents_digest_as_document_field() -> None:
    from screening.core.prepare import prepare
    from screening.models import TravellerScan

    scan = TravellerScan.model_validate({
        "event_id": "e", "checkpoint_id": "c", "terminal_id": "t",
        "scanned_at": "2026-11-28T10:00:00Z",
        "document": {"number": "l898-902c3", "issuing_state": "DEU"}})
    d = Digester(KEY)
    assert set(d.document("L898902C3", "D")) <= set(d.of_prepared(prepare(scan, Settings())))
