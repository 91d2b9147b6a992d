#!/usr/bin/env bash
# Local infrastructure for development and tests: a real Kafka 4.1 (KRaft, single node) and a real
# Neo4j 5.26 Community server, both on 127.0.0.1 only, both run from jars that Maven fetches.
#
# Usage: scripts/infra.sh {start|stop|restart|clean|status} [kafka|kafka-secure|neo4j|all]
#
#   kafka          the PLAINTEXT broker (loopback; what make up and the tests use by default)
#   kafka-secure   a broker whose clients must use SASL_SSL (SCRAM-SHA-512 over TLS) and ACLs: a throw-away CA
#                  and broker certificate in .run/kafka-secure/tls/ (ca.crt is the clients' KAFKA_SSL_CAFILE),
#                  one random password per user in .run/kafka-secure/users/<user>.password (KAFKA_SASL_PASSWORD_FILE)
#   all            KAFKA_SECURITY=sasl_ssl: kafka-secure and neo4j; otherwise (plaintext, the default) kafka and neo4j
#                  (`stop all` stops both brokers)
#
#   start    fetch jars (first time only), start, wait until healthy; ok if already running
#   stop     SIGTERM, wait, SIGKILL if needed; keeps data
#   restart  stop then start (data kept)
#   clean    stop and delete the service's state (data, logs) under .run/
#   status   print state; exit 0 if every selected service is running, 3 otherwise
#
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  NEO4J_BOLT_PORT [7687]
#   KAFKA_SECURE_PORT [9192]  KAFKA_SECURE_CONTROLLER_PORT [9193]  (kafka-secure)
#   KAFKA_SECURE_DIR [$ROOT/.run/kafka-secure]  its state (the tests use their own)
#   KAFKA_SECURE_USERS [seatcopilot]  SCRAM users besides the broker's own `admin` (made at format time;
#                                     after changing it run `infra.sh clean kafka-secure`)
#   NEO4J_PASSWORD [seatcopilot-dev]  (>= 8 characters; applied when the Neo4j store is first created,
#                                      so after changing it run `infra.sh clean neo4j`)
#   KAFKA_HEAP_OPTS [-Xms1g -Xmx1g]   KAFKA_START_TIMEOUT [120]  NEO4J_START_TIMEOUT [180]
#   JAVA [java]                       (Java 17+; Kafka 4.1 and Neo4j 5.26 both run on OpenJDK 17)
#   SEATCOPILOT_JAR_CACHE [${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/jars]
#   INFRA_PY_CHECK [1]   1: after start, also run scripts/wait_ready.py with the project's Python
#                        (SEATCOPILOT_PYTHON, else $(scripts/bootstrap.sh)/bin/python); 0: skip it
#                        (the built-in checks still run: log marker, port, Bolt handshake).
# State: $ROOT/.run/{kafka,kafka-secure,neo4j}/ (data, logs, pid files). See deploy/local/README.md.
# shellcheck disable=SC2329  # the per-service functions are called indirectly ("${s}_start")
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.run"
DEPLOY="$ROOT/deploy/local"
JAR_CACHE="${SEATCOPILOT_JAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/jars}"
JAVA="${JAVA:-java}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms1g -Xmx1g}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
NEO4J_BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
NEO4J_PASSWORD="${NEO4J_PASSWORD:-seatcopilot-dev}"
NEO4J_START_TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
INFRA_PY_CHECK="${INFRA_PY_CHECK:-1}"
export KAFKA_PORT KAFKA_CONTROLLER_PORT NEO4J_BOLT_PORT NEO4J_PASSWORD   # read by wait_ready.py

log() { echo "[infra] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

port_open() {                                   # port -> 0 if something accepts on 127.0.0.1:port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid of a live process from pidfile whose command line contains pattern, else nothing
live_pid() {                                    # pidfile pattern
  local pf=$1 pat=$2 pid
  [[ -f $pf ]] || return 1
  pid=$(<"$pf")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pat" || return 1
  echo "$pid"
}

stop_pid() {                                    # name pidfile pattern grace_s
  local name=$1 pf=$2 pat=$3 grace=$4 pid deadline
  if ! pid=$(live_pid "$pf" "$pat"); then
    rm -f "$pf"; log "$name is not running"; return 0
  fi
  log "stopping $name (pid $pid)..."
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${grace}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pf"
  log "$name stopped"
}

need_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA=/path/to/java, Java 17+)"
  local v
  v=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  if ! [[ ${v%%.*} =~ ^[0-9]+$ ]] || ((${v%%.*} < 17)); then
    die "$JAVA is Java '${v:-?}'; Java 17+ is required"
  fi
}

# Jars for deploy/local/<name>/pom.xml, fetched once into $JAR_CACHE/<name>-<pom sha>/ (shared by
# every clone on this machine; Maven's ~/.m2 caches the downloads as well). Prints the directory.
fetch_jars() {                                  # name
  local name=$1 pom="$DEPLOY/$1/pom.xml" key out tmp rc
  key=$(sha256sum "$pom" | cut -c1-12)
  out="$JAR_CACHE/$name-$key"
  if [[ ! -f $out/.complete ]]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found; it is needed once to fetch the $name jars"
    mkdir -p "$JAR_CACHE"
    exec 9>"$JAR_CACHE/.lock-$name"             # another clone may be fetching the same jars
    flock 9
    if [[ ! -f $out/.complete ]]; then
      log "fetching $name jars with Maven into $out (first time only; about a minute, tens of MB; Maven prints only errors)..."
      tmp=$(mktemp -d "$JAR_CACHE/.tmp-$name-XXXXXX")
      rc=0
      # -q still prints errors (on stdout); strip Maven 3.8's stray colour codes, keep the rest.
      mvn -q -B -ntp -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
        -Dmdep.prependGroupId=true -DoutputDirectory="$tmp" </dev/null 2>&1 \
        | sed 's/\x1b\[[0-9;]*m//g' | { grep -v '^[[:space:]]*$' >&2 || true; } || rc=$?
      if ((rc != 0)) || ! compgen -G "$tmp/*.jar" >/dev/null; then
        rm -rf "$tmp"; die "Maven could not fetch the $name jars (see the errors above)"
      fi
      touch "$tmp/.complete"                    # the JVM's dir/* classpath ignores non-jar files
      rm -rf "$out"; mv "$tmp" "$out"
    fi
    exec 9>&-
  fi
  echo "$out"
}

project_python() {                              # prints the interpreter for wait_ready.py
  if [[ -n ${SEATCOPILOT_PYTHON:-} ]]; then echo "$SEATCOPILOT_PYTHON"; return; fi
  local venv
  venv=$("$ROOT/scripts/bootstrap.sh" </dev/null) || { log "scripts/bootstrap.sh failed"; return 1; }
  echo "$venv/bin/python"
}

py_check() {                                    # service timeout [wait_ready.py options]
  [[ $INFRA_PY_CHECK == 0 ]] && return 0
  local py
  py=$(project_python) || return 1
  [[ -x $py ]] || { log "no Python interpreter at '$py' (set SEATCOPILOT_PYTHON or INFRA_PY_CHECK=0)"; return 1; }
  "$py" "$ROOT/scripts/wait_ready.py" "$1" --timeout "$2" "${@:3}" >&2
}

# ------------------------------------------------------------------ Kafka
# Two brokers with the same code: `kafka` (PLAINTEXT, what make up and the tests use by default) and
# `kafka-secure` (clients on SASL_SSL: SCRAM-SHA-512 over TLS, ACLs enforced), each with its own ports and
# state. kafka_use selects one: KNAME, KDIR, KP (client port), KCP (controller port), KCONF (template).
KPAT="kafka.Kafka"
KAFKA_SECURE_PORT="${KAFKA_SECURE_PORT:-9192}"
KAFKA_SECURE_CONTROLLER_PORT="${KAFKA_SECURE_CONTROLLER_PORT:-9193}"
KAFKA_SECURE_USERS="${KAFKA_SECURE_USERS:-seatcopilot}"
KAFKA_SECURE_ADMIN=admin

kafka_use() {                                   # plain|secure
  if [[ $1 == secure ]]; then
    KNAME=kafka-secure KDIR="${KAFKA_SECURE_DIR:-$RUN/kafka-secure}" KP=$KAFKA_SECURE_PORT KCP=$KAFKA_SECURE_CONTROLLER_PORT
    KCONF="$DEPLOY/kafka/server-secure.properties"
  else
    KNAME=kafka KDIR="$RUN/kafka" KP=$KAFKA_PORT KCP=$KAFKA_CONTROLLER_PORT KCONF="$DEPLOY/kafka/server.properties"
  fi
}

kafka_status_of() {
  local pid
  if pid=$(live_pid "$KDIR/kafka.pid" "$KPAT"); then
    if port_open "$KP"; then
      echo "$KNAME: running (pid $pid), 127.0.0.1:$KP, data $KDIR/data"
    else
      echo "$KNAME: process up (pid $pid) but 127.0.0.1:$KP is closed"; return 3
    fi
  else
    echo "$KNAME: stopped"; return 3
  fi
}

kafka_stop_of() { stop_pid "$KNAME" "$KDIR/kafka.pid" "$KPAT" 60; }

# The secure broker's secrets, made once per state dir: a throw-away CA and broker certificate (the same
# code as `seatcopilot tls dev-ca`), PEM stores, and a random SCRAM password per user in users/<name>.password.
kafka_secure_secrets() {
  local py user
  [[ -f $KDIR/tls/keystore.pem ]] && return 0
  py=$(project_python) || die "the secure broker needs the project's Python for its certificate"
  mkdir -p "$KDIR/users"; chmod 700 "$KDIR"
  PYTHONPATH="$ROOT/libs" "$py" -c 'import sys; from pathlib import Path; from seatcopilot.grpc_tls import make_dev_ca
make_dev_ca(Path(sys.argv[1]), days=365)' "$KDIR/tls" || die "could not make the secure broker's certificate"
  cat "$KDIR/tls/tls.key" "$KDIR/tls/tls.crt" >"$KDIR/tls/keystore.pem"; chmod 600 "$KDIR/tls/keystore.pem"
  for user in $KAFKA_SECURE_ADMIN $KAFKA_SECURE_USERS; do
    [[ $user =~ ^[a-z][a-z0-9-]*$ ]] || die "KAFKA_SECURE_USERS: '$user' is not a simple user name"
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$KDIR/users/$user.password")
  done
}

kafka_scram_args() {                            # --add-scram for every user (format time only)
  local user
  for user in $KAFKA_SECURE_ADMIN $KAFKA_SECURE_USERS; do
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$user" "$(<"$KDIR/users/$user.password")"
  done
}

kafka_start_of() {
  local libs l4j cid pid deadline t0=$SECONDS secure=0 extra=()
  [[ $KNAME == kafka-secure ]] && secure=1
  if pid=$(live_pid "$KDIR/kafka.pid" "$KPAT"); then
    if port_open "$KP"; then log "$KNAME already running (pid $pid) on 127.0.0.1:$KP"; return 0; fi
    log "$KNAME pid $pid is up but its port is closed; restarting it"; kafka_stop_of
  fi
  rm -f "$KDIR/kafka.pid"
  for p in "$KP" "$KCP"; do
    port_open "$p" && die "port 127.0.0.1:$p is already in use by another process (set the $KNAME ports, see the usage)"
  done
  need_java
  libs=$(fetch_jars kafka)
  mkdir -p "$KDIR/data"
  ((secure)) && kafka_secure_secrets
  (umask 077; sed -e "s#@DATA_DIR@#$KDIR/data#g" -e "s#@KAFKA_PORT@#$KP#g" -e "s#@CONTROLLER_PORT@#$KCP#g" \
      -e "s#@TLS_DIR@#$KDIR/tls#g" -e "s#@ADMIN_USER@#$KAFKA_SECURE_ADMIN#g" \
      -e "s#@ADMIN_PASSWORD@#$( ((secure)) && cat "$KDIR/users/$KAFKA_SECURE_ADMIN.password")#g" \
      "$KCONF" >"$KDIR/server.properties")
  l4j="-Dlog4j2.configurationFile=$DEPLOY/kafka/log4j2.properties"
  if [[ ! -f $KDIR/data/meta.properties ]]; then
    cid=$("$JAVA" -Xmx256m "$l4j" -cp "$libs/*" kafka.tools.StorageTool random-uuid </dev/null 2>/dev/null | tail -n1)
    [[ -n $cid ]] || die "kafka.tools.StorageTool random-uuid failed"
    ((secure)) && mapfile -t extra < <(kafka_scram_args)
    log "formatting $KNAME storage (cluster id $cid)"
    "$JAVA" -Xmx512m "$l4j" -cp "$libs/*" kafka.tools.StorageTool format --standalone \
      -t "$cid" -c "$KDIR/server.properties" "${extra[@]}" </dev/null >"$KDIR/format.log" 2>&1 \
      || { cat "$KDIR/format.log" >&2; die "$KNAME storage format failed"; }
  fi
  [[ -f $KDIR/kafka.log ]] && mv -f "$KDIR/kafka.log" "$KDIR/kafka.log.1"
  # New session: the broker survives the caller's terminal / CI step process group.
  # shellcheck disable=SC2086,SC2016  # KAFKA_HEAP_OPTS is a list of JVM flags; $$ is the child's
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$KDIR/kafka.pid" \
    "$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "$l4j" -Dkafka.logs.dir="$KDIR" \
    -cp "$libs/*" kafka.Kafka "$KDIR/server.properties" >"$KDIR/kafka.log" 2>&1 </dev/null 8>&- &
  deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ! { [[ -f $KDIR/kafka.log ]] && grep -q "Kafka Server started" "$KDIR/kafka.log" && port_open "$KP"; }; do
    if ((SECONDS >= deadline)) || { [[ -s $KDIR/kafka.pid ]] && ! kill -0 "$(<"$KDIR/kafka.pid")" 2>/dev/null; }; then
      tail -n 60 "$KDIR/kafka.log" >&2 || true
      kafka_stop_of >/dev/null 2>&1 || true
      die "$KNAME did not start (log: $KDIR/kafka.log)"
    fi
    sleep 0.2
  done
  if ((secure)); then                           # the check logs in as the broker's own (super) user
    KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_USERNAME=$KAFKA_SECURE_ADMIN KAFKA_SSL_CAFILE="$KDIR/tls/ca.crt" \
      KAFKA_SASL_PASSWORD_FILE="$KDIR/users/$KAFKA_SECURE_ADMIN.password" KAFKA_SASL_PASSWORD='' \
      py_check kafka 60 --bootstrap "127.0.0.1:$KP" || die "$KNAME started but the SASL_SSL login check failed"
  else
    py_check kafka 60 --bootstrap "127.0.0.1:$KP" || die "$KNAME started but the Kafka protocol check failed"
  fi
  log "$KNAME ready on 127.0.0.1:$KP (pid $(<"$KDIR/kafka.pid"), $((SECONDS - t0))s)"
}

kafka_clean_of() { kafka_stop_of; rm -rf "$KDIR"; log "$KNAME state deleted ($KDIR)"; }

for _action in status stop start clean; do     # kafka_start, kafka_secure_stop, ...
  eval "kafka_${_action}() { kafka_use plain; kafka_${_action}_of; }"
  eval "kafka_secure_${_action}() { kafka_use secure; kafka_${_action}_of; }"
done

# ------------------------------------------------------------------ Neo4j
N="$RUN/neo4j"
NPAT="org.neo4j.server.CommunityEntryPoint"

neo4j_env() { export NEO4J_HOME="$N" NEO4J_CONF="$N/conf"; }

# Bolt handshake without any client library: magic 0x6060B017 + 4 version proposals; the server
# answers with the 4-byte version it picked (non-zero = it speaks Bolt and accepts us).
bolt_handshake() {
  local reply
  reply=$(
    exec 3<>"/dev/tcp/127.0.0.1/$NEO4J_BOLT_PORT" || exit 1
    printf '\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x00\x04\x04\x00\x00\x00\x04\x00\x00\x00\x03' >&3
    timeout 5 head -c 4 <&3 | od -An -tx1 | tr -d ' \n'
  ) 2>/dev/null || return 1
  [[ ${#reply} == 8 && $reply != 00000000 ]]
}

neo4j_status() {
  local pid
  if pid=$(live_pid "$N/run/neo4j.pid" "$NPAT"); then
    if bolt_handshake; then
      echo "neo4j: running (pid $pid), bolt://127.0.0.1:$NEO4J_BOLT_PORT, data $N/data"
    else
      echo "neo4j: process up (pid $pid) but Bolt on 127.0.0.1:$NEO4J_BOLT_PORT does not answer"; return 3
    fi
  else
    echo "neo4j: stopped"; return 3
  fi
}

# SIGTERM is what `neo4j stop` sends too; the server checkpoints and exits (~3-5 s).
neo4j_stop() { stop_pid neo4j "$N/run/neo4j.pid" "$NPAT" 120; }

neo4j_start() {
  local libs pid deadline t0=$SECONDS
  if pid=$(live_pid "$N/run/neo4j.pid" "$NPAT"); then
    if bolt_handshake; then log "neo4j already running (pid $pid) on bolt://127.0.0.1:$NEO4J_BOLT_PORT"; return 0; fi
    log "neo4j pid $pid is up but Bolt does not answer; restarting it"; neo4j_stop
  fi
  rm -f "$N/run/neo4j.pid"
  port_open "$NEO4J_BOLT_PORT" && die "port 127.0.0.1:$NEO4J_BOLT_PORT is already in use by another process (set NEO4J_BOLT_PORT)"
  ((${#NEO4J_PASSWORD} >= 8)) || die "NEO4J_PASSWORD must have at least 8 characters"
  need_java
  libs=$(fetch_jars neo4j)
  mkdir -p "$N/conf" "$N/plugins" "$N/logs" "$N/run"
  ln -sfn "$libs" "$N/lib"                      # the bootloader puts $NEO4J_HOME/lib/* on the classpath
  sed -e "s#@BOLT_PORT@#$NEO4J_BOLT_PORT#g" "$DEPLOY/neo4j/neo4j.conf" >"$N/conf/neo4j.conf"
  neo4j_env
  if [[ ! -d $N/data/databases/system ]]; then  # only before the very first start
    "$JAVA" -Xmx128m -cp "$N/lib/*" org.neo4j.server.startup.Neo4jAdminCommand \
      dbms set-initial-password "$NEO4J_PASSWORD" </dev/null >"$N/logs/admin.log" 2>&1 \
      || { cat "$N/logs/admin.log" >&2; die "neo4j-admin dbms set-initial-password failed"; }
  fi
  # The bootloader (what bin/neo4j runs) spawns the server JVM, writes run/neo4j.pid and returns
  # once the server is up. setsid: the server survives the caller's process group.
  if ! setsid -w "$JAVA" -Xmx128m -cp "$N/lib/*" org.neo4j.server.startup.Neo4jCommand start \
       </dev/null >"$N/logs/boot.log" 2>&1 8>&-; then
    cat "$N/logs/boot.log" >&2; tail -n 60 "$N/logs/neo4j.log" >&2 2>/dev/null || true
    die "Neo4j did not start (logs: $N/logs/)"
  fi
  deadline=$((SECONDS + NEO4J_START_TIMEOUT))
  until port_open "$NEO4J_BOLT_PORT" && bolt_handshake; do
    if ((SECONDS >= deadline)) || ! live_pid "$N/run/neo4j.pid" "$NPAT" >/dev/null; then
      tail -n 60 "$N/logs/neo4j.log" >&2 2>/dev/null || true
      neo4j_stop >/dev/null 2>&1 || true
      die "Neo4j did not open Bolt on 127.0.0.1:$NEO4J_BOLT_PORT (logs: $N/logs/)"
    fi
    sleep 0.2
  done
  py_check neo4j 60 || die "Neo4j started but the Bolt login / RETURN 1 check failed (NEO4J_PASSWORD differs from the store's? run: scripts/infra.sh clean neo4j)"
  log "neo4j ready on bolt://127.0.0.1:$NEO4J_BOLT_PORT (pid $(<"$N/run/neo4j.pid"), $((SECONDS - t0))s)"
}

neo4j_clean() { neo4j_stop; rm -rf "$N"; log "neo4j state deleted ($N)"; }

# ------------------------------------------------------------------ main
usage() { echo "usage: $0 {start|stop|restart|clean|status} [kafka|kafka-secure|neo4j|all]" >&2; exit 2; }
(($# >= 1 && $# <= 2)) || usage
cmd=$1; what=${2:-all}
# all: the broker KAFKA_SECURITY picks (plaintext, or sasl_ssl for kafka-secure) and Neo4j
case ${KAFKA_SECURITY:-plaintext} in plaintext) broker=kafka ;; sasl_ssl) broker=kafka_secure ;;
  *) die "KAFKA_SECURITY must be plaintext or sasl_ssl" ;; esac
case $what in kafka) svcs=(kafka) ;; kafka-secure) svcs=(kafka_secure) ;; neo4j) svcs=(neo4j) ;;
  all) svcs=("$broker" neo4j); [[ $cmd == stop ]] && svcs=(kafka kafka_secure neo4j) ;; *) usage ;; esac
case $cmd in start|stop|restart|clean|status) ;; *) usage ;; esac
mkdir -p "$RUN"
if [[ $cmd != status ]]; then                   # one start/stop at a time per checkout
  exec 8>"$RUN/.infra.lock"
  flock 8                                       # (servers are started with 8>&- so they don't hold it)
fi
rc=0
for s in "${svcs[@]}"; do
  case $cmd in
    start)   "${s}_start" ;;
    stop)    "${s}_stop" ;;
    restart) "${s}_stop"; "${s}_start" ;;
    clean)   "${s}_clean" ;;
    status)  "${s}_status" || rc=3 ;;
  esac
done
exit "$rc"
