#!/usr/bin/env bash
# The distributed topology on one machine: Kafka, Neo4j, Triton, and every service as its own process.
#
# Usage: scripts/up.sh {start|stop|status|services-start|services-stop}
#   start           infrastructure (scripts/infra.sh, scripts/triton.sh), topics, knowledge graph, services
#   stop            services, Triton, Kafka and Neo4j
#   services-*      only the seven service processes (the infrastructure is left as it is)
# Each service: gRPC on 127.0.0.1:(SEATCOPILOT_GRPC_BASE+N), Prometheus metrics on :(SEATCOPILOT_METRICS_BASE+N)
# (defaults 30050 and 9460, as in seatcopilot.config: intake is 30051/9461 ... indicators 30058/9468;
# below the ephemeral port range), log in .run/services/NAME.log.
# Intake's webhooks listen on INTAKE_HTTP_PORT (default SEATCOPILOT_GRPC_BASE+40, so 30090).
# KAFKA_SECURITY=sasl_ssl: the broker is infra.sh's kafka-secure (SCRAM-SHA-512 over TLS, ACLs enforced) on
# KAFKA_SECURE_PORT (9192); each service logs in as its own user with only its role's ACLs (seatcopilot.kafka_acls),
# the CLIs and tools as `seatcopilot`. Default: plaintext on loopback (KAFKA_PORT, 9092).
# GRPC_TLS=mtls: every service's gRPC takes mutual TLS only, with a throw-away CA made in .run/grpc-tls
# (`seatcopilot tls dev-ca`; clients present its tls.crt/tls.key, e.g. grpcurl -cacert/-cert/-key); gRPC health
# alone stays plaintext on (SEATCOPILOT_GRPC_BASE+20+N), which is what the readiness wait asks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.run/services"
PY="$ROOT/.venv/bin/python"
SERVICES=(intake classifier retrieval generation compliance summarizer console indicators)
MODEL_REPOSITORY="$ROOT/services/generation/model_repository"
CLASSIFIER_REPOSITORY="$ROOT/services/classifier/model_repository"
log() { echo "[up] $*" >&2; }

export SEATCOPILOT_TRANSPORT=kafka RETRIEVAL_STORE=neo4j GENERATION_BACKEND="${GENERATION_BACKEND:-triton}"
export KAFKA_SECURITY="${KAFKA_SECURITY:-plaintext}"   # read by infra.sh too
if [[ $KAFKA_SECURITY == sasl_ssl ]]; then
  export KAFKA_BOOTSTRAP="${KAFKA_BOOTSTRAP:-127.0.0.1:${KAFKA_SECURE_PORT:-9192}}"
  KAFKA_STATE="${KAFKA_SECURE_DIR:-$ROOT/.run/kafka-secure}"
  export KAFKA_SECURE_USERS="${SERVICES[*]} seatcopilot"   # made when its storage is formatted
  export KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SSL_CAFILE="$KAFKA_STATE/tls/ca.crt"
  unset KAFKA_SASL_PASSWORD
else
  export KAFKA_BOOTSTRAP="${KAFKA_BOOTSTRAP:-127.0.0.1:${KAFKA_PORT:-9092}}"
fi

kafka_login() {                                 # user -> that SCRAM user's settings, one a line (none in plaintext)
  [[ $KAFKA_SECURITY == sasl_ssl ]] || return 0
  printf '%s\n' "KAFKA_SASL_USERNAME=$1" "KAFKA_SASL_PASSWORD_FILE=$KAFKA_STATE/users/$1.password"
}

as_kafka_user() {                               # user command...: the command with that user's login
  local login
  mapfile -t login < <(kafka_login "$1")
  env "${login[@]}" "${@:2}"
}

kafka_acls() {                                  # each service its role's ACLs; the tools' roles to `seatcopilot`
  [[ $KAFKA_SECURITY == sasl_ssl ]] || return 0
  local name roles=()
  for name in $KAFKA_SECURE_USERS; do
    [[ -s $KAFKA_STATE/users/$name.password ]] || {
      log "ERROR: kafka-secure has no user $name (its storage was formatted with other users):" \
          "run scripts/infra.sh clean kafka-secure, then make up again"; exit 1; }
  done
  for name in "${SERVICES[@]}"; do
    as_kafka_user admin "$ROOT/.venv/bin/seatcopilot" topics acls --apply --bootstrap "$KAFKA_BOOTSTRAP" --role "$name"
  done
  for name in topics deadletter-cli release-check loadgen audit-cli; do roles+=(--role "$name"); done
  as_kafka_user admin "$ROOT/.venv/bin/seatcopilot" topics acls --apply --bootstrap "$KAFKA_BOOTSTRAP" \
    --principal User:seatcopilot "${roles[@]}"
  log "Kafka is SASL_SSL: for the CLIs and tools, export KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP" \
      "KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SSL_CAFILE=$KAFKA_SSL_CAFILE KAFKA_SASL_USERNAME=seatcopilot" \
      "KAFKA_SASL_PASSWORD_FILE=$KAFKA_STATE/users/seatcopilot.password"
}
export NEO4J_URI="${NEO4J_URI:-bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}}"
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-seatcopilot-dev}"
export TRITON_GRPC_URL="${TRITON_GRPC_URL:-127.0.0.1:${TRITON_GRPC_PORT:-8001}}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export SEATCOPILOT_STATE_DIR="${SEATCOPILOT_STATE_DIR:-$ROOT/.run/state}"   # Faust's bookkeeping
export COMPLIANCE_AUDIT_DIR="${COMPLIANCE_AUDIT_DIR:-$ROOT/.run/audit}"
# The audit keys live apart from the logs (a service refuses a key inside its audit directory).
export COMPLIANCE_AUDIT_KEY_FILE="${COMPLIANCE_AUDIT_KEY_FILE:-$ROOT/.run/keys/audit.key}"
export CONSOLE_AUDIT_DIR="${CONSOLE_AUDIT_DIR:-$ROOT/.run/console-audit}"
if [[ -f $COMPLIANCE_AUDIT_DIR/audit.key && ! -e $COMPLIANCE_AUDIT_KEY_FILE ]]; then   # kept beside the log before
  mkdir -p "$(dirname "$COMPLIANCE_AUDIT_KEY_FILE")" && mv "$COMPLIANCE_AUDIT_DIR/audit.key" "$COMPLIANCE_AUDIT_KEY_FILE"
fi
export CONSOLE_AUDIT_KEY_FILE="${CONSOLE_AUDIT_KEY_FILE:-$ROOT/.run/keys/console-audit.key}"
# Compliance signs verdicts and the console verifies them with this key: made once per checkout (kept in
# .run, mode 600), so a service restarted alone still shares it. Production takes it from a Secret.
if [[ -z "${VERDICT_KEYS:-}" ]]; then
  mkdir -p "$ROOT/.run"
  if [[ ! -s "$ROOT/.run/verdict-keys" ]]; then
    (umask 077; echo "local:$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')" > "$ROOT/.run/verdict-keys")
  fi
  VERDICT_KEYS="$(cat "$ROOT/.run/verdict-keys")"
fi
export VERDICT_KEYS
export GRPC_REFLECTION="${GRPC_REFLECTION:-true}"   # a development topology: grpcurl can list the services
GRPC_BASE="${SEATCOPILOT_GRPC_BASE:-30050}"
METRICS_BASE="${SEATCOPILOT_METRICS_BASE:-9460}"
export INTAKE_HTTP_PORT="${INTAKE_HTTP_PORT:-$((GRPC_BASE + 40))}"   # platform webhooks (intake)

GRPC_TLS="${GRPC_TLS:-off}"
if [[ $GRPC_TLS == mtls ]]; then
  export GRPC_TLS_DIR="${GRPC_TLS_DIR:-$ROOT/.run/grpc-tls}"
  [[ -s $GRPC_TLS_DIR/ca.crt ]] || "$PY" -m seatcopilot_cli tls dev-ca --out "$GRPC_TLS_DIR" >/dev/null
elif [[ $GRPC_TLS != off ]]; then
  echo "[up] GRPC_TLS must be off or mtls, not $GRPC_TLS" >&2; exit 2
fi

health_target() {                               # n: where the readiness wait asks gRPC health
  if [[ $GRPC_TLS == mtls ]]; then echo "127.0.0.1:$((GRPC_BASE + 20 + $1))"; else echo "127.0.0.1:$((GRPC_BASE + $1))"; fi
}

service_index() { local i; for i in "${!SERVICES[@]}"; do [[ ${SERVICES[$i]} == "$1" ]] && echo $((i + 1)); done; return 0; }

services_start() {
  mkdir -p "$RUN"
  local name n pid login health
  for name in "${SERVICES[@]}"; do
    n=$(service_index "$name")
    if [[ -f "$RUN/$name.pid" ]] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then continue; fi
    mapfile -t login < <(kafka_login "$name")
    # setsid execs env, env execs Python: $! stays the service's pid
    health=()
    [[ $GRPC_TLS == mtls ]] && health=("GRPC_HEALTH_PORT=$((GRPC_BASE + 20 + n))")
    GRPC_PORT=$((GRPC_BASE + n)) METRICS_PORT=$((METRICS_BASE + n)) setsid env "${login[@]}" "${health[@]}" "$PY" \
      -m "services.$name" > "$RUN/$name.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$name.pid"
  done
  "$PY" "$ROOT/scripts/wait_services.py" --timeout "${SERVICES_START_TIMEOUT:-240}" \
    $(for name in "${SERVICES[@]}"; do echo "$name=$(health_target "$(service_index "$name")")"; done)
  log "services serving; console on http://127.0.0.1:${CONSOLE_PORT:-8080}," \
      "platform webhooks on http://127.0.0.1:$INTAKE_HTTP_PORT/v1/webhooks/{platform}/{tenant}"
}

services_stop() {
  local name pid deadline
  for name in "${SERVICES[@]}"; do
    [[ -f "$RUN/$name.pid" ]] || continue
    pid=$(cat "$RUN/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 30))
  for name in "${SERVICES[@]}"; do
    [[ -f "$RUN/$name.pid" ]] || continue
    pid=$(cat "$RUN/$name.pid")
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.3; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not drain in time: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
    rm -f "$RUN/$name.pid"
  done
}

start() {
  "$ROOT/scripts/infra.sh" start all
  as_kafka_user admin "$ROOT/.venv/bin/seatcopilot" topics create --bootstrap "$KAFKA_BOOTSTRAP"
  kafka_acls
  "$ROOT/.venv/bin/seatcopilot" kg load
  "$ROOT/.venv/bin/seatcopilot" models build >&2   # one builder at a time per machine
  # The model kit's newest export whose gate passed, else the base model (docs/generation.md); Triton's
  # seatcopilot_llm loads SEATCOPILOT_LLM_DIR. Which one and why goes to the terminal.
  SEATCOPILOT_LLM_DIR=$("$PY" -c 'from seatcopilot.local_model import served_model
import sys
served = served_model()
print(f"[up] serving the {served.describe()}", file=sys.stderr)
print(served.path)')
  export SEATCOPILOT_LLM_DIR
  SEATCOPILOT_CLASSIFIER_DIR=$("$PY" -c 'from seatcopilot_models.intents.training import build; print(build())' | tail -n 1)
  export SEATCOPILOT_CLASSIFIER_DIR CLASSIFIER_MODEL_DIR="$SEATCOPILOT_CLASSIFIER_DIR"
  "$ROOT/scripts/triton.sh" start "$MODEL_REPOSITORY" "$CLASSIFIER_REPOSITORY"
  services_start
}

stop() {
  services_stop
  "$ROOT/scripts/triton.sh" stop "$MODEL_REPOSITORY" || true
  "$ROOT/scripts/infra.sh" stop all
}

status() {
  local name
  for name in "${SERVICES[@]}"; do
    if [[ -f "$RUN/$name.pid" ]] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      echo "$name: running (pid $(cat "$RUN/$name.pid"))"
    else
      echo "$name: stopped"
    fi
  done
  "$ROOT/scripts/triton.sh" status "$MODEL_REPOSITORY" || true
  "$ROOT/scripts/infra.sh" status all || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  services-start) services_start ;;
  services-stop) services_stop ;;
  *) echo "usage: $0 {start|stop|status|services-start|services-stop}" >&2; exit 2 ;;
esac
