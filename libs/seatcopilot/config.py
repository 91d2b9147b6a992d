"""Service configuration from environment variables, validated once at start.

A config class is a frozen dataclass whose fields name their variable with `env(...)`; `load()`
reads them all and reports every problem at once, so a pod fails fast with one clear message.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


# `make up`'s ports on 127.0.0.1 (scripts/up.sh has the same defaults): service N serves gRPC on base + N and
# metrics on metrics base + N. Below Linux's ephemeral range (32768-60999), where any outgoing connection may hold
# a port when a service starts: that once failed a service's bind during a test run.
LOCAL_GRPC_BASE, LOCAL_METRICS_BASE = 30050, 9460


def local_grpc_base() -> int:
    return int(os.environ.get("SEATCOPILOT_GRPC_BASE", LOCAL_GRPC_BASE))


def local_metrics_base() -> int:
    return int(os.environ.get("SEATCOPILOT_METRICS_BASE", LOCAL_METRICS_BASE))


class ConfigError(ValueError):
    """One or more settings are missing or invalid."""


def env(name: str, *, default: Any = dataclasses.MISSING, choices: tuple[str, ...] = (),
        minimum: float | None = None, help: str = "", secret: bool = False) -> Any:
    """A setting read from variable `name`; a secret one is left out of the object's repr (and so of logs)."""
    metadata = {"env": name, "choices": choices, "minimum": minimum, "help": help}
    return dataclasses.field(default=default, metadata=metadata, repr=not secret)


def _convert(raw: str, kind: Any) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if kind in (int, float, str, Path):
        return kind(raw)
    raise TypeError(f"unsupported setting type {kind!r}")


def load(cls: type[T], environ: Mapping[str, str] | None = None) -> T:
    environ = os.environ if environ is None else environ
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = field.metadata.get("env")
        if name is None:
            continue
        kind = hints[field.name]
        if isinstance(kind, types.UnionType):  # Optional[X]: take X
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        raw = environ.get(name)
        if raw is None or raw == "":
            if field.default is dataclasses.MISSING:
                problems.append(f"{name} is required ({field.metadata['help'] or field.name})")
            continue
        try:
            value = _convert(raw, kind)
        except (TypeError, ValueError) as error:
            problems.append(f"{name}: {error}")
            continue
        choices = field.metadata["choices"]
        if choices and value not in choices:
            problems.append(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
        minimum = field.metadata["minimum"]
        if minimum is not None and value < minimum:
            problems.append(f"{name} must be at least {minimum}, got {raw!r}")
        values[field.name] = value
    if problems:
        raise ConfigError(f"invalid configuration for {cls.__name__}:\n  " + "\n  ".join(problems))
    return cls(**values)


@dataclasses.dataclass(frozen=True)
class CommonConfig:
    """Settings every service reads."""

    transport: str = env("SEATCOPILOT_TRANSPORT", default="kafka", choices=("kafka", "inprocess"),
                         help="kafka in the distributed mode, inprocess in the embedded mode")
    kafka_bootstrap: str = env("KAFKA_BOOTSTRAP", default="127.0.0.1:9092")
    kafka_partitions: int = env("KAFKA_TOPIC_PARTITIONS", default=6, minimum=1,
                                help="partitions of the pipeline's topics and of the state changelogs (keep it equal "
                                     "to the topics' real count: keys are co-partitioned)")
    kafka_replication: int = env("KAFKA_REPLICATION_FACTOR", default=1, minimum=1,
                                 help="replication factor of the topics and changelogs this service creates")
    grpc_port: int = env("GRPC_PORT", default=50051, minimum=1)
    metrics_port: int = env("METRICS_PORT", default=9464, minimum=0, help="0 disables the endpoint")
    otlp_endpoint: str = env("OTEL_EXPORTER_OTLP_ENDPOINT", default="",
                             help="OTLP gRPC endpoint; empty keeps spans in-process only")
    log_level: str = env("LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    drain_seconds: float = env("DRAIN_SECONDS", default=10.0, minimum=0)
    grpc_tls_dir: Path | None = env("GRPC_TLS_DIR", default=None,
                                    help="a folder with ca.crt, tls.crt and tls.key: gRPC with mutual TLS (clients "
                                         "need a certificate the CA signed); unset: plaintext (development)")
    grpc_health_port: int = env("GRPC_HEALTH_PORT", default=0, minimum=0,
                                help="a plaintext port answering gRPC health only, for probes that cannot present a "
                                     "certificate (with GRPC_TLS_DIR); 0: none")
    grpc_reflection: bool = env("GRPC_REFLECTION", default=False,
                                help="gRPC server reflection (development tools such as grpcurl); off in production")
    blas_threads: int = env("BLAS_THREADS", default=1, minimum=0,
                            help="threads numpy's BLAS may use (0: its default, one per core); one, since the "
                                 "encoders have their own pools and the stage's products are small")


# The embedded run mode (`make run`): the graph store in process and the local model, unless set otherwise.
EMBEDDED_DEFAULTS = {"RETRIEVAL_STORE": "embedded", "GENERATION_BACKEND": "local"}


def embedded_environ(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings the embedded run mode's stages read: its defaults, the environment, then overrides."""
    return {**EMBEDDED_DEFAULTS, **os.environ, **(overrides or {})}
