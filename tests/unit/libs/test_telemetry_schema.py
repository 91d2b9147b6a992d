"""Dashboards, alert rules and the telemetry schema document name only metrics the services export."""

import importlib
import json
import re
import subprocess
import sys

import yaml
from prometheus_client import REGISTRY

from tests.helpers import ROOT

CHART = ROOT / "deploy" / "helm" / "seatcopilot"
# Every module that defines metrics: importing them registers their families.
METRIC_MODULES = ("seatcopilot.telemetry", "services.intake.metrics", "seatcopilot.transport.kafka",
                  "services.generation.logic", "services.compliance.kafka_adapter", "services.console.kafka_adapter",
                  "services.indicators.kafka_adapter", "services.summarizer.logic")
METRIC = re.compile(r"\bseatcopilot_[a-z_]+\b")


def exported() -> tuple[set[str], set[str]]:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    families, samples = set(), set()
    for family in REGISTRY.collect():
        if family.name.startswith("seatcopilot_"):
            families.add(family.name)
            samples |= {family.name, f"{family.name}_total", f"{family.name}_bucket", f"{family.name}_sum",
                        f"{family.name}_count"}
    return families, samples


def queries() -> dict[str, list[str]]:
    found = {}
    for path in sorted((CHART / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        found[path.name] = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    rules = yaml.safe_load((CHART / "rules" / "seatcopilot.rules.yaml").read_text())
    found["rules"] = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    return found


def test_every_dashboard_and_rule_query_uses_exported_metrics():
    _, samples = exported()
    for source, expressions in queries().items():
        assert expressions, source
        for expression in expressions:
            unknown = set(METRIC.findall(expression)) - samples
            assert not unknown, f"{source}: {expression} uses {unknown}"


def test_the_telemetry_document_lists_every_metric():
    families, _ = exported()
    document = (ROOT / "docs" / "telemetry.md").read_text()
    missing = sorted(f for f in families if f"`{f.removesuffix('_total')}" not in document)
    assert not missing, f"docs/telemetry.md does not list {missing}"


def test_dashboards_are_generated_from_their_description():
    result = subprocess.run([sys.executable, "scripts/gen_dashboards.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
