#!/usr/bin/env bash
# A real Triton Inference Server on the CPU, from the tritonserver binary bundled in the PyPI package
# nvidia-pytriton (installed in the project's Python environment), serving a classic model
# repository (<model>/config.pbtxt + <model>/1/model.py with backend "python"). 127.0.0.1 only.
#
# Usage: scripts/triton.sh {start|stop|status} MODEL_REPOSITORY_DIR [MODEL_REPOSITORY_DIR...]
#        (one server serves every repository given; stop and status ignore them, which may be omitted)
#
# Environment (defaults in brackets):
#   TRITON_HTTP_PORT [8000]  TRITON_GRPC_PORT [8001]  TRITON_METRICS_PORT [8002]
#   TRITON_START_TIMEOUT [180]  TRITON_STOP_TIMEOUT [30]
#   TRITON_ARGS              extra tritonserver arguments (word-split), e.g. "--log-verbose=1"
#   SEATCOPILOT_VENV         the Python environment; default: what scripts/bootstrap.sh prints
# State: $TRITON_STATE_DIR [$ROOT/.run/triton/] (triton.log, triton.pid, backends/): a second server needs its own.
# See deploy/local/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T="${TRITON_STATE_DIR:-$ROOT/.run/triton}"
HTTP_PORT="${TRITON_HTTP_PORT:-8000}"
GRPC_PORT="${TRITON_GRPC_PORT:-8001}"
METRICS_PORT="${TRITON_METRICS_PORT:-8002}"
START_TIMEOUT="${TRITON_START_TIMEOUT:-180}"
STOP_TIMEOUT="${TRITON_STOP_TIMEOUT:-30}"
PIDF="$T/triton.pid"
SHMF="$T/shm-regions"              # python-backend shm files this server (and its stubs) mapped
PAT="tritonserver"

log() { echo "[triton] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { echo "usage: $0 {start|stop|status} MODEL_REPOSITORY_DIR [MODEL_REPOSITORY_DIR...]" >&2; exit 2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

live_pid() {                        # pid of our server, if it is running
  local pid
  [[ -f $PIDF ]] || return 1
  pid=$(<"$PIDF")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$PAT" || return 1
  echo "$pid"
}

ready() { curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$HTTP_PORT/v2/health/ready" 2>/dev/null; }

venv_dir() {
  if [[ -n ${SEATCOPILOT_VENV:-} && -x ${SEATCOPILOT_VENV}/bin/python ]]; then echo "$SEATCOPILOT_VENV"; return; fi
  "$ROOT/scripts/bootstrap.sh" </dev/null || die "scripts/bootstrap.sh failed"
}

# Record the /dev/shm/triton_python_backend_shm_region_* files mapped or opened by the server's
# process group (server + python-backend stubs), so that stop removes exactly this server's files.
record_shm() {                      # pgid
  local pgid=$1 p
  for p in $(ps -o pid= -g "$pgid" 2>/dev/null); do
    { sed -n 's#.* \(/dev/shm/triton_python_backend_shm_region_[^ ]*\)$#\1#p' "/proc/$p/maps"
      find "/proc/$p/fd" -maxdepth 1 -lname '/dev/shm/triton_python_backend_shm_region_*' \
        -exec readlink {} \; ; } 2>/dev/null || true
  done | sed 's/ (deleted)$//' >>"$SHMF"
  sort -u -o "$SHMF" "$SHMF"
}

do_status() {
  local pid
  if pid=$(live_pid); then
    if ready; then
      echo "triton: running and ready (pid $pid), http 127.0.0.1:$HTTP_PORT, grpc 127.0.0.1:$GRPC_PORT, metrics 127.0.0.1:$METRICS_PORT"
    else
      echo "triton: running (pid $pid) but not ready on http 127.0.0.1:$HTTP_PORT"; return 3
    fi
  else
    echo "triton: stopped"; return 3
  fi
}

do_stop() {
  local pid deadline f p n=0
  if ! pid=$(live_pid); then
    # The server may have crashed and left python-backend stubs behind in its process group.
    if [[ -f $PIDF && $(<"$PIDF") =~ ^[0-9]+$ ]]; then
      pid=$(<"$PIDF")
      for p in $(ps -o pid= -g "$pid" 2>/dev/null); do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF triton_python_backend_stub || continue
        record_shm "$pid"; kill -KILL "$p" 2>/dev/null && log "killed orphaned python-backend stub (pid $p)"
      done
    fi
    rm -f "$PIDF"; log "triton is not running"
  else
    log "stopping triton (pid $pid)..."
    record_shm "$pid"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && log "triton did not stop within ${STOP_TIMEOUT}s; killing its process group"
    # The server leads its own process group (setsid at start): this also reaps python-backend
    # stubs that outlive it (a stub can stay orphaned for ~30 s after a hung stream).
    kill -KILL -- "-$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$PIDF"
    log "triton stopped"
  fi
  if [[ -f $SHMF ]]; then
    while read -r f; do
      [[ $f == /dev/shm/triton_python_backend_shm_region_* && -e $f ]] && rm -f -- "$f" && n=$((n + 1))
    done <"$SHMF"
    rm -f "$SHMF"
    ((n == 0)) || log "removed $n python-backend shared-memory file(s) from /dev/shm"
  fi
}

do_start() {
  local repo pid venv py sp pyver pylib ts bk deadline t0=$SECONDS repos=()
  for repo in "$@"; do
    [[ -d $repo ]] || die "model repository '$repo' is not a directory"
    repos+=("--model-repository=$(cd "$repo" && pwd)")
  done
  if pid=$(live_pid); then
    if ready; then log "triton already running and ready (pid $pid) on 127.0.0.1:$HTTP_PORT"; return 0; fi
    log "triton pid $pid is up but not ready; restarting it"; do_stop
  fi
  rm -f "$PIDF"
  for p in "$HTTP_PORT" "$GRPC_PORT" "$METRICS_PORT"; do
    port_open "$p" && die "port 127.0.0.1:$p is already in use by another process (set TRITON_HTTP_PORT / TRITON_GRPC_PORT / TRITON_METRICS_PORT)"
  done
  venv=$(venv_dir)
  py="$venv/bin/python"
  [[ -x $py ]] || die "no Python at $py"
  read -r sp pyver pylib < <("$py" -c 'import sys, sysconfig as s
print(s.get_paths()["purelib"], "%d.%d" % sys.version_info[:2], s.get_config_var("LIBDIR"))')
  ts="$sp/pytriton/tritonserver"
  [[ -x $ts/bin/tritonserver ]] || die "$ts/bin/tritonserver not found: is nvidia-pytriton installed in $venv?"
  [[ -x $ts/python_backend_stubs/$pyver/triton_python_backend_stub ]] \
    || die "nvidia-pytriton has no python-backend stub for Python $pyver"

  # backends dir: the python backend plus the stub for this Python, which must sit next to it
  bk="$T/backends"
  mkdir -p "$bk/python"
  cp -f "$ts/backends/python/libtriton_python.so" "$ts/backends/python/triton_python_backend_utils.py" \
        "$ts/python_backend_stubs/$pyver/triton_python_backend_stub" "$bk/python/"
  [[ -f $T/triton.log ]] && mv -f "$T/triton.log" "$T/triton.log.1"
  rm -f "$SHMF"

  # LD_LIBRARY_PATH: the stub must load the libpython of the venv's Python, not the system one.
  # PATH: the embedded interpreter finds the venv (numpy, ...) through `python3` on PATH.
  # SEATCOPILOT_LIBS_DIR: where the generation model finds its llama.cpp runtime (libs/seatcopilot/gguf_runtime.py,
  # no other project imports); the python backend's stub does not keep PYTHONPATH, so the model adds it itself.
  # shellcheck disable=SC2086,SC2016  # TRITON_ARGS is a list of arguments; $$ is the child's
  LD_LIBRARY_PATH="$pylib:$sp/nvidia_pytriton.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  PATH="$venv/bin:$PATH" SEATCOPILOT_LIBS_DIR="$ROOT/libs" \
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDF" \
    "$ts/bin/tritonserver" "${repos[@]}" --backend-directory="$bk" \
    --http-address=127.0.0.1 --http-port="$HTTP_PORT" \
    --grpc-address=127.0.0.1 --grpc-port="$GRPC_PORT" \
    --allow-metrics=true --allow-gpu-metrics=false --allow-cpu-metrics=true \
    --metrics-address=127.0.0.1 --metrics-port="$METRICS_PORT" \
    --exit-timeout-secs=2 ${TRITON_ARGS:-} >"$T/triton.log" 2>&1 </dev/null 8>&- &

  deadline=$((SECONDS + START_TIMEOUT))
  until ready; do
    if ((SECONDS >= deadline)) || { [[ -s $PIDF ]] && ! kill -0 "$(<"$PIDF")" 2>/dev/null; }; then
      tail -n 60 "$T/triton.log" >&2 || true
      do_stop >/dev/null 2>&1 || true
      die "Triton did not become ready (log: $T/triton.log)"
    fi
    sleep 0.2
  done
  pid=$(<"$PIDF")
  record_shm "$pid"
  "$py" "$ROOT/scripts/wait_ready.py" triton --url "127.0.0.1:$GRPC_PORT" --timeout 30 >&2 \
    || die "Triton is ready over HTTP but not over gRPC"
  log "triton ready: http 127.0.0.1:$HTTP_PORT, grpc 127.0.0.1:$GRPC_PORT, metrics 127.0.0.1:$METRICS_PORT (pid $pid, $((SECONDS - t0))s)"
}

(($# >= 1)) || usage
mkdir -p "$T"
if [[ $1 != status ]]; then         # one start/stop at a time per checkout
  exec 8>"$T/.lock"
  flock 8                           # (the server is started with 8>&- so it doesn't hold it)
fi
case $1 in
  start)  (($# >= 2)) || usage; shift; do_start "$@" ;;
  stop)   do_stop ;;
  status) do_status ;;
  *)      usage ;;
esac
