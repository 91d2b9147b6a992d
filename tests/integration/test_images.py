"""The images `make images` builds start and serve: each service image runs on the host network and answers
SERVING on gRPC health; the Triton CPU image answers ready. Under make test (SEATCOPILOT_KAFKA set) the
services run against the local Kafka, Neo4j and Triton; otherwise standalone (in-process transport, the
embedded knowledge store, the local model), which still proves each image's environment, models and
entrypoint. Skipped, with the reason printed, where podman or the images are absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import tomllib
import urllib.request
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.helpers import ROOT, free_port

pytestmark = pytest.mark.images

SERVICES = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer", "console", "indicators")
TAG = os.environ.get("IMAGE_TAG") or tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
PODMAN_ENV = {**os.environ, "CONTAINERS_CONF": str(ROOT / "deploy" / "docker" / "containers.conf")}
START_TIMEOUT_S = 240


def skip(reason: str) -> None:
    print(f"SKIP reason: {reason}")
    pytest.skip(reason)


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], env=PODMAN_ENV, capture_output=True, text=True, check=check)


def image(name: str) -> str:
    reference = f"localhost/seatcopilot-{name}:{TAG}"
    if shutil.which("podman") is None:
        skip("podman not found (Debian: apt-get install podman runc); `make images` builds the images")
    if podman("image", "exists", reference, check=False).returncode != 0:
        skip(f"{reference} is not built: run `make images`")
    return reference


def service_env(name: str) -> dict[str, str]:
    env = {"GRPC_PORT": str(free_port()), "METRICS_PORT": str(free_port()), "LOG_LEVEL": "INFO"}
    if name == "intake":
        env.update(INTAKE_HTTP_PORT=str(free_port()), INTAKE_HTTP_HOST="127.0.0.1")
    if name == "console":
        env.update(CONSOLE_PORT=str(free_port()), CONSOLE_HOST="127.0.0.1")
    if os.environ.get("SEATCOPILOT_KAFKA"):  # make test's local servers
        env.update(SEATCOPILOT_TRANSPORT="kafka", KAFKA_BOOTSTRAP=os.environ["KAFKA_BOOTSTRAP"])
        if name in ("compliance", "console"):  # on a broker they sign / verify verdicts (the chart's Secret)
            env["VERDICT_KEYS"] = "image-test:image-test-only-verdict-key"
        for key in ("NEO4J_URI", "NEO4J_PASSWORD", "TRITON_GRPC_URL"):
            if os.environ.get(key):
                env[key] = os.environ[key]
        env["RETRIEVAL_STORE"] = "neo4j" if os.environ.get("SEATCOPILOT_NEO4J") else "embedded"
        env["GENERATION_BACKEND"] = "triton" if os.environ.get("SEATCOPILOT_TRITON") else "local"
    else:
        env.update(SEATCOPILOT_TRANSPORT="inprocess", RETRIEVAL_STORE="embedded", GENERATION_BACKEND="local")
    return env


def serving(port: int) -> bool:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def run_detached(reference: str, env: dict[str, str]) -> str:
    name = f"seatcopilot-image-test-{uuid.uuid4().hex[:8]}"
    flags = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    podman("run", "-d", "--rm", "--network", "host", "--name", name, *flags, reference)
    return name


def wait_until(ready, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if ready():
            return
        if podman("container", "exists", name, check=False).returncode != 0:
            pytest.fail(f"{name} exited before it was ready")
        time.sleep(1)
    logs = podman("logs", "--tail", "60", name, check=False)
    pytest.fail(f"{name} not ready within {START_TIMEOUT_S} s:\n{logs.stdout}\n{logs.stderr}")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_image_starts_and_serves_grpc_health(service):
    reference = image(service)
    env = service_env(service)
    name = run_detached(reference, env)
    try:
        wait_until(lambda: serving(int(env["GRPC_PORT"])), name)
        user = podman("exec", name, "id", "-u").stdout.strip()
        assert user == "10001"  # never root
    finally:
        podman("stop", "-t", "15", name, check=False)


def test_the_runtime_images_carry_no_test_tools():
    reference = image("intake")
    listed = podman("run", "--rm", "--entrypoint", "/opt/venv/bin/pip", reference, "list", "--format=freeze").stdout
    installed = {line.split("==")[0].lower() for line in listed.splitlines()}
    assert installed and not installed & {"pytest", "ruff", "hypothesis", "playwright", "kubernetes-validate"}


@pytest.mark.parametrize("service", ["classifier", "retrieval", "compliance"])
def test_the_images_that_embed_sentences_carry_the_encoders_onnx_export(service):
    """Where the service looks for it (the same hash), as its own user: it never exports at start."""
    probe = ("from seatcopilot.encoder import OnnxEncoder, encoder_path, onnx_path; "
             "print(onnx_path(encoder_path()).is_file(), OnnxEncoder().encode(['hello']).shape)")
    printed = podman("run", "--rm", "--entrypoint", "/opt/venv/bin/python", image(service), "-c", probe).stdout
    assert printed.strip().splitlines()[-1] == "True (1, 384)"


def test_the_triton_cpu_image_serves_the_generation_model():
    reference = image("triton-cpu")
    ports = {"TRITON_HTTP_PORT": free_port(), "TRITON_GRPC_PORT": free_port(), "TRITON_METRICS_PORT": free_port()}
    name = run_detached(reference, {key: str(value) for key, value in ports.items()})

    def ready() -> bool:
        url = f"http://127.0.0.1:{ports['TRITON_HTTP_PORT']}/v2/models/seatcopilot_llm/ready"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(ready, name)
    finally:
        podman("stop", "-t", "15", name, check=False)
