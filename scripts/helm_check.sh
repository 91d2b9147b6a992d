#!/usr/bin/env bash
# Checks the Helm chart offline: lint, render with the default values and with the GPU, CPU and
# full-featured values files (ci/), reject invalid values, and compare the default render with the
# committed golden file.
#
# Usage: scripts/helm_check.sh [--update] [--render-dir DIR]
#   --update          rewrite deploy/helm/golden/default.yaml from the current chart
#   --render-dir DIR  write the renders to DIR (default: a new temporary directory, kept and printed)
#
# Helm is built once from source with Go (no prebuilt binary is downloaded) into
# ${SEATCOPILOT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/tools} and reused after that.
# Validation of the renders against the Kubernetes OpenAPI schemas is not done here yet.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="$ROOT/deploy/helm/seatcopilot"
GOLDEN="$ROOT/deploy/helm/golden/default.yaml"
GPU_VALUES="$CHART/ci/gpu-values.yaml"
CPU_VALUES="$CHART/ci/cpu-values.yaml"
FULL_VALUES="$CHART/ci/full-values.yaml"
HELM_VERSION=v3.22.0
# A go-installed helm carries no build-time default cluster version (it would assume 1.20): render
# for a current Kubernetes explicitly. The chart needs >= 1.27 (gRPC probes).
KUBE_VERSION="${KUBE_VERSION:-1.31.0}"
RELEASE=seatcopilot
NAMESPACE=seatcopilot
TOOLS="${SEATCOPILOT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/tools}"
HELM="$TOOLS/helm"
log() { echo "[helm-check] $*" >&2; }
die() { log "FAIL: $*"; exit 1; }

update=0
render_dir=""
while (($#)); do
  case "$1" in
    --update) update=1 ;;
    --render-dir) render_dir="${2:?--render-dir needs a directory}"; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--update] [--render-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

ensure_helm() {
  mkdir -p "$TOOLS"
  if [[ -x "$HELM" && "$(cat "$HELM.version" 2>/dev/null)" == "$HELM_VERSION" ]]; then return; fi
  exec 8>"$TOOLS/.helm.lock" && flock 8   # one build at a time on this machine
  if [[ -x "$HELM" && "$(cat "$HELM.version" 2>/dev/null)" == "$HELM_VERSION" ]]; then return; fi
  command -v go >/dev/null || die "go is needed to build helm $HELM_VERSION"
  log "building helm $HELM_VERSION with $(go version | cut -d' ' -f3) into $TOOLS (once per machine: a few minutes)"
  local started=$SECONDS
  rm -f "$HELM.version"
  (cd "$TOOLS" && GOBIN="$TOOLS" GOFLAGS=-buildvcs=false go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  echo "$HELM_VERSION" > "$HELM.version"
  log "helm built in $((SECONDS - started)) s"
}

ensure_helm

if [[ -z "$render_dir" ]]; then render_dir=$(mktemp -d "${TMPDIR:-/tmp}/seatcopilot-helm.XXXXXX"); fi
mkdir -p "$render_dir"
# Helm's own state (repositories, plugins, cache) stays out of the user's home.
export HELM_CONFIG_HOME="$render_dir/.helm/config" HELM_CACHE_HOME="$render_dir/.helm/cache"
export HELM_DATA_HOME="$render_dir/.helm/data"

log "helm lint (default values, GPU, CPU and full values)"
"$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" >"$render_dir/lint.log" 2>&1 \
  || { cat "$render_dir/lint.log" >&2; die "helm lint with the default values"; }
for values in "$GPU_VALUES" "$CPU_VALUES" "$FULL_VALUES"; do
  "$HELM" lint --strict --kube-version "$KUBE_VERSION" -f "$values" "$CHART" >>"$render_dir/lint.log" 2>&1 \
    || { cat "$render_dir/lint.log" >&2; die "helm lint with $values"; }
done

render() {  # render OUTPUT [helm template flags...]
  local out="$1"; shift
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" "$@" >"$out"
}

log "helm template (default values, GPU, CPU and full values) into $render_dir"
render "$render_dir/default.yaml" || die "helm template with the default values"
render "$render_dir/gpu.yaml" -f "$GPU_VALUES" || die "helm template with $GPU_VALUES"
render "$render_dir/cpu.yaml" -f "$CPU_VALUES" || die "helm template with $CPU_VALUES"
render "$render_dir/full.yaml" -f "$FULL_VALUES" || die "helm template with $FULL_VALUES"
grep -q 'nvidia.com/gpu: 1' "$render_dir/gpu.yaml" || die "the GPU render requests no nvidia.com/gpu"
if grep -q 'nvidia.com/gpu:' "$render_dir/default.yaml"; then die "the default render requests a GPU"; fi

# values.schema.json and the templates' own checks must reject bad values.
reject() {  # reject WHAT [helm template flags...]
  local what="$1"; shift
  if render "$render_dir/rejected.yaml" "$@" 2>"$render_dir/rejected.log"; then
    die "invalid values were accepted: $what"
  fi
}
reject "a gRPC port of 0" --set components.intake.grpcPort=0
reject "a component without an image" --set components.classifier.image=null
reject "an unknown top-level value" --set kafkaa.bootstrap=x
reject "an empty Neo4j secret name" --set neo4j.existingSecret=
reject "an empty verdict-keys secret name" --set verdicts.existingSecret=
reject "a writable root filesystem" --set securityContext.readOnlyRootFilesystem=false
reject "autoscaling max below min" --set components.intake.autoscaling.min=5 --set components.intake.autoscaling.max=2
reject "an HTTP port on a component that serves no HTTP" --set components.classifier.httpPort=9000
reject "topics without partitions" --set kafka.topics.partitions=0
reject "Kafka SASL_SSL without the Secret of its passwords" --set kafka.security.protocol=SASL_SSL
reject "a Kafka security protocol other than PLAINTEXT or SASL_SSL" --set kafka.security.protocol=SASL_PLAINTEXT
reject "an Ingress path that is not absolute" --set ingress.enabled=true --set ingress.console.path=console
rm -f "$render_dir/rejected.yaml" "$render_dir/rejected.log"

if ((update)); then
  mkdir -p "$(dirname "$GOLDEN")"
  cp "$render_dir/default.yaml" "$GOLDEN"
  log "golden file rewritten: ${GOLDEN#"$ROOT/"}"
elif ! diff -u "$GOLDEN" "$render_dir/default.yaml" >"$render_dir/golden.diff"; then
  cat "$render_dir/golden.diff" >&2
  die "the default render differs from ${GOLDEN#"$ROOT/"} (review, then run $0 --update)"
fi
log "OK (renders in $render_dir)"
