"""The edge's TLS: its server certificate (the deployment's own files, or one the local CA
signs on first start, as the broker's and Redis's are made, security/secretsdir.py), and
the CA its terminals' client certificates must be signed by."""

from __future__ import annotations

import ssl
from pathlib import Path

from screening.security import pki
from screening.security.secretsdir import LOOPBACK_HOSTS, SecretsDir, write_private
from screening.settings import Settings


def cert_paths(settings: Settings) -> tuple[Path, Path]:
    if settings.edge_tls_cert_file is not None and settings.edge_tls_key_file is not None:
        return Path(settings.edge_tls_cert_file), Path(settings.edge_tls_key_file)
    folder = Path(settings.secrets_dir) / "edge"
    return folder / f"{settings.edge_site}.crt", folder / f"{settings.edge_site}.key"


def ensure_cert(settings: Settings) -> tuple[Path, Path]:
    """The certificate and key, made from the local CA when missing (never overwritten)."""
    cert, key = cert_paths(settings)
    if settings.edge_tls_cert_file is None and not (cert.exists() and key.exists()):
        secrets = SecretsDir(Path(settings.secrets_dir))
        hosts = LOOPBACK_HOSTS + [h.strip() for h in settings.edge_tls_hosts.split(",")
                                  if h.strip()]
        leaf_key, leaf = pki.make_leaf(pki.load_key(secrets.ca_key),
                                       pki.load_cert(secrets.ca_cert),
                                       f"edge-{settings.edge_site}", hosts)
        write_private(key, pki.key_pem(leaf_key))
        write_private(cert, pki.cert_pem(leaf))
    return cert, key


def client_ca(settings: Settings) -> Path | None:
    """The CA whose client certificates terminals may present: the configured one, else
    the local CA when the secrets folder has one; None: tokens only."""
    if settings.edge_client_ca_file is not None:
        return Path(settings.edge_client_ca_file)
    local = SecretsDir(Path(settings.secrets_dir)).ca_cert
    return local if local.exists() else None


def server_context(settings: Settings) -> ssl.SSLContext:
    """TLS 1.2+; a client certificate is asked for and checked against the client CA when
    one is sent (CERT_OPTIONAL: a terminal with a token sends none). A certificate the CA
    did not sign fails the handshake; which terminal a good one is, routes.py decides."""
    cert, key = ensure_cert(settings)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    ca = client_ca(settings)
    if ca is not None:
        context.load_verify_locations(cafile=str(ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
