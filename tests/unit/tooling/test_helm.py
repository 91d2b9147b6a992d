"""The Helm chart (deploy/helm/seatcopilot) through scripts/helm_check.sh: lint, renders, rejected values and
the golden file; then what the default render gives every component (gRPC probes, security, autoscaling).
The script builds Helm with Go the first time on a machine (a few minutes), then reuses it."""

import json
import subprocess

import pytest
import yaml

from tests.helpers import ROOT

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
        # liveness follows the process only; readiness the dependencies (an outage must not restart pods)
        assert container["livenessProbe"]["grpc"]["service"] == "liveness", name
        assert "service" not in container["readinessProbe"]["grpc"], name
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


def test_the_verdict_keys_reach_compliance_and_the_console_only(renders):
    """Without VERDICT_KEYS compliance cannot sign and the console cannot verify on Kafka (both refuse to
    start): the chart wires the existing Secret into those two and no other component sees it."""
    _, render_dir = renders
    by_component = deployments(load_documents(render_dir / "default.yaml"))
    holders = set()
    for name, deployment in by_component.items():
        env = {item["name"]: item for item in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        if "VERDICT_KEYS" in env:
            holders.add(name)
            assert env["VERDICT_KEYS"]["valueFrom"]["secretKeyRef"] == {"name": "seatcopilot-verdicts", "key": "keys"}
    assert holders == {"compliance", "console"}


def test_with_grpc_tls_every_component_serves_mutual_tls_and_probes_ask_the_health_port(renders):
    _, render_dir = renders
    for name, deployment in deployments(load_documents(render_dir / "full.yaml")).items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        env = container_env(deployment)
        assert env["GRPC_TLS_DIR"] == "/etc/seatcopilot/grpc-tls" and env["GRPC_HEALTH_PORT"] == "50052", name
        assert {"name": "grpc-tls", "secret": {"secretName": "seatcopilot-grpc-tls"}} in pod["volumes"], name
        assert {"name": "grpc-tls", "mountPath": "/etc/seatcopilot/grpc-tls", "readOnly": True} \
            in container["volumeMounts"], name
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["grpc"]["port"] == 50052, f"{name}: {probe}"
    for deployment in deployments(load_documents(render_dir / "default.yaml")).values():
        assert "GRPC_TLS_DIR" not in container_env(deployment)  # off by default


def test_with_kafka_sasl_ssl_every_kafka_client_logs_in_as_its_role_from_the_secret(renders):
    """Each component, the topics Job and the helm-test pod get the protocol, their role's user and the mounted
    password and CA; the graph-load Job (no Kafka) gets nothing; by default (PLAINTEXT) no pod gets any."""
    _, render_dir = renders
    documents = load_documents(render_dir / "full.yaml")
    pods = {component_of(doc): doc["spec"]["template"]["spec"] for doc in of_kind(documents, "Deployment")
            if component_of(doc) in COMPONENTS}
    pods |= {component_of(doc): doc["spec"]["template"]["spec"] for doc in of_kind(documents, "Job")}
    (test_pod,) = of_kind(documents, "Pod")
    pods["release-check"] = test_pod["spec"]
    assert set(pods) == {*COMPONENTS, "topics", "graph-load", "release-check"}
    for role, pod in pods.items():
        container = pod["containers"][0]
        env = {item["name"]: item.get("value") for item in container["env"]}
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        if role == "graph-load":
            assert "KAFKA_SECURITY_PROTOCOL" not in env and "kafka-credentials" not in volumes
            continue
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and env["KAFKA_SASL_USERNAME"] == f"seatcopilot-{role}"
        assert env["KAFKA_SASL_PASSWORD_FILE"] == "/etc/seatcopilot/kafka/password", role
        assert env["KAFKA_SSL_CAFILE"] == "/etc/seatcopilot/kafka/ca.crt" and "KAFKA_SASL_PASSWORD" not in env, role
        assert volumes["kafka-credentials"]["secret"] == {
            "secretName": "seatcopilot-kafka",
            "items": [{"key": f"{role}-password", "path": "password"}, {"key": "ca.crt", "path": "ca.crt"}]}, role
        assert {"name": "kafka-credentials", "mountPath": "/etc/seatcopilot/kafka", "readOnly": True} \
            in container["volumeMounts"], role
    scaled = of_kind(documents, "ScaledObject")
    assert scaled and all(obj["spec"]["triggers"][0]["metadata"]["sasl"] == "scram_sha512" for obj in scaled)
    for deployment in deployments(load_documents(render_dir / "default.yaml")).values():
        assert not {"KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_USERNAME"} & set(container_env(deployment))


def container_env(deployment):
    return {item["name"]: item.get("value") for item in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}


def test_triton_is_off_by_default_and_asks_for_a_gpu_only_in_the_gpu_values(renders):
    _, render_dir = renders

    def triton_container(path):
        return deployments(load_documents(path))["triton"]["spec"]["template"]["spec"]["containers"][0]

    default = deployments(load_documents(render_dir / "default.yaml"))
    assert "triton" not in default
    assert container_env(default["generation"])["GENERATION_BACKEND"] == "local"
    gpu = triton_container(render_dir / "gpu.yaml")
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == 1 and "trtllm" in gpu["image"]
    assert {"name": "engines", "mountPath": "/engines", "readOnly": True} in gpu["volumeMounts"]
    assert "nvidia.com/gpu" not in triton_container(render_dir / "cpu.yaml")["resources"].get("limits", {})
    gpu_generation = deployments(load_documents(render_dir / "gpu.yaml"))["generation"]
    assert container_env(gpu_generation)["GENERATION_BACKEND"] == "triton"


def test_each_http_server_gets_its_own_port_variable(renders):
    """The httpPort mix-up: any component with httpPort used to be given CONSOLE_PORT."""
    _, render_dir = renders
    by_component = deployments(load_documents(render_dir / "default.yaml"))
    intake, console = container_env(by_component["intake"]), container_env(by_component["console"])
    assert (intake["INTAKE_HTTP_PORT"], intake["INTAKE_HTTP_HOST"]) == ("8090", "0.0.0.0")
    assert "CONSOLE_PORT" not in intake and "INTAKE_HTTP_PORT" not in console
    assert (console["CONSOLE_PORT"], console["CONSOLE_HOST"]) == ("8080", "0.0.0.0")
    services = {component_of(doc): doc for doc in of_kind(load_documents(render_dir / "default.yaml"), "Service")}
    webhook = {"name": "http", "port": 8090, "targetPort": "http", "protocol": "TCP"}
    assert webhook in services["intake"]["spec"]["ports"]


def test_topics_and_graph_load_run_as_hook_jobs_with_the_partitions_from_values(renders):
    _, render_dir = renders
    jobs = {doc["metadata"]["name"]: doc for doc in of_kind(load_documents(render_dir / "full.yaml"), "Job")}
    topics, graph = jobs["seatcopilot-topics"], jobs["seatcopilot-graph-load"]
    for job in (topics, graph):
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(topics["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        graph["metadata"]["annotations"]["helm.sh/hook-weight"])
    args = topics["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["topics", "create"] and args[args.index("--partitions") + 1] == "12"
    assert args[args.index("--replication") + 1] == "3"
    graph_env = {e["name"]: e for e in graph["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert graph_env["NEO4J_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "seatcopilot-neo4j"
    for deployment in deployments(load_documents(render_dir / "full.yaml")).values():
        env = container_env(deployment)
        assert (env["KAFKA_TOPIC_PARTITIONS"], env["KAFKA_REPLICATION_FACTOR"]) == ("12", "3")


def test_a_platform_team_can_wire_secrets_ingress_monitoring_and_keda(renders):
    _, render_dir = renders
    documents = load_documents(render_dir / "full.yaml")
    by_component = deployments(documents)
    intake_pod = by_component["intake"]["spec"]["template"]["spec"]
    intake = intake_pod["containers"][0]
    assert {"secretRef": {"name": "seatcopilot-intake-webhooks"}} in intake["envFrom"]
    assert {"name": "existing-secret", "secret": {"secretName": "seatcopilot-intake-files"}} in intake_pod["volumes"]
    assert {"name": "existing-secret", "mountPath": "/etc/seatcopilot/secret", "readOnly": True} in \
        intake["volumeMounts"]
    assert container_env(by_component["intake"])["INTAKE_PUBLIC_BASE_URL"] == "https://hooks.example.com"
    classifier = by_component["classifier"]["spec"]["template"]["spec"]
    assert {"configMapRef": {"name": "seatcopilot-classifier-tuning"}} in classifier["containers"][0]["envFrom"]
    assert any(v["name"] == "intents-model" for v in classifier["volumes"])
    (ingress,) = of_kind(documents, "Ingress")
    backends = {rule["host"]: rule["http"]["paths"][0]["backend"]["service"] for rule in ingress["spec"]["rules"]}
    assert backends["hooks.example.com"] == {"name": "seatcopilot-intake", "port": {"name": "http"}}
    assert backends["copilot.example.com"] == {"name": "seatcopilot-console", "port": {"name": "http"}}
    assert ingress["spec"]["tls"][0]["secretName"] == "seatcopilot-tls"
    for kind in ("ServiceMonitor", "PrometheusRule"):
        (monitor,) = of_kind(documents, kind)
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack", kind
    (scaled,) = of_kind(documents, "ScaledObject")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "seatcopilot-classifier"
    assert scaled["spec"]["maxReplicaCount"] == 12  # autoscaling.max 20, capped at the 12 partitions
    assert scaled["spec"]["triggers"][0]["metadata"]["consumerGroup"] == "seatcopilot-classifier"
    hpas = {doc["spec"]["scaleTargetRef"]["name"] for doc in of_kind(documents, "HorizontalPodAutoscaler")}
    assert "seatcopilot-classifier" not in hpas  # KEDA owns it: never two autoscalers on one Deployment


def test_helm_test_sends_one_call_through_the_release(renders):
    _, render_dir = renders
    (pod,) = [doc for doc in of_kind(load_documents(render_dir / "default.yaml"), "Pod")]
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    container = pod["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "seatcopilot_cli", "release-check"]


def test_every_rendered_manifest_validates_against_the_kubernetes_schemas(renders):
    import kubernetes_validate

    _, render_dir = renders
    checked = 0
    for render in ("default.yaml", "gpu.yaml", "cpu.yaml", "full.yaml"):
        for doc in load_documents(render_dir / render):
            if doc["apiVersion"].startswith(("monitoring.coreos.com/", "keda.sh/")):
                continue  # CRDs: not in the Kubernetes schemas
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


def test_the_audit_logs_live_on_a_kept_volume_with_their_keys_mounted_apart(renders):
    """Compliance's decisions and the console's accesses outlive their pods (a claim kept on uninstall), each
    log in its own folder, each key from the audit Secret in a read-only folder outside the volume."""
    _, render_dir = renders
    documents = load_documents(render_dir / "default.yaml")
    [claim] = of_kind(documents, "PersistentVolumeClaim")
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    by_component = deployments(documents)
    for name, (log_var, key_var, log_dir, key) in {
            "compliance": ("COMPLIANCE_AUDIT_DIR", "COMPLIANCE_AUDIT_KEY_FILE", "compliance", "compliance.key"),
            "console": ("CONSOLE_AUDIT_DIR", "CONSOLE_AUDIT_KEY_FILE", "console", "console.key")}.items():
        pod = by_component[name]["spec"]["template"]["spec"]
        env = container_env(by_component[name])
        assert env[log_var] == f"/var/lib/seatcopilot/audit/{log_dir}"
        assert env[key_var] == f"/etc/seatcopilot/audit-key/{key}"
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["audit"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
        assert volumes["audit-key"]["secret"]["secretName"] == "seatcopilot-audit"
        assert {"name": "audit-key", "mountPath": "/etc/seatcopilot/audit-key", "readOnly": True} \
            in pod["containers"][0]["volumeMounts"]
    others = {name for name, d in by_component.items()
              if "audit" in {v["name"] for v in d["spec"]["template"]["spec"]["volumes"]}}
    assert others == {"compliance", "console"}
