"""Terminals' client certificates without a server: what the certificate says, and which
terminal the registry takes it for (the current certificate of the terminal its URI
names, not revoked), beside the terminal's token."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from screening.edge.terminals import (
    SUPERVISOR_ROLE,
    TerminalRegistry,
    add_terminal,
    add_terminal_cert,
    read_terminals,
    revoke_terminal,
    terminal_uri,
)
from screening.security import pki

CA_KEY, CA = pki.make_ca("test CA")


def _cert(site: str, terminal: str) -> tuple[list[str], bytes, str]:
    """(URIs, DER, fingerprint) of a new certificate for the terminal."""
    _, cert = pki.make_client(CA_KEY, CA, terminal, terminal_uri(site, terminal))
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    uris = san.get_values_for_type(x509.UniformResourceIdentifier)
    return uris, cert.public_bytes(Encoding.DER), pki.cert_sha256(cert)


def test_a_terminal_certificate_names_its_terminal_and_is_for_clients_only() -> None:
    _, cert = pki.make_client(CA_KEY, CA, "kiosk 7/a", terminal_uri("arena", "kiosk 7/a"))
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == [
        "screening:terminal:arena/kiosk%207%2Fa"]
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.issuer == CA.subject
    cert.verify_directly_issued_by(CA)


def test_a_certificate_is_its_terminals_while_current_and_not_revoked(tmp_path: Path) -> None:
    path = tmp_path / "arena.terminals"
    registry = TerminalRegistry(path, "arena")
    token = add_terminal(path, "K1", "CP-1")
    uris, der, fingerprint = _cert("arena", "K1")
    assert registry.authenticate_cert(uris, der) is None  # not recorded yet
    add_terminal_cert(path, "K1", "CP-1", fingerprint)
    found = registry.authenticate_cert(uris, der)
    assert found is not None and (found.terminal_id, found.checkpoint_id) == ("K1", "CP-1")
    # The token it had is kept beside the certificate.
    assert registry.authenticate(token) == found
    # Another terminal's certificate of the same CA, or one naming this terminal at
    # another site, is not this terminal's.
    add_terminal_cert(path, "K2", "CP-1", _cert("arena", "K2")[2])
    other_uris, other_der, _ = _cert("arena", "K2")
    assert registry.authenticate_cert(other_uris, other_der) is None  # not K2's recorded one
    assert registry.authenticate_cert(_cert("harbour", "K1")[0], der) is None
    assert registry.authenticate_cert([*uris, *other_uris], der) is None  # two names: none
    # A new certificate voids the old one.
    new_uris, new_der, new_fingerprint = _cert("arena", "K1")
    add_terminal_cert(path, "K1", "CP-1", new_fingerprint)
    assert registry.authenticate_cert(uris, der) is None
    assert registry.authenticate_cert(new_uris, new_der) is not None
    # Revoked: the certificate and the token alike, from the next request.
    assert revoke_terminal(path, "K1")
    assert registry.authenticate_cert(new_uris, new_der) is None
    assert registry.authenticate(token) is None
    assert read_terminals(path)["K1"].cert_sha256 == new_fingerprint
    # Re-added after revocation: only the new credential, the old token stays refused.
    add_terminal_cert(path, "K1", "CP-1", fingerprint)
    assert registry.authenticate_cert(uris, der) is not None
    assert registry.authenticate(token) is None


def test_a_certificate_only_terminal_has_no_token_and_roles_carry_over(tmp_path: Path) -> None:
    path = tmp_path / "arena.terminals"
    registry = TerminalRegistry(path, "arena")
    uris, der, fingerprint = _cert("arena", "boss")
    add_terminal_cert(path, "boss", "", fingerprint, role=SUPERVISOR_ROLE)
    assert read_terminals(path)["boss"].token_sha256 == ""
    found = registry.authenticate_cert(uris, der)
    assert found is not None and found.role == SUPERVISOR_ROLE
    assert registry.authenticate("") is None
    # Lines written before certificates existed are read as tokens only.
    path.write_bytes(b'{"terminal_id": "old", "checkpoint_id": "CP", "token_sha256": "ab",'
                     b' "created_at": "2026-01-01", "revoked_at": null, "role": "terminal"}\n')
    assert read_terminals(path)["old"].cert_sha256 is None
