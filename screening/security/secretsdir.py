"""The secrets folder: CA, certificates and passwords, made once and kept (mode 0600).

    <secrets_dir>/ca.crt, ca.key               the local CA
    <secrets_dir>/kafka-node.p12 (+ .password)  the broker's keystore (TLS and controller mTLS)
    <secrets_dir>/redis.crt, redis.key          Redis's TLS certificate
    <secrets_dir>/kafka/<principal>.password    one SCRAM password per principal
    <secrets_dir>/redis/<user>.password         one password per Redis ACL user

Nothing is ever overwritten: `ensure` only adds what is missing, so it is idempotent and
a rerun keeps every client's credentials valid.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from screening.security import pki
from screening.settings import Settings

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]
# The broker's certificate name: also its principal on the controller listener (mTLS),
# which the broker configuration lists among the super users.
NODE_CN = "kafka-node"


def write_private(path: Path, data: bytes | Sequence[bytes], durable: bool = False) -> None:
    """Writes `data` (or its chunks, in order) to `path`, mode 0600, by a rename: a reader
    sees the old file or the new one. `durable`: fsynced (file, then folder) before and
    after the rename, so that a power cut leaves one of them whole too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for chunk in [data] if isinstance(data, bytes) else data:
            fh.write(chunk)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    if durable:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def new_password() -> str:
    # URL-safe: no quote, space or '>' that a JAAS line or a Redis ACL file would misread.
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class SecretsDir:
    root: Path

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.root / "ca.key"

    @property
    def node_keystore(self) -> Path:
        return self.root / "kafka-node.p12"

    @property
    def node_keystore_password(self) -> Path:
        return self.root / "kafka-node.p12.password"

    @property
    def redis_cert(self) -> Path:
        return self.root / "redis.crt"

    @property
    def redis_key(self) -> Path:
        return self.root / "redis.key"

    def kafka_password_file(self, principal: str) -> Path:
        return self.root / "kafka" / f"{principal}.password"

    def redis_password_file(self, user: str) -> Path:
        return self.root / "redis" / f"{user}.password"

    def kafka_password(self, principal: str) -> str:
        return self._read(self.kafka_password_file(principal), f"Kafka principal {principal!r}")

    def redis_password(self, user: str) -> str:
        return self._read(self.redis_password_file(user), f"Redis user {user!r}")

    @staticmethod
    def _read(path: Path, whose: str) -> str:
        if not path.exists():
            raise FileNotFoundError(f"no password for {whose} in {path.parent} "
                                    "(run `screening security init`)")
        return path.read_text(encoding="utf-8").strip()

    def kafka_principals(self) -> list[str]:
        folder = self.root / "kafka"
        return sorted(p.name.removesuffix(".password") for p in folder.glob("*.password"))

    def ensure(self, kafka_principals: list[str], redis_users: list[str]) -> list[str]:
        """Creates what is missing; returns the names of the files made."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        made: list[str] = []
        if not (self.ca_cert.exists() and self.ca_key.exists()):
            key, cert = pki.make_ca()
            write_private(self.ca_key, pki.key_pem(key))
            write_private(self.ca_cert, pki.cert_pem(cert))
            made += [self.ca_key.name, self.ca_cert.name]
        ca_key, ca_cert = pki.load_key(self.ca_key), pki.load_cert(self.ca_cert)
        if not (self.node_keystore.exists() and self.node_keystore_password.exists()):
            key, cert = pki.make_leaf(ca_key, ca_cert, NODE_CN, LOOPBACK_HOSTS)
            password = new_password()
            write_private(self.node_keystore_password, password.encode())
            write_private(self.node_keystore, pki.pkcs12_keystore(key, cert, ca_cert, password))
            made.append(self.node_keystore.name)
        if not (self.redis_cert.exists() and self.redis_key.exists()):
            key, cert = pki.make_leaf(ca_key, ca_cert, "redis", LOOPBACK_HOSTS)
            write_private(self.redis_key, pki.key_pem(key))
            write_private(self.redis_cert, pki.cert_pem(cert))
            made.append(self.redis_cert.name)
        for principal in kafka_principals:
            path = self.kafka_password_file(principal)
            if not path.exists():
                write_private(path, new_password().encode())
                made.append(f"kafka/{path.name}")
        for user in redis_users:
            path = self.redis_password_file(user)
            if not path.exists():
                write_private(path, new_password().encode())
                made.append(f"redis/{path.name}")
        return made


def principal_settings(settings: Settings, principal: str) -> Settings:
    """The same settings, connecting to Kafka as `principal` with its password from the
    secrets folder and the local CA (tests, `security init`, `client-config`)."""
    secrets = SecretsDir(Path(settings.secrets_dir))
    return settings.model_copy(update={
        "kafka_security": "sasl_ssl", "kafka_username": principal,
        "kafka_password": SecretStr(secrets.kafka_password(principal)),
        "kafka_password_file": None, "kafka_ca_file": secrets.ca_cert})


def redis_user_settings(settings: Settings, user: str) -> Settings:
    """The same settings, connecting to Redis as ACL user `user`."""
    secrets = SecretsDir(Path(settings.secrets_dir))
    update: dict[str, object] = {"redis_username": user,
                                 "redis_password": SecretStr(secrets.redis_password(user)),
                                 "redis_password_file": None}
    if settings.redis_url.startswith("rediss://") and settings.redis_ca_file is None:
        update["redis_ca_file"] = secrets.ca_cert
    return settings.model_copy(update=update)
