"""The Helm chart (deploy/helm/seatcopilot) through scripts/helm_check.sh: lint, renders, rejected values and
the golden file; then what the default render gives every component (gRPC probes, security, autoscaling).
The script builds Helm with Go the first time on a machine (a few minutes), then reuses it."""

import json
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

COMPONENTS = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer", "console", "indicators")


def run_helm_check(render_dir, *args):
    return subprocess.run(["bash", str(ROOT / "scripts" / "helm_check.sh"), "--render-dir", str(render_dir), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def load_documents(path):
    assert path.is_file(), f"{path.name} was not rendered"
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(documents, kind):
    return [doc for doc in documents if doc["kind"] == kind]


def component_of(doc):
    return doc["metadata"]["labels"]["app.kubernetes.io/component"]


def deployments(documents):
    return {component_of(doc): doc for doc in of_kind(documents, "Deployment")}


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    render_dir = tmp_path_factory.mktemp("helm")
    return run_helm_check(render_dir), render_dir


def test_helm_check_passes(renders):
    result, _ = renders
    assert result.returncode == 0, f"scripts/helm_check.sh failed:\n{result.stdout}\n{result.stderr}"


def test_every_component_is_probed_over_grpc_locked_down_and_autoscaled(renders):
    _, render_dir = renders
    documents = load_documents(render_dir / "default.yaml")
    by_component = deployments(documents)
    scaled = {doc["spec"]["scaleTargetRef"]["name"] for doc in of_kind(documents, "HorizontalPodAutoscaler")}
    services = {component_of(doc): doc for doc in of_kind(documents, "Service")}
    budgets = {component_of(doc) for doc in of_kind(documents, "PodDisruptionBudget")}
    for name in COMPONENTS:
        assert name in by_component, f"no Deployment for {name}"
        deployment = by_component[name]
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        grpc_port = next(port["containerPort"] for port in container["ports"] if port["name"] == "grpc")
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["grpc"]["port"] == grpc_port, f"{name}: {probe} is not a gRPC probe"
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name
        env = {item["name"]: item.get("value") for item in container["env"]}
        assert pod["terminationGracePeriodSeconds"] > float(env["DRAIN_SECONDS"]), name
        assert env["GRPC_PORT"] == str(grpc_port) and env["KAFKA_BOOTSTRAP"], name
        assert deployment["metadata"]["name"] in scaled, f"no HorizontalPodAutoscaler for {name}"
        assert "replicas" not in deployment["spec"], f"{name}: the HPA owns the replica count"
        assert {port["name"] for port in services[name]["spec"]["ports"]} >= {"grpc", "metrics"}, name
        assert name in budgets, f"no PodDisruptionBudget for {name}"
    assert "http" in {port["name"] for port in services["console"]["spec"]["ports"]}
    retrieval_env = {item["name"]: item for item in by_component["retrieval"]["spec"]["template"]["spec"]
                     ["containers"][0]["env"]}
    assert retrieval_env["NEO4J_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]


def test_triton_asks_for_a_gpu_only_when_enabled(renders):
    _, render_dir = renders

    def triton_limits(path):
        container = deployments(load_documents(path))["triton"]["spec"]["template"]["spec"]["containers"][0]
        return container["resources"].get("limits", {})

    assert "nvidia.com/gpu" not in triton_limits(render_dir / "default.yaml")
    assert triton_limits(render_dir / "gpu.yaml")["nvidia.com/gpu"] == 1


def test_every_rendered_manifest_validates_against_the_kubernetes_schemas(renders):
    import kubernetes_validate

    _, render_dir = renders
    checked = 0
    for render in ("default.yaml", "gpu.yaml"):
        for doc in load_documents(render_dir / render):
            if doc["apiVersion"].startswith("monitoring.coreos.com/"):
                continue  # a CRD: not in the Kubernetes schemas
            kubernetes_validate.validate(doc, "1.31.0", strict=True)
            checked += 1
    assert checked > 40


def test_dashboards_are_shipped_for_the_grafana_sidecar(renders):
    _, render_dir = renders
    maps = [doc for doc in of_kind(load_documents(render_dir / "default.yaml"), "ConfigMap")
            if doc["metadata"]["labels"].get("grafana_dashboard") == "1"]
    assert len(maps) == 5
    for config_map in maps:
        for body in config_map["data"].values():
            assert json.loads(body)["panels"]
