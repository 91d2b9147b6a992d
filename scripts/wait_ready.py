#!/usr/bin/env python3
"""Protocol-level readiness checks for the local infrastructure.

Run it with the project's environment (``$(scripts/bootstrap.sh)/bin/python``):

    wait_ready.py kafka  [--timeout S] [--bootstrap 127.0.0.1:9092]
    wait_ready.py neo4j  [--timeout S] [--uri bolt://127.0.0.1:7687] [--user neo4j] [--password ...]
    wait_ready.py triton [--timeout S] [--url 127.0.0.1:8001]

Defaults come from the same environment variables scripts/infra.sh and scripts/triton.sh use
(KAFKA_PORT, NEO4J_BOLT_PORT, NEO4J_PASSWORD, TRITON_GRPC_PORT). Each check retries until it
succeeds or the timeout expires; on timeout it prints the last error and exits with status 1
(status 2 if the client library is missing).

* kafka:  kafka-python admin client, list_topics(), with the project's Kafka security settings
          (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_CAFILE: libs/seatcopilot/transport/kafka_security.py)
* neo4j:  neo4j driver verify_connectivity() (Bolt handshake + authentication) and ``RETURN 1``
* triton: tritonclient gRPC is_server_ready()
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

LIBS = Path(__file__).resolve().parents[1] / "libs"  # the project's settings, without installing the project

class Fatal(Exception):
    """A failure that retrying cannot fix (e.g. wrong password)."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def check_kafka(args: argparse.Namespace) -> str:
    from kafka import KafkaAdminClient

    sys.path.insert(0, str(LIBS))
    from seatcopilot.transport.kafka_security import client_options

    budget_ms = int(max(1.0, min(5.0, args.deadline - time.monotonic())) * 1000)
    admin = KafkaAdminClient(
        bootstrap_servers=args.bootstrap,
        client_id="seatcopilot-wait-ready",
        request_timeout_ms=5000,
        bootstrap_timeout_ms=budget_ms,
        **client_options(),
    )
    try:
        topics = admin.list_topics()
    finally:
        admin.close()
    return f"Kafka ready at {args.bootstrap} ({len(topics)} topics)"


def check_neo4j(args: argparse.Namespace) -> str:
    from neo4j import GraphDatabase
    from neo4j.exceptions import ClientError

    try:
        with GraphDatabase.driver(args.uri, auth=(args.user, args.password), connection_timeout=5.0) as driver:
            driver.verify_connectivity()
            records, _, _ = driver.execute_query("RETURN 1 AS one", database_="neo4j")
            if not records or records[0]["one"] != 1:
                raise RuntimeError(f"unexpected result of RETURN 1: {records!r}")
            agent = driver.get_server_info().agent
    except ClientError as e:  # AuthError is a ClientError; Neo.ClientError.Security.* won't heal
        if "Security" in (e.code or ""):
            raise Fatal(f"{e.code}: {e.message} (user {args.user!r}; is NEO4J_PASSWORD right?)") from e
        raise
    return f"Neo4j ready at {args.uri} ({agent})"


def check_triton(args: argparse.Namespace) -> str:
    import tritonclient.grpc as grpcclient

    client = grpcclient.InferenceServerClient(url=args.url)
    try:
        if not client.is_server_ready(client_timeout=5.0):
            raise RuntimeError("is_server_ready() returned False")
    finally:
        client.close()
    return f"Triton ready at {args.url} (gRPC)"


CHECKS = {"kafka": check_kafka, "neo4j": check_neo4j, "triton": check_triton}
MODULES = {"kafka": "kafka (kafka-python)", "neo4j": "neo4j", "triton": "tritonclient[grpc]"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("service", choices=sorted(CHECKS))
    p.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between tries")
    p.add_argument("--bootstrap", default=f"127.0.0.1:{_env('KAFKA_PORT', '9092')}")
    p.add_argument("--uri", default=f"bolt://127.0.0.1:{_env('NEO4J_BOLT_PORT', '7687')}")
    p.add_argument("--user", default="neo4j")
    p.add_argument("--password", default=_env("NEO4J_PASSWORD", "seatcopilot-dev"))
    p.add_argument("--url", default=f"127.0.0.1:{_env('TRITON_GRPC_PORT', '8001')}")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    args = p.parse_args(argv)

    # kafka-python and the neo4j driver log every failed attempt; keep the output to our message.
    logging.basicConfig(level=logging.CRITICAL)

    check = CHECKS[args.service]
    deadline = args.deadline = time.monotonic() + args.timeout
    last: BaseException | None = None
    tries = 0
    while True:
        tries += 1
        try:
            msg = check(args)
        except Fatal as e:
            print(f"wait_ready: {args.service}: {e}", file=sys.stderr)
            return 1
        except ImportError as e:
            print(
                f"wait_ready: {args.service}: client library {MODULES[args.service]} is not "
                f"installed in {sys.executable}: {e}",
                file=sys.stderr,
            )
            return 2
        except Exception as e:
            last = e
        else:
            if not args.quiet:
                print(msg)
            return 0
        if time.monotonic() >= deadline:
            print(
                f"wait_ready: {args.service} not ready after {args.timeout:g} s ({tries} tries); "
                f"last error: {type(last).__name__}: {last}",
                file=sys.stderr,
            )
            return 1
        time.sleep(min(args.interval, max(0.0, deadline - time.monotonic())))


if __name__ == "__main__":
    sys.exit(main())
