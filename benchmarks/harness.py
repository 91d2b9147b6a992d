"""`make up`'s topology driven from Python, for the load benchmark, the fault suite and the end-to-end tests:
the service processes (scripts/up.sh), an OTLP span collector they export to, and the per-stage latencies
read back from those spans. Kafka, Neo4j and Triton are started by the caller (scripts/run_bench.sh,
scripts/run_faults.sh, scripts/run_tests.sh)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from concurrent import futures
from dataclasses import dataclass

import grpc
import psutil
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from seatcopilot.config import local_grpc_base, local_metrics_base
from seatcopilot.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
RUN = ROOT / ".run" / "services"
SERVICES = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer", "console", "indicators")
# The path of a customer utterance, as (stage, topic it consumes): the spans' order along one (call_id, seq).
UTTERANCE_PATH = (("intake", "seatcopilot.call-events.v1"), ("classifier", "seatcopilot.transcript.v1"),
                  ("retrieval", "seatcopilot.classified.v1"), ("generation", "seatcopilot.grounded.v1"),
                  ("compliance", "seatcopilot.drafts.v1"), ("console", "seatcopilot.suggestions.v1"))


class SpanCollector(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace receiver that keeps every export request it gets."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self.port = 0

    def Export(self, request, context):
        with self._lock:
            self.requests.append(request.SerializeToString())
        return trace_service_pb2.ExportTraceServiceResponse()

    def blob(self) -> bytes:
        with self._lock:
            return b"".join(self.requests)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> SpanCollector:
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(0)


@dataclass(frozen=True)
class Span:
    stage: str
    topic: str
    call_id: str
    seq: int
    start_s: float
    end_s: float


def spans_of(blob: bytes) -> list[Span]:
    """The stage spans (those carrying a call_id) in a concatenation of OTLP export requests."""
    request = trace_service_pb2.ExportTraceServiceRequest.FromString(blob)
    found = []
    for resource in request.resource_spans:
        for scope in resource.scope_spans:
            for span in scope.spans:
                attrs = {a.key: a.value for a in span.attributes}
                if "seatcopilot.call_id" not in attrs:
                    continue
                found.append(Span(attrs["seatcopilot.stage"].string_value,
                                  attrs["messaging.destination.name"].string_value,
                                  attrs["seatcopilot.call_id"].string_value, int(attrs["seatcopilot.seq"].int_value),
                                  span.start_time_unix_nano / 1e9, span.end_time_unix_nano / 1e9))
    return found


def stage_latencies(spans: list[Span], keys: set[tuple[str, int]]) -> dict[str, dict[str, list[float]]]:
    """Per stage of a customer utterance's path, for the given (call_id, seq): `busy` (the span: the stage's
    own work) and `wait` (from the previous stage's span end to this one's start: the Kafka hop and queueing)."""
    by_key: dict[tuple[str, int], dict[str, Span]] = defaultdict(dict)
    for span in spans:
        if (span.call_id, span.seq) in keys and (span.stage, span.topic) in UTTERANCE_PATH:
            by_key[(span.call_id, span.seq)].setdefault(span.stage, span)  # first delivery only
    figures: dict[str, dict[str, list[float]]] = {stage: {"busy": [], "wait": []} for stage, _ in UTTERANCE_PATH}
    for chain in by_key.values():
        previous: Span | None = None
        for stage, _ in UTTERANCE_PATH:
            span = chain.get(stage)
            if span is None:
                previous = None
                continue
            figures[stage]["busy"].append(span.end_s - span.start_s)
            if previous is not None:
                figures[stage]["wait"].append(max(0.0, span.start_s - previous.end_s))
            previous = span
    return figures


def grpc_port(service: str) -> int:
    return local_grpc_base() + SERVICES.index(service) + 1


def metrics_port(service: str) -> int:
    return local_metrics_base() + SERVICES.index(service) + 1


class Topology:
    """Every service its own process (scripts/up.sh services-*), with an environment of the caller's."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = {"SEATCOPILOT_STATE_DIR": str(ROOT / ".run" / "state"), **os.environ, **env}
        self.cli = str(ROOT / ".venv" / "bin" / "seatcopilot")

    def start(self) -> None:
        subprocess.run([self.cli, "topics", "create"], check=True, env=self.env, timeout=120,
                       stdout=subprocess.DEVNULL)
        subprocess.run([self.cli, "kg", "load"], check=True, env=self.env, timeout=300, stdout=subprocess.DEVNULL)
        self.services_start()

    def services_start(self, **overrides: str) -> float:
        """Starts the services not running; returns the seconds until all answered health SERVING."""
        started = time.monotonic()
        subprocess.run([str(ROOT / "scripts" / "up.sh"), "services-start"], check=True,
                       env={**self.env, **overrides}, timeout=400, stderr=subprocess.DEVNULL)
        return time.monotonic() - started

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "up.sh"), "services-stop"], env=self.env, timeout=120,
                       stderr=subprocess.DEVNULL)

    def pid(self, service: str) -> int | None:
        path = RUN / f"{service}.pid"
        return int(path.read_text()) if path.exists() else None

    def kill(self, service: str, sig: int = signal.SIGKILL) -> None:
        """Sends sig to the service and waits until its process is gone."""
        pid = self.pid(service)
        if pid is None:
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        (RUN / f"{service}.pid").unlink(missing_ok=True)

    def restart(self, service: str, **overrides: str) -> float:
        self.kill(service, signal.SIGTERM)
        return self.services_start(**overrides)

    def logs(self) -> dict[str, str]:
        return {path.stem: path.read_text(errors="replace") for path in RUN.glob("*.log")}


# Servers beside the services, found by a word of their command line (they are started by scripts/infra.sh).
SERVERS = {"kafka": "kafka.Kafka", "neo4j": "org.neo4j", "triton": "tritonserver"}


class ProcessCpu:
    """CPU seconds (user + system) each process of the topology spent between two readings: where the cores
    go per utterance, which the spans (wall time, queues included) cannot say."""

    def __init__(self, topology: Topology) -> None:
        self.processes: dict[str, psutil.Process] = {}
        for service in SERVICES:
            pid = topology.pid(service)
            if pid is not None and psutil.pid_exists(pid):
                self.processes[service] = psutil.Process(pid)
        for process in psutil.process_iter(["cmdline"]):
            line = " ".join(process.info["cmdline"] or ())
            if str(ROOT) not in line:  # another checkout's servers
                continue
            for name, word in SERVERS.items():
                if word in line and name not in self.processes:
                    self.processes[name] = process
        self.processes["load generator"] = psutil.Process()

    def read(self) -> dict[str, float]:
        seconds = {}
        for name, process in self.processes.items():
            try:
                times = process.cpu_times()
                seconds[name] = times.user + times.system + times.children_user + times.children_system
            except psutil.Error:  # a process gone since: counted as nothing
                seconds[name] = 0.0
        return seconds

    @staticmethod
    def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {name: max(0.0, after.get(name, 0.0) - start) for name, start in before.items()}

