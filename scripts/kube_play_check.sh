#!/usr/bin/env bash
# Runs the chart's rendered Deployments and ConfigMaps under `podman kube play` with the images `make images`
# built (deploy/helm/podman-values.yaml: each pod standalone), with a Secret as environment variables, the
# Neo4j password from a Secret key and the tenants file from a ConfigMap volume, then waits for every
# component to answer SERVING on gRPC health inside its pod, and tears it all down.
#
# What this cannot check (podman is not Kubernetes): Services, Ingress, NetworkPolicies, HPAs/KEDA, PDBs,
# probes (podman ignores gRPC probes), hook Jobs and helm test, the Prometheus-operator objects, multiple
# replicas; and Secret *volumes* (existingSecret), which podman 4.3 kube play crashes on. The containers'
# ports are dropped from what podman plays (it would publish each on the host, and every pod uses 50051).
#
# Usage: scripts/kube_play_check.sh [--keep]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
HELM="${SEATCOPILOT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/seatcopilot/tools}/helm"
export CONTAINERS_CONF="$ROOT/deploy/docker/containers.conf"
TIMEOUT_S="${KUBE_PLAY_TIMEOUT_S:-300}"
log() { echo "[kube-play] $*" >&2; }
die() { log "FAIL: $*"; exit 1; }
[[ -x $HELM ]] || bash "$ROOT/scripts/helm_check.sh" >/dev/null || die "no helm (scripts/helm_check.sh builds it)"
command -v podman >/dev/null || die "podman is needed (make images)"
command -v catatonit >/dev/null || die "catatonit is needed for pods (Debian: apt-get install catatonit)"

work=$(mktemp -d "${TMPDIR:-/tmp}/seatcopilot-kube-play.XXXXXX")
"$HELM" template seatcopilot "$ROOT/deploy/helm/seatcopilot" --namespace seatcopilot --kube-version 1.31.0 \
  -f "$ROOT/deploy/helm/podman-values.yaml" >"$work/render.yaml"
# What podman plays: the Deployments and ConfigMaps, plus the tenants ConfigMap the values mount.
"$PY" - "$work" "$ROOT" <<'PY'
import sys
from pathlib import Path

import yaml

work, root = Path(sys.argv[1]), Path(sys.argv[2])
docs = [d for d in yaml.safe_load_all((work / "render.yaml").read_text()) if d]
dashboard = lambda d: "grafana_dashboard" in d["metadata"].get("labels", {})  # noqa: E731 (dashboards: not for pods)
played = [d for d in docs if d["kind"] == "Deployment" or (d["kind"] == "ConfigMap" and not dashboard(d))]
for deployment in (d for d in played if d["kind"] == "Deployment"):
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        container.pop("ports", None)  # podman would publish every containerPort on the host: all pods use 50051
played.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "seatcopilot-tenants"},
               "data": {"tenants.yaml": (root / "data" / "intake" / "tenants.yaml").read_text()}})
(work / "play.yaml").write_text(yaml.safe_dump_all(played, sort_keys=False))
print(len([d for d in played if d["kind"] == "Deployment"]), file=(work / "deployments").open("w"))
PY
log "$(cat "$work/deployments") Deployments rendered into $work/play.yaml"

cleanup() {
  if [[ ${1:-} != --keep ]]; then
    podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
    podman secret rm seatcopilot-neo4j seatcopilot-intake-webhooks seatcopilot-verdicts >/dev/null 2>&1 || true
  fi
}
trap 'cleanup "${KEEP:-}"' EXIT
[[ ${1:-} == --keep ]] && KEEP=--keep
# Secrets as podman keeps them for kube play: a JSON map of base64 values.
podman secret rm seatcopilot-neo4j seatcopilot-intake-webhooks seatcopilot-verdicts >/dev/null 2>&1 || true
printf '{"password": "%s"}' "$(printf 'kube-play-only' | base64)" | podman secret create seatcopilot-neo4j - >/dev/null
printf '{"INTAKE_HARBOR_BEARER_TOKEN": "%s"}' "$(printf 'kube-play-token' | base64)" \
  | podman secret create seatcopilot-intake-webhooks - >/dev/null
printf '{"keys": "%s"}' "$(printf 'kp1:kube-play-only-verdict-key' | base64 -w0)" \
  | podman secret create seatcopilot-verdicts - >/dev/null
podman kube play "$work/play.yaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; die "podman kube play"; }

check='import grpc, sys
from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g
with grpc.insecure_channel("127.0.0.1:50051") as c:
    try:
        r = g.HealthStub(c).Check(h.HealthCheckRequest(), timeout=2)
    except grpc.RpcError:
        sys.exit(1)
sys.exit(0 if r.status == h.HealthCheckResponse.SERVING else 1)'
failed=0
for component in intake classifier retrieval generation compliance summarizer console indicators; do
  container="seatcopilot-$component-pod-0-$component"
  deadline=$((SECONDS + TIMEOUT_S))
  until podman exec "$container" python -c "$check" 2>/dev/null; do
    if ((SECONDS >= deadline)) || [[ "$(podman inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" != true ]]; then
      log "$component: not SERVING"; podman logs --tail 30 "$container" >&2 || true; failed=1; break
    fi
    sleep 2
  done
  ((failed)) && break
  user=$(podman exec "$container" id -u)
  log "$component: SERVING (uid $user, read-only root: $(podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$container"))"
done
podman exec seatcopilot-intake-pod-0-intake sh -c 'test -n "$INTAKE_HARBOR_BEARER_TOKEN" && test -s "$INTAKE_TENANTS_FILE"' \
  && log "intake: webhook secret from the Secret, tenants file from the ConfigMap volume" || failed=1
podman exec seatcopilot-retrieval-pod-0-retrieval sh -c 'test "$NEO4J_PASSWORD" = kube-play-only' \
  && log "retrieval: NEO4J_PASSWORD from the Secret key" || failed=1
for component in compliance console; do
  podman exec "seatcopilot-$component-pod-0-$component" sh -c 'test "$VERDICT_KEYS" = kp1:kube-play-only-verdict-key' \
    && log "$component: VERDICT_KEYS from the verdicts Secret" || failed=1
done
podman exec seatcopilot-classifier-pod-0-classifier sh -c 'test -z "$VERDICT_KEYS"' \
  && log "classifier: no VERDICT_KEYS (only compliance and the console hold them)" || failed=1
((failed == 0)) || die "see above"
log "OK: every component of the rendered chart is SERVING under podman kube play"
