"""`make up`'s topology, started once for the end-to-end tests and stopped after the last of them: each
service its own process on real Kafka, Neo4j and Triton, exporting spans to a collector this session
runs (so tests can read them), with webhook credentials for the tenant `harbor`."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from benchmarks.harness import SpanCollector
from tests.helpers import ROOT, require_server
from tests.helpers.e2e import CONSOLE_ISSUER, console_public_pem, service_target, wait_for_triton_idle


@pytest.fixture(scope="package")
def span_collector():
    collector = SpanCollector().start()  # an OTLP/gRPC receiver that keeps every export request it gets
    yield collector
    collector.stop()


@pytest.fixture(scope="package")
def webhook_secrets():
    return {name: secrets.token_hex(16) for name in
            ("INTAKE_HARBOR_BEARER_TOKEN", "INTAKE_HARBOR_HMAC_SECRET", "INTAKE_HARBOR_TWILIO_AUTH_TOKEN",
             "INTAKE_HARBOR_FIREHOSE_ACCESS_KEY")}


@pytest.fixture(scope="package")
def grpc_tls_dir(tmp_path_factory):
    """A throw-away CA: the topology's services take gRPC over mutual TLS only, as a cluster with
    grpcTls.existingSecret does."""
    from seatcopilot.grpc_tls import make_dev_ca

    return make_dev_ca(tmp_path_factory.mktemp("grpc-tls"))


@pytest.fixture(scope="package")
def service_channel(grpc_tls_dir):
    """Opens a mutual-TLS channel to a service of the topology, by its place in up.sh's SERVICES."""
    import grpc
    from seatcopilot.grpc_tls import TlsFiles, channel_credentials

    credentials = channel_credentials(TlsFiles.load(grpc_tls_dir))
    return lambda index: grpc.secure_channel(service_target(index), credentials)


@pytest.fixture(scope="package")
def topology(span_collector, webhook_secrets, grpc_tls_dir, tmp_path_factory):
    servers = {"SEATCOPILOT_KAFKA": "Kafka", "SEATCOPILOT_NEO4J": "Neo4j", "SEATCOPILOT_TRITON": "Triton"}
    for name, what in servers.items():
        require_server(name, what)
    # The call's events carry fixed timestamps (days old): on Kafka the indicators delete windows older than
    # window × keep by the wall clock, so they get a window wide enough to keep them live. The console takes
    # tokens signed by the tests' own identity-provider key.
    public_key = tmp_path_factory.mktemp("oidc") / "idp-public.pem"
    public_key.write_bytes(console_public_pem())
    env = {**os.environ, **webhook_secrets, "SUGGESTION_TTL_S": "300", "GENERATION_DEADLINE_S": "30",
           "RETRIEVAL_DEADLINE_S": "10",  # a roomy deadline on a busy 2-core machine
           "INDICATORS_WINDOW_S": str(3650 * 86_400), "INDICATORS_PUBLISH_INTERVAL_S": "1",
           "OIDC_PUBLIC_KEY_FILE": str(public_key), "OIDC_ISSUER": CONSOLE_ISSUER,
           "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{span_collector.port}", "OTEL_BSP_SCHEDULE_DELAY": "500",
           "GRPC_TLS": "mtls", "GRPC_TLS_DIR": str(grpc_tls_dir)}
    os.environ.update(webhook_secrets)  # the test sends webhooks signed with these
    cli = str(ROOT / ".venv" / "bin" / "seatcopilot")
    subprocess.run([cli, "topics", "create"], check=True, env=env, timeout=120)
    subprocess.run([cli, "kg", "load"], check=True, env=env, timeout=300)
    subprocess.run([str(ROOT / "scripts" / "up.sh"), "services-start"], check=True, env=env, timeout=400)
    yield os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    subprocess.run([str(ROOT / "scripts" / "up.sh"), "services-stop"], env=env, timeout=120)
    wait_for_triton_idle()
