#!/usr/bin/env bash
# Builds this checkout's .venv: a small venv that sees the machine-wide heavy environment
# (scripts/bootstrap.sh) through a .pth file, with the project installed in editable mode.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV=${1:-$ROOT/.venv}
BASE=$("$ROOT/scripts/bootstrap.sh")
BASE_SITE=$("$BASE/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
rm -rf "$VENV"
"$BASE/bin/python" -m venv "$VENV"
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$BASE_SITE" > "$SITE/seatcopilot-base.pth"
# Tools installed as scripts in the heavy environment.
for tool in ruff py-spy; do ln -sf "$BASE/bin/$tool" "$VENV/bin/$tool"; done
"$VENV/bin/python" -m pip install -q "setuptools==80.9.0" "wheel==0.45.1" >&2
"$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$ROOT" >&2
touch "$VENV/.ready"
echo "[env] ready: $VENV (base $BASE)" >&2
