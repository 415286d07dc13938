"""Every Kafka and Redis client's connection options, built in one place from the settings.

The worker (Faust), the live-updates consumer, the simulator, the console, `alerts
tail`, the benchmark, the tests and the admin calls all connect through these
functions, so no client can forget TLS or credentials. Secrets stay `SecretStr` until
the moment a client library needs the text.
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path
from typing import Any

from screening.exceptions import ConfigurationError
from screening.settings import Settings

SCRAM = "SCRAM-SHA-512"


def _need(settings: Settings, *, redis: bool = False) -> tuple[str, str]:
    user = settings.redis_username if redis else settings.kafka_username
    secret = settings.redis_password if redis else settings.kafka_password
    what = "REDIS" if redis else "KAFKA"
    if not user or secret is None:
        raise ConfigurationError(
            f"SCREENING_{what}_USERNAME and SCREENING_{what}_PASSWORD_FILE are needed "
            f"(`screening security client-config PRINCIPAL --format env` prints them)")
    return user, secret.get_secret_value()


@lru_cache(maxsize=16)
def _ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    # TLS 1.2+ with host name checks; the local CA when given, else the system's.
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def kafka_ssl_context(settings: Settings) -> ssl.SSLContext:
    if settings.kafka_ca_file is not None and not Path(settings.kafka_ca_file).exists():
        raise ConfigurationError(f"SCREENING_KAFKA_CA_FILE {settings.kafka_ca_file} "
                                 "does not exist (run `screening security init`)")
    return _ssl_context(settings.kafka_ca_file)


def aiokafka_options(settings: Settings) -> dict[str, Any]:
    """Options every aiokafka client (producer, consumer, admin) is built with."""
    options: dict[str, Any] = {"bootstrap_servers": settings.broker_hosts}
    if settings.kafka_security == "sasl_ssl":
        user, password = _need(settings)
        options.update(security_protocol="SASL_SSL", sasl_mechanism=SCRAM,
                       sasl_plain_username=user, sasl_plain_password=password,
                       ssl_context=kafka_ssl_context(settings))
    return options


def faust_credentials(settings: Settings) -> Any:
    """Faust's `broker_credentials`: SCRAM over TLS, or None on a plaintext broker."""
    if settings.kafka_security != "sasl_ssl":
        return None
    import faust  # the worker's dependency only

    user, password = _need(settings)
    return faust.SASLCredentials(username=user, password=password, mechanism=SCRAM,
                                 ssl_context=kafka_ssl_context(settings))


def librdkafka_config(settings: Settings) -> dict[str, str]:
    """The same connection for librdkafka clients: confluent-kafka, and kcat's `-F` file."""
    config = {"bootstrap.servers": ",".join(settings.broker_hosts)}
    if settings.kafka_security == "sasl_ssl":
        user, password = _need(settings)
        config.update({"security.protocol": "SASL_SSL", "sasl.mechanisms": SCRAM,
                       "sasl.username": user, "sasl.password": password})
        if settings.kafka_ca_file is not None:
            config["ssl.ca.location"] = str(Path(settings.kafka_ca_file).resolve())
    else:
        config["security.protocol"] = "PLAINTEXT"
    return config


def redis_options(settings: Settings) -> dict[str, Any]:
    """Credentials and TLS for redis-py, added to the URL's own options."""
    options: dict[str, Any] = {}
    if settings.redis_username or settings.redis_password is not None:
        if settings.redis_username:
            options["username"] = settings.redis_username
        if settings.redis_password is not None:
            options["password"] = settings.redis_password.get_secret_value()
    if settings.redis_url.startswith("rediss://"):
        if settings.redis_ca_file is not None:
            options["ssl_ca_certs"] = str(settings.redis_ca_file)
        options["ssl_cert_reqs"] = "required"
    return options
