#!/usr/bin/env bash
# `make test`: lint, contract drift, unit tests, then integration and end-to-end tests against a real
# Kafka, Neo4j and Triton that this script starts on 127.0.0.1 and always stops.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
MODEL_REPOSITORY="$ROOT/services/generation/model_repository"
CLASSIFIER_REPOSITORY="$ROOT/services/classifier/model_repository"
log() { echo "[test] $*" >&2; }

cleanup() {
  local rc=$?
  log "stopping servers"
  scripts/up.sh services-stop || true
  scripts/triton.sh stop "$MODEL_REPOSITORY" || true
  scripts/infra.sh stop all || true
  # the SASL_SSL broker tests/integration/test_kafka_security.py starts (and cleans itself, unless interrupted)
  KAFKA_SECURE_DIR="$ROOT/.run/kafka-secure-test" scripts/infra.sh clean kafka-secure >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT

log "lint and contract drift"
.venv/bin/ruff check .
"$PY" -m mypy
"$PY" scripts/gen_protos.py --check libs

if ! command -v chromium >/dev/null; then
  log "installing Chromium for the browser tests (Debian package)"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

if ! command -v promtool >/dev/null; then
  # the alert-rule unit test runs `promtool test rules`; without promtool it is skipped (and says so)
  if [[ $(id -u) -eq 0 ]]; then
    log "installing promtool for the alert-rule tests (Debian package prometheus)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus \
      >/dev/null || log "could not install prometheus: the alert-rule test will be skipped"
  else
    log "promtool not found and not root: the alert-rule test will be skipped (apt-get install prometheus)"
  fi
fi

log "local models (the intent classifier trains on a fresh machine: about 9 minutes on 2 cores, then cached)"
.venv/bin/seatcopilot models build   # one builder at a time per machine; the lines below then only read the cache
SEATCOPILOT_LLM_DIR=$("$PY" -c 'from services.generation.local_model import build_local_model; print(build_local_model())')
export SEATCOPILOT_LLM_DIR
SEATCOPILOT_CLASSIFIER_DIR=$("$PY" -c 'from seatcopilot_models.intents.training import build; print(build())' | tail -n 1)
export SEATCOPILOT_CLASSIFIER_DIR CLASSIFIER_MODEL_DIR="$SEATCOPILOT_CLASSIFIER_DIR"

log "starting Kafka and Neo4j (fresh state)"
scripts/infra.sh clean all
scripts/infra.sh start all
log "starting Triton"
scripts/triton.sh start "$MODEL_REPOSITORY" "$CLASSIFIER_REPOSITORY"

export KAFKA_BOOTSTRAP="127.0.0.1:${KAFKA_PORT:-9092}"
export NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}" NEO4J_PASSWORD="${NEO4J_PASSWORD:-seatcopilot-dev}"
export TRITON_GRPC_URL="127.0.0.1:${TRITON_GRPC_PORT:-8001}"
export SEATCOPILOT_KAFKA=1 SEATCOPILOT_NEO4J=1 SEATCOPILOT_TRITON=1 SEATCOPILOT_REQUIRE_SERVERS=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

set +e
"$PY" -m pytest -p no:cacheprovider -ra "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  log "pytest collected no tests: that is a failure here"
  exit 1
fi
exit $rc
