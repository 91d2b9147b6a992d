#!/usr/bin/env bash
# `make faults`: starts Kafka, Neo4j and Triton (as `make bench` does), runs the fault suite
# (benchmarks/faults.py) against `make up`'s topology, prints its report (also artifacts/faults/report.md),
# and always stops what it started. Exit status 1 when a fault lost, duplicated or leaked anything.
# Usage: scripts/run_faults.sh [--only NAME ...] [--calls N] [--call-s S]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
MODEL_REPOSITORY="$ROOT/services/generation/model_repository"
trap 'scripts/up.sh services-stop >/dev/null 2>&1 || true; scripts/triton.sh stop "$MODEL_REPOSITORY" || true; scripts/infra.sh stop all || true' EXIT

SEATCOPILOT_LLM_DIR=$("$PY" -c 'from services.generation.local_model import build_local_model; print(build_local_model())')
export SEATCOPILOT_LLM_DIR
scripts/infra.sh start all
scripts/triton.sh start "$MODEL_REPOSITORY"
export KAFKA_BOOTSTRAP="127.0.0.1:${KAFKA_PORT:-9092}"
export NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}" NEO4J_PASSWORD="${NEO4J_PASSWORD:-seatcopilot-dev}"
export TRITON_GRPC_URL="127.0.0.1:${TRITON_GRPC_PORT:-8001}"
export SEATCOPILOT_KAFKA=1 SEATCOPILOT_NEO4J=1 SEATCOPILOT_TRITON=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p artifacts/faults
"$PY" -m benchmarks.faults "$@" 2> >(tee artifacts/faults/stderr.log | grep --line-buffered '^\[faults\]' >&2)
