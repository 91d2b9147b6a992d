"""The public endpoints fuzzed with hypothesis: the console's and intake's HTTP APIs and the stages' gRPC
services, each on a real in-process server (in-process transport). Whatever the input — garbage bytes, wrong
types, huge integers, JSON nested thousands deep, messages with any field set to anything — the answer is a 4xx
(HTTP) or a client-side gRPC status, never a 5xx, INTERNAL or UNKNOWN, and the server keeps answering. The
console's fuzzer signs in as the operator on the call often enough to reach the feedback path, whose real sink
encodes the feedback message (a test checks some got through)."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request

import grpc
import pytest
from aiohttp import web
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seatcopilot.config import load
from seatcopilot.policy import load_policy
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import FEEDBACK
from seatcopilot.transport import InProcessTransport

from services.compliance import grpc_adapter as compliance_grpc
from services.compliance.logic import ComplianceEngine
from services.console import kafka_adapter as console_kafka
from services.console.auth import AccessAudit, Authenticator, Identity
from services.console.http_api import create_app as console_app
from services.console.logic import ConsoleHub
from services.generation import grpc_adapter as generation_grpc
from services.generation.config import GenerationConfig
from services.generation.logic import Generator
from services.indicators import grpc_adapter as indicators_grpc
from services.indicators.config import IndicatorsConfig
from services.indicators.stage import IndicatorsStage
from services.intake import grpc_adapter as intake_grpc
from services.intake.adapters import build_adapters
from services.intake.config import IntakeConfig
from services.intake.gateway import Gateway
from services.intake.http_api import Webhooks
from services.intake.http_api import create_app as intake_app
from services.intake.logic import IntakeStage
from services.intake.scrub import scrub_payload
from services.intake.tenants import parse_tenants
from services.summarizer import grpc_adapter as summarizer_grpc
from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig
from tests.helpers.grpc import serve

DEV_SECRET = "fuzz-dev-secret-0123456789abcdef"
BEARER = "fuzz-bearer-token-123"
SERVER_ERRORS = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Servers:
    """Console HTTP, intake HTTP and five gRPC services on one event loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._run(self._start())

    def _run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self) -> None:
        self.bus = InProcessTransport()
        await self.bus.start()
        hub = ConsoleHub()
        hub.add({"kind": "suggestion", "call_id": "call-a", "seq": 1, "tenant": "harbor", "scenario": "SALES",
                 "operator_id": "op-a", "team_id": "team-a", "text": "hello"})

        self.feedback = self.bus.tap(FEEDBACK.name)
        sink = console_kafka.feedback_sink(StageIO("console", self.bus))  # the real one: it builds the message
        self.auth = Authenticator(dev_secret=DEV_SECRET)
        self.runners = []
        self.console = await self._http(console_app(hub, self.auth, AccessAudit(None), sink))
        tenants = parse_tenants({"tenants": {"harbor": {"webhook_auth": {"bearer_token_env": "B"}}}}, {"B": BEARER})
        config = IntakeConfig(split_hold_s=0.2, reorder_timeout_s=0.2, max_body_bytes=4096)
        gateway = Gateway(IntakeStage(config, tenants), StageIO("intake", self.bus, scrub_payload))
        self.intake = await self._http(intake_app(Webhooks(config, tenants, build_adapters(300), gateway)))
        summarizer = summarizer_main.build(load(SummarizerConfig, {"SUMMARIZER_BACKEND": "none"}),
                                           self.bus.table("call-state"))
        generator = Generator(None, load_policy(), load(GenerationConfig, {}))
        self.grpc = {}
        for name, register in (
                (compliance_grpc.SERVICE_NAME, lambda s: compliance_grpc.register(s, ComplianceEngine(load_policy()))),
                (intake_grpc.SERVICE_NAME, lambda s: intake_grpc.register(s, gateway)),
                (summarizer_grpc.SERVICE_NAME, lambda s: summarizer_grpc.register(s, summarizer)),
                (generation_grpc.SERVICE_NAME, lambda s: generation_grpc.register(s, generator)),
                (indicators_grpc.SERVICE_NAME, lambda s: indicators_grpc.register(
                    s, IndicatorsStage.build(IndicatorsConfig(publish_interval_s=3600))))):
            server, _, target = await serve(register, [name])
            self.grpc[name] = (server, target)

    async def _http(self, app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    async def _stop(self) -> None:
        for server, _ in self.grpc.values():
            await server.stop(0)
        for runner in self.runners:
            await runner.cleanup()
        await self.bus.stop()

    def close(self) -> None:
        self._run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def servers():
    running = Servers()
    yield running
    running.close()


def http(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# ---- HTTP -----------------------------------------------------------------------------------------------------
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(scalars,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                          max_size=4), max_leaves=12)
huge_or_wrong = st.integers() | st.integers(2**60, 2**80) | st.integers(max_value=0) | json_values
feedback_bodies = st.fixed_dictionaries(
    {"seq": st.integers(1, 50) | huge_or_wrong, "action": st.sampled_from(["accepted", "edited", "x"]) | json_values},
    optional={"subject": st.sampled_from(["suggestion", "wrapup"]) | json_values,
              "edited_text": st.text(max_size=40) | json_values, "disposition": st.sampled_from(["PTP", "x!"]) |
              json_values, "seconds_to_act": st.floats(0, 100) | huge_or_wrong})
deeply_nested = st.integers(500, 2000).map(lambda n: b"[" * n + b"]" * n) | \
    st.integers(400, 1300).map(lambda n: b'{"a":' * n + b"1" + b"}" * n)
bodies = st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()), deeply_nested,
                   feedback_bodies.map(lambda v: json.dumps(v).encode()))
segments = st.text(st.characters(codec="utf-8", exclude_characters="/?#%"), min_size=1, max_size=20).map(
    lambda s: urllib.request.quote(s, safe=""))
ROLES = ("operator", "manager", "admin", "viewer", "")


OPERATOR_ON_THE_CALL = Identity("u1", "harbor", "operator", "team-a", "op-a")
FEEDBACK_PATH = "/api/calls/call-a/feedback"


@st.composite
def console_requests(draw):
    if draw(st.booleans()):  # the feedback path, as the operator who may give it: its validation is fuzzed
        return "POST", FEEDBACK_PATH, OPERATOR_ON_THE_CALL, "valid", draw(feedback_bodies | bodies)
    identity = Identity(draw(st.sampled_from(["u1", "x" * 40])), draw(st.sampled_from(["harbor", "other", ""])),
                        draw(st.sampled_from(ROLES)), draw(st.sampled_from(["team-a", "", "t"])),
                        draw(st.sampled_from(["op-a", "", "op-z"])))
    auth = draw(st.sampled_from(["valid", "garbage", "none"]))
    path = draw(st.sampled_from(["/api/me", "/api/calls", "/api/calls/{id}", "/api/calls/{id}/feedback",
                                 "/api/calls/{id}/notes", "/api/indicators", "/api/manager/reports", "/api/config",
                                 "/api/dev/login", "/healthz", "/api/events", "/api/session"]))
    if path == "/api/events" and auth == "valid":
        auth = "garbage"  # a valid token opens a stream that never ends: the stream itself is tested elsewhere
    path = path.replace("{id}", draw(segments | st.just("call-a")))
    query = draw(st.sampled_from(["", "?team=team-a", "?since=-1", "?limit=abc", "?window=%ff"]))
    method = "POST" if path.endswith(("feedback", "notes", "login")) else draw(st.sampled_from(["GET", "POST"]))
    return method, path + query, identity, auth, draw(bodies) if method == "POST" else None


def test_console_http_answers_bad_input_without_a_server_error(servers):
    @FUZZ
    @given(console_requests())
    def check(request):
        method, path, identity, auth, body = request
        headers = {"Content-Type": "application/json"}
        if auth == "valid":
            headers["Authorization"] = "Bearer " + servers.auth.dev_token(identity)
        elif auth == "garbage":
            headers["Authorization"] = "Bearer eyJhbGciOi.garbage.sig"
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        status = http(method, servers.console + path, body, headers)
        assert status < 500, (method, path, identity, auth, body, status)

    check()
    assert http("GET", servers.console + "/healthz", None, {}) == 200  # still serving
    assert servers.feedback.qsize() > 0  # the fuzzer reached the feedback topic through the real sink


@st.composite
def webhook_requests(draw):
    platform = draw(st.sampled_from(["amazon_connect", "genesys_cloud", "twilio", "generic"]) | segments)
    tenant = draw(st.sampled_from(["harbor", "unknown"]) | segments)
    query = draw(st.sampled_from(["", "?scenario=SERVICE", "?scenario=NOPE", "?scenario=%00"]))
    content_type = draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain",
                                         "application/x-ndjson"]))
    auth = draw(st.sampled_from([f"Bearer {BEARER}", "Bearer wrong", ""]))
    body = draw(bodies | st.binary(min_size=4000, max_size=6000))  # past max_body_bytes too
    return f"/v1/webhooks/{platform}/{tenant}{query}", content_type, auth, body


def test_intake_webhooks_answer_bad_input_without_a_server_error(servers):
    @FUZZ
    @given(webhook_requests())
    def check(request):
        path, content_type, auth, body = request
        headers = {"Content-Type": content_type, **({"Authorization": auth} if auth else {})}
        status = http("POST", servers.intake + path, body, headers)
        assert status < 500, (path, content_type, auth, body[:100], status)

    check()


# ---- gRPC -----------------------------------------------------------------------------------------------------
def messages(descriptor, depth: int = 0) -> st.SearchStrategy[bytes]:
    """Serialized messages of a type with any subset of its fields set to anything the wire allows."""
    fields = {}
    for field in descriptor.fields:
        value = _field_values(field, depth)
        if value is None:
            continue
        fields[field.name] = st.lists(value, max_size=3) if _repeated(field) else value
    return st.fixed_dictionaries({}, optional=fields).map(lambda chosen: _build(descriptor, chosen))


def _repeated(field) -> bool:
    flag = getattr(field, "is_repeated", None)  # newer protobuf; `label` is deprecated there
    if flag is None:
        return field.label == FieldDescriptor.LABEL_REPEATED
    return flag() if callable(flag) else bool(flag)


def _field_values(field, depth: int):
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.Timestamp":
            return st.tuples(st.integers(-10**12, 10**12), st.integers(0, 999_999_999))
        if depth >= 2 or field.message_type.GetOptions().map_entry:
            return None
        return messages(field.message_type, depth + 1)
    if kind == FieldDescriptor.TYPE_STRING:
        return st.text(max_size=40) | st.sampled_from(["harbor", "call-a", "SALES", "team-a", ""])
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=40)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_ENUM:
        return st.integers(-3, 20)
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, width=32)
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1)
    if kind in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return st.integers(-(2**63), 2**63 - 1)
    return st.integers(-(2**31), 2**31 - 1)


def _build(descriptor, chosen: dict) -> bytes:
    from google.protobuf import message_factory

    message: Message = message_factory.GetMessageClass(descriptor)()
    for name, value in chosen.items():
        _assign(message, descriptor.fields_by_name[name], value)
    return message.SerializeToString()


def _assign(message: Message, field, value) -> None:
    if _repeated(field):
        target = getattr(message, field.name)
        for item in value:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                target.add().MergeFromString(_item_bytes(field, item))
            else:
                target.append(item)
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(message, field.name).MergeFromString(_item_bytes(field, value))
    else:
        setattr(message, field.name, value)


def _item_bytes(field, value) -> bytes:
    if isinstance(value, tuple):  # a Timestamp
        from google.protobuf import timestamp_pb2

        return timestamp_pb2.Timestamp(seconds=value[0], nanos=value[1]).SerializeToString()
    return value


def _unary_methods(service_name: str):
    from google.protobuf import descriptor_pool

    service = descriptor_pool.Default().FindServiceByName(service_name)
    return [m for m in service.methods if not m.client_streaming and not m.server_streaming] + \
        [m for m in service.methods if m.server_streaming and not m.client_streaming]


# The classifier and retrieval load MiniLM: their servers share DecodeGuard (grpc_util.build_server) but are not
# fuzzed here.
GRPC_SERVICES = [compliance_grpc.SERVICE_NAME, intake_grpc.SERVICE_NAME, summarizer_grpc.SERVICE_NAME,
                 generation_grpc.SERVICE_NAME, indicators_grpc.SERVICE_NAME]


@pytest.mark.parametrize("service_name", GRPC_SERVICES)
def test_grpc_services_answer_any_message_and_garbage_with_a_client_error(servers, service_name):
    _, target = servers.grpc[service_name]
    methods = _unary_methods(service_name)
    strategy = st.one_of(*[st.tuples(st.just(m), messages(m.input_type) | st.binary(max_size=80))
                           for m in methods])
    with grpc.insecure_channel(target) as channel:
        @FUZZ
        @given(strategy)
        def check(case):
            method, payload = case
            path = f"/{service_name}/{method.name}"
            if method.server_streaming:
                call = channel.unary_stream(path, request_serializer=None, response_deserializer=None)
                invoke = lambda: list(call(payload, timeout=5))  # noqa: E731
            else:
                call = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
                invoke = lambda: call(payload, timeout=5)  # noqa: E731
            try:
                invoke()
            except grpc.RpcError as error:
                assert error.code() not in SERVER_ERRORS, (method.name, payload, error.code(), error.details())

        check()
        # Still serving: the health service answers SERVING for it after everything above.
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service_name),
                                                           timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
