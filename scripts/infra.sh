#!/usr/bin/env bash
# Local infrastructure for development and tests: a real Kafka 4.1 (KRaft, single node) and a real
# Neo4j 5.26 Community server, both on 127.0.0.1 only, both run from jars that Maven fetches.
#
# Usage: scripts/infra.sh {start|stop|restart|clean|status} [kafka|neo4j|all]
#
#   start    fetch jars (first time only), start, wait until healthy; ok if already running
#   stop     SIGTERM, wait, SIGKILL if needed; keeps data
#   restart  stop then start (data kept)
#   clean    stop and delete the service's state (data, logs) under .run/
#   status   print state; exit 0 if every selected service is running, 3 otherwise
#
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  NEO4J_BOLT_PORT [7687]
#   NEO4J_PASSWORD [seatcopilot-dev]  (>= 8 characters; applied when the Neo4j store is first created,
#                                      so after changing it run `infra.sh clean neo4j`)
#   KAFKA_HEAP_OPTS [-Xms1g -Xmx1g]   KAFKA_START_TIMEOUT [120]  NEO4J_START_TIMEOUT [180]
#   JAVA [java]                       (Java 17+; Kafka 4.1 and Neo4j 5.26 both run on OpenJDK 17)
#   SEATCOPILOT_JAR_CACHE [${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/jars]
#   INFRA_PY_CHECK [1]   1: after start, also run scripts/wait_ready.py with the project's Python
#                        (SEATCOPILOT_PYTHON, else $(scripts/bootstrap.sh)/bin/python); 0: skip it
#                        (the built-in checks still run: log marker, port, Bolt handshake).
# State: $ROOT/.run/{kafka,neo4j}/ (data, logs, pid files). See deploy/local/README.md.
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

py_check() {                                    # service timeout
  [[ $INFRA_PY_CHECK == 0 ]] && return 0
  local py
  py=$(project_python) || return 1
  [[ -x $py ]] || { log "no Python interpreter at '$py' (set SEATCOPILOT_PYTHON or INFRA_PY_CHECK=0)"; return 1; }
  "$py" "$ROOT/scripts/wait_ready.py" "$1" --timeout "$2" >&2
}

# ------------------------------------------------------------------ Kafka
K="$RUN/kafka"
KPAT="kafka.Kafka"

kafka_status() {
  local pid
  if pid=$(live_pid "$K/kafka.pid" "$KPAT"); then
    if port_open "$KAFKA_PORT"; then
      echo "kafka: running (pid $pid), 127.0.0.1:$KAFKA_PORT, data $K/data"
    else
      echo "kafka: process up (pid $pid) but 127.0.0.1:$KAFKA_PORT is closed"; return 3
    fi
  else
    echo "kafka: stopped"; return 3
  fi
}

kafka_stop() { stop_pid kafka "$K/kafka.pid" "$KPAT" 60; }

kafka_start() {
  local libs l4j cid pid deadline t0=$SECONDS
  if pid=$(live_pid "$K/kafka.pid" "$KPAT"); then
    if port_open "$KAFKA_PORT"; then log "kafka already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"; return 0; fi
    log "kafka pid $pid is up but its port is closed; restarting it"; kafka_stop
  fi
  rm -f "$K/kafka.pid"
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$p" && die "port 127.0.0.1:$p is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  done
  need_java
  libs=$(fetch_jars kafka)
  mkdir -p "$K/data"
  sed -e "s#@DATA_DIR@#$K/data#g" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" \
      -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
      "$DEPLOY/kafka/server.properties" >"$K/server.properties"
  l4j="-Dlog4j2.configurationFile=$DEPLOY/kafka/log4j2.properties"
  if [[ ! -f $K/data/meta.properties ]]; then
    cid=$("$JAVA" -Xmx256m "$l4j" -cp "$libs/*" kafka.tools.StorageTool random-uuid </dev/null 2>/dev/null | tail -n1)
    [[ -n $cid ]] || die "kafka.tools.StorageTool random-uuid failed"
    log "formatting Kafka storage (cluster id $cid)"
    "$JAVA" -Xmx512m "$l4j" -cp "$libs/*" kafka.tools.StorageTool format --standalone \
      -t "$cid" -c "$K/server.properties" </dev/null >"$K/format.log" 2>&1 \
      || { cat "$K/format.log" >&2; die "kafka storage format failed"; }
  fi
  [[ -f $K/kafka.log ]] && mv -f "$K/kafka.log" "$K/kafka.log.1"
  # New session: the broker survives the caller's terminal / CI step process group.
  # shellcheck disable=SC2086,SC2016  # KAFKA_HEAP_OPTS is a list of JVM flags; $$ is the child's
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$K/kafka.pid" \
    "$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "$l4j" -Dkafka.logs.dir="$K" \
    -cp "$libs/*" kafka.Kafka "$K/server.properties" >"$K/kafka.log" 2>&1 </dev/null 8>&- &
  deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ! { [[ -f $K/kafka.log ]] && grep -q "Kafka Server started" "$K/kafka.log" && port_open "$KAFKA_PORT"; }; do
    if ((SECONDS >= deadline)) || { [[ -s $K/kafka.pid ]] && ! kill -0 "$(<"$K/kafka.pid")" 2>/dev/null; }; then
      tail -n 60 "$K/kafka.log" >&2 || true
      kafka_stop >/dev/null 2>&1 || true
      die "Kafka did not start (log: $K/kafka.log)"
    fi
    sleep 0.2
  done
  py_check kafka 60 || die "Kafka started but the Kafka protocol check failed"
  log "kafka ready on 127.0.0.1:$KAFKA_PORT (pid $(<"$K/kafka.pid"), $((SECONDS - t0))s)"
}

kafka_clean() { kafka_stop; rm -rf "$K"; log "kafka state deleted ($K)"; }

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
usage() { echo "usage: $0 {start|stop|restart|clean|status} [kafka|neo4j|all]" >&2; exit 2; }
(($# >= 1 && $# <= 2)) || usage
cmd=$1; what=${2:-all}
case $what in kafka) svcs=(kafka) ;; neo4j) svcs=(neo4j) ;; all) svcs=(kafka neo4j) ;; *) usage ;; esac
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
