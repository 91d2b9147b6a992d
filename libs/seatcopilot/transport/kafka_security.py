"""How every Kafka client of the project authenticates and encrypts: one validated settings object, and the
keyword arguments it means for each client library (Faust, aiokafka, kafka-python).

PLAINTEXT (the default) is for a broker on loopback (`make up`, the tests); SASL_SSL authenticates the client
with SCRAM and encrypts the connection with TLS, checking the broker's certificate against KAFKA_SSL_CAFILE
(the system's CAs when unset). The password comes from KAFKA_SASL_PASSWORD or, so that Kubernetes can mount
a Secret, from the file KAFKA_SASL_PASSWORD_FILE names; it is never part of the settings' repr.
"""

from __future__ import annotations

import dataclasses
import functools
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seatcopilot.config import ConfigError, env, load

PLAINTEXT, SASL_SSL = "PLAINTEXT", "SASL_SSL"


@dataclasses.dataclass(frozen=True)
class KafkaSecurity:
    """Kafka client security settings (shared by every service, CLI and tool)."""

    protocol: str = env("KAFKA_SECURITY_PROTOCOL", default=PLAINTEXT, choices=(PLAINTEXT, SASL_SSL),
                        help="PLAINTEXT (loopback development) or SASL_SSL (SCRAM over TLS)")
    mechanism: str = env("KAFKA_SASL_MECHANISM", default="SCRAM-SHA-512", choices=("SCRAM-SHA-512", "SCRAM-SHA-256"))
    username: str = env("KAFKA_SASL_USERNAME", default="", help="the SCRAM user (the service's principal)")
    password: str = env("KAFKA_SASL_PASSWORD", default="", secret=True)
    password_file: Path | None = env("KAFKA_SASL_PASSWORD_FILE", default=None,
                                     help="a file holding the SCRAM password (a mounted Secret); instead of "
                                          "KAFKA_SASL_PASSWORD")
    cafile: Path | None = env("KAFKA_SSL_CAFILE", default=None,
                              help="PEM CA bundle that signed the brokers' certificates; unset: the system's CAs")

    @property
    def secured(self) -> bool:
        return self.protocol == SASL_SSL


def kafka_security(environ: Mapping[str, str] | None = None) -> KafkaSecurity:
    """The settings from the environment, the password read from its file; ConfigError names every problem."""
    settings = load(KafkaSecurity, environ)
    problems = []
    password = settings.password
    if settings.password_file is not None:
        if password:
            problems.append("set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both")
        try:
            password = settings.password_file.read_text().rstrip("\r\n")
        except OSError as error:
            problems.append(f"KAFKA_SASL_PASSWORD_FILE cannot be read ({error.strerror})")
    if settings.secured and not (settings.username and password):
        problems.append("SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)")
    if settings.cafile is not None and not settings.cafile.is_file():
        problems.append(f"KAFKA_SSL_CAFILE {settings.cafile} is not a file")
    if problems:
        raise ConfigError("invalid configuration for KafkaSecurity:\n  " + "\n  ".join(problems))
    return dataclasses.replace(settings, password=password, password_file=None)


@functools.lru_cache(maxsize=8)
def ssl_context(settings: KafkaSecurity) -> ssl.SSLContext:
    """Verifies the broker's certificate and host name (one context per settings, shared by the clients)."""
    return ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)


def _resolve(settings: KafkaSecurity | None) -> KafkaSecurity:
    return kafka_security() if settings is None else settings


def client_options(settings: KafkaSecurity | None = None) -> dict[str, Any]:
    """Keyword arguments for aiokafka's AIOKafkaConsumer / AIOKafkaProducer / AIOKafkaClient, and kafka-python's
    KafkaConsumer / KafkaProducer / KafkaAdminClient (both take the Java client's setting names)."""
    settings = _resolve(settings)
    if not settings.secured:
        return {"security_protocol": PLAINTEXT}
    return {"security_protocol": SASL_SSL, "sasl_mechanism": settings.mechanism,
            "sasl_plain_username": settings.username, "sasl_plain_password": settings.password,
            "ssl_context": ssl_context(settings)}


def faust_options(settings: KafkaSecurity | None = None) -> dict[str, Any]:
    """Keyword arguments for faust.App: its consumers and producer take the credentials (nothing in plaintext)."""
    settings = _resolve(settings)
    if not settings.secured:
        return {}
    import faust  # only the services import Faust

    return {"broker_credentials": faust.SASLCredentials(username=settings.username, password=settings.password,
                                                        ssl_context=ssl_context(settings),
                                                        mechanism=settings.mechanism)}
