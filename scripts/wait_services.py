"""Waits until every named service answers gRPC health SERVING: wait_services.py NAME=HOST:PORT ..."""

from __future__ import annotations

import argparse
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def serving(target: str) -> bool:
    try:
        with grpc.insecure_channel(target) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
            return reply.status == health_pb2.HealthCheckResponse.SERVING
    except grpc.RpcError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--timeout", type=float, default=240)
    args = parser.parse_args()
    pending = dict(target.split("=", 1) for target in args.targets)
    deadline = time.monotonic() + args.timeout
    while pending and time.monotonic() < deadline:
        for name, target in list(pending.items()):
            if serving(target):
                print(f"[up] {name} SERVING on {target}", file=sys.stderr)
                del pending[name]
        time.sleep(1)
    if pending:
        print(f"[up] not serving after {args.timeout:.0f}s: {', '.join(pending)} (see .run/services/*.log)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
