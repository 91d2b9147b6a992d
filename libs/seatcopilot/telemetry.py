"""Metrics, traces and logs shared by every service.

Metric labels are low-cardinality by construction (stage, topic, outcome, reason); span
attributes carry identifiers and counts, never utterance text or PII. Trace context rides in
Kafka headers (W3C traceparent), so one utterance is one trace across every hop.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter, Setter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from seatcopilot.redaction import redact

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

MESSAGES = Counter(
    "seatcopilot_stage_messages_total", "Messages a stage consumed, by outcome",
    ["stage", "topic", "outcome"],
)
STAGE_LATENCY = Histogram(
    "seatcopilot_stage_processing_seconds", "Time a stage spent on one message",
    ["stage"], buckets=LATENCY_BUCKETS,
)
DEAD_LETTERS = Counter(
    "seatcopilot_dead_letters_total", "Messages sent to the dead-letter topic", ["stage", "reason"],
)
PUBLISHED = Counter("seatcopilot_published_total", "Messages published", ["stage", "topic"])
SUGGESTION_LATENCY = Histogram(
    "seatcopilot_suggestion_latency_seconds",
    "From intake taking a customer utterance to its steered suggestion reaching the console",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
)
CALL_SECONDS = Counter("seatcopilot_call_seconds_total", "Duration of ended calls (the denominator of cost per "
                       "call-minute)")
DEPENDENCY_UP = Gauge(
    "seatcopilot_dependency_up", "1 while a service's dependency (transport, knowledge_store, model_backend) "
    "answers its health check, 0 while it does not", ["stage", "dependency"],
)
RPCS = Counter("seatcopilot_rpc_requests_total", "gRPC requests served", ["stage", "method", "code"])
RPC_LATENCY = Histogram(
    "seatcopilot_rpc_duration_seconds", "gRPC request duration", ["stage", "method"],
    buckets=LATENCY_BUCKETS,
)


INGESTED_AT_HEADER = "seatcopilot-ingested-at"
_ingested_at: contextvars.ContextVar[float | None] = contextvars.ContextVar("ingested_at", default=None)


def enter_message(headers: Mapping[str, bytes]) -> contextvars.Token:
    """Remembers when intake took the utterance this message descends from (now, if this is intake)."""
    raw = headers.get(INGESTED_AT_HEADER)
    try:
        value = float(raw) if raw else time.time()
    except ValueError:
        value = time.time()
    return _ingested_at.set(value)


def leave_message(token: contextvars.Token) -> None:
    _ingested_at.reset(token)


def since_ingest() -> float | None:
    ingested = _ingested_at.get()
    return None if ingested is None else time.time() - ingested


def stamp_ingest(headers: MutableMapping[str, bytes]) -> None:
    ingested = _ingested_at.get()
    if ingested is not None:
        headers[INGESTED_AT_HEADER] = repr(ingested).encode()


def start_metrics_server(port: int) -> None:
    if port:
        start_http_server(port, addr="0.0.0.0")


def setup_tracing(service: str, otlp_endpoint: str = "", exporter: SpanExporter | None = None) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": f"seatcopilot-{service}"}))
    if exporter is None and otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


class _HeaderGetter(Getter[Mapping[str, bytes]]):
    def get(self, carrier: Mapping[str, bytes], key: str) -> list[str] | None:
        value = carrier.get(key)
        return None if value is None else [value.decode("latin-1")]

    def keys(self, carrier: Mapping[str, bytes]) -> list[str]:
        return list(carrier)


class _HeaderSetter(Setter[MutableMapping[str, bytes]]):
    def set(self, carrier: MutableMapping[str, bytes], key: str, value: str) -> None:
        carrier[key] = value.encode("latin-1")


def inject_headers(headers: MutableMapping[str, bytes]) -> MutableMapping[str, bytes]:
    propagate.inject(headers, setter=_HeaderSetter())
    return headers


@contextmanager
def consume_span(stage: str, topic: str, headers: Mapping[str, bytes], call_id: str = "",
                 seq: int = 0) -> Iterator[trace.Span]:
    """A CONSUMER span continuing the producer's trace from the Kafka headers."""
    parent = propagate.extract(headers, getter=_HeaderGetter())
    token = otel_context.attach(parent)
    try:
        tracer = trace.get_tracer("seatcopilot")
        attributes: dict[str, str | int] = {"seatcopilot.stage": stage, "messaging.destination.name": topic,
                      "messaging.system": "kafka"}
        if call_id:
            attributes["seatcopilot.call_id"] = call_id
            attributes["seatcopilot.seq"] = seq
        with tracer.start_as_current_span(f"{stage} process", kind=trace.SpanKind.CONSUMER,
                                          attributes=attributes) as span:
            yield span
    finally:
        otel_context.detach(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. The message passes through the PII redactor as a backstop."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()).text,
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info)).text
        return json.dumps(entry)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "faust", "mode", "kafka", "neo4j", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
