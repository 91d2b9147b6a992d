#!/usr/bin/env bash
# `make bench`: starts Kafka, Neo4j and Triton (as `make test` does), runs the benchmarks, prints
# their tables (also written under artifacts/bench/), and always stops the servers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
MODEL_REPOSITORY="$ROOT/services/generation/model_repository"
CLASSIFIER_REPOSITORY="$ROOT/services/classifier/model_repository"
trap 'scripts/up.sh services-stop >/dev/null 2>&1 || true; scripts/triton.sh stop "$MODEL_REPOSITORY" || true; scripts/infra.sh stop all || true' EXIT

"$ROOT/.venv/bin/seatcopilot" models build >&2   # one builder at a time per machine
SEATCOPILOT_LLM_DIR=$("$PY" -c 'from services.generation.local_model import build_local_model; print(build_local_model())')
export SEATCOPILOT_LLM_DIR
SEATCOPILOT_CLASSIFIER_DIR=$("$PY" -c 'from seatcopilot_models.intents.training import build; print(build())' | tail -n 1)
export SEATCOPILOT_CLASSIFIER_DIR CLASSIFIER_MODEL_DIR="$SEATCOPILOT_CLASSIFIER_DIR"
scripts/infra.sh start all
scripts/triton.sh start "$MODEL_REPOSITORY" "$CLASSIFIER_REPOSITORY"
export KAFKA_BOOTSTRAP="127.0.0.1:${KAFKA_PORT:-9092}"
export NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}" NEO4J_PASSWORD="${NEO4J_PASSWORD:-seatcopilot-dev}"
export TRITON_GRPC_URL="127.0.0.1:${TRITON_GRPC_PORT:-8001}"
export SEATCOPILOT_KAFKA=1 SEATCOPILOT_NEO4J=1 SEATCOPILOT_TRITON=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p artifacts/bench
"$PY" -m benchmarks "$@" 2>artifacts/bench/stderr.log | tee artifacts/bench/report.md
