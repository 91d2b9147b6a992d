"""Writes the Grafana dashboards (deploy/helm/seatcopilot/dashboards/*.json) from one description, so
every panel uses the same datasource variable, layout and naming. `--check` fails when they differ.

Every dashboard has `namespace` and `job` variables (multi-select, "All" by default) and every metric
selector in every query is scoped by them, so one Grafana serves several releases and an operator
can narrow a panel to one service."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "deploy" / "helm" / "seatcopilot" / "dashboards"
DS = {"type": "prometheus", "uid": "${datasource}"}
SCOPE = 'namespace=~"$namespace", job=~"$job"'
SELECTOR = re.compile(r"\b(seatcopilot_[a-z_]+)(?:\{([^}]*)\})?")
VARIABLE_METRIC = "seatcopilot_stage_messages_total"


def scoped(expr: str) -> str:
    """Each metric selector of a query narrowed to the chosen namespaces and jobs."""
    def narrow(match: re.Match[str]) -> str:
        inner = match.group(2)
        return f"{match.group(1)}{{{SCOPE}{', ' + inner if inner else ''}}}"
    return SELECTOR.sub(narrow, expr)


def variable(name: str, query: str) -> dict:
    return {"name": name, "label": name, "type": "query", "datasource": DS, "definition": query,
            "query": {"query": query, "refId": name}, "refresh": 2, "includeAll": True, "multi": True,
            "allValue": ".*", "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1}


def quantiles(metric: str, by: str = "", where: str = "") -> list[tuple[str, str]]:
    group = f"le{', ' + by if by else ''}"
    legend = f"{{{{{by}}}}} " if by else ""
    expr = "histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{where}[5m])))"
    return [(expr.format(q=q, group=group, metric=metric, where=where), f"{legend}p{int(q * 100)}")
            for q in (0.5, 0.95, 0.99)]


def ratio(numerator: str, denominator: str, scale: str = "") -> str:
    """An indicator per arm over the last hour, from the counters the indicators service exports."""
    def increase(counter: str) -> str:
        return f'sum by (arm) (increase(seatcopilot_indicator_events_total{{counter="{counter}"}}[1h]))'
    return f"{scale}{increase(numerator)} / {increase(denominator)}"


DASHBOARDS = {
    "overview": ("Seat Copilot — pipeline overview", [
        ("End-to-end: customer utterance to steered suggestion", "s",
         quantiles("seatcopilot_suggestion_latency_seconds")),
        ("Stage processing latency p50/p95/p99", "s", quantiles("seatcopilot_stage_processing_seconds")),
        ("Messages consumed per second, by stage", "ops",
         [("sum by (stage) (rate(seatcopilot_stage_messages_total[5m]))", "{{stage}}")]),
        ("Dead letters per second, by stage and reason", "ops",
         [("sum by (stage, reason) (rate(seatcopilot_dead_letters_total[5m]))", "{{stage}} {{reason}}")]),
        ("Consumer lag (messages)", "short",
         [("sum by (group, topic) (seatcopilot_consumer_lag_messages)", "{{group}} {{topic}}")]),
        ("Suggestions by verdict", "ops",
         [("sum by (verdict) (rate(seatcopilot_suggestions_total[5m]))", "{{verdict}}")]),
        ("Compliance alerts by severity", "ops",
         [("sum by (severity) (rate(seatcopilot_compliance_alerts_total[5m]))", "{{severity}}")]),
    ]),
    "stages": ("Seat Copilot — stages", [
        ("Processing latency by stage (p95)", "s",
         [("histogram_quantile(0.95, sum by (le, stage) (rate(seatcopilot_stage_processing_seconds_bucket[5m])))",
           "{{stage}}")]),
        ("Outcomes by stage", "ops",
         [("sum by (stage, outcome) (rate(seatcopilot_stage_messages_total[5m]))", "{{stage}} {{outcome}}")]),
        ("Published per second, by stage and topic", "ops",
         [("sum by (stage, topic) (rate(seatcopilot_published_total[5m]))", "{{stage}} → {{topic}}")]),
        ("gRPC requests by code", "ops",
         [("sum by (stage, method, code) (rate(seatcopilot_rpc_requests_total[5m]))",
           "{{stage}}.{{method}} {{code}}")]),
        ("gRPC latency p95", "s",
         [("histogram_quantile(0.95, sum by (le, stage, method) (rate(seatcopilot_rpc_duration_seconds_bucket[5m])))",
           "{{stage}}.{{method}}")]),
    ]),
    "models": ("Seat Copilot — models", [
        ("Model time per draft", "s", quantiles("seatcopilot_model_seconds", "backend")),
        ("Time to first token", "s", quantiles("seatcopilot_model_first_token_seconds", "backend")),
        ("Tokens per second", "short",
         [("sum by (backend) (rate(seatcopilot_model_tokens_total[5m]))", "{{backend}}")]),
        ("Drafts by backend and fallback reason", "ops",
         [("sum by (backend, reason) (rate(seatcopilot_drafts_total[5m]))", "{{backend}} {{reason}}")]),
        ("Cost per call-minute", "short",
         [("sum(rate(seatcopilot_model_seconds_sum[15m])) * 1000 * 60 / sum(rate(seatcopilot_call_seconds_total[15m]))",
           "model ms per call-minute"),
          ("sum(rate(seatcopilot_model_tokens_total[15m])) * 60 / sum(rate(seatcopilot_call_seconds_total[15m]))",
           "tokens per call-minute")]),
    ]),
    "compliance": ("Seat Copilot — compliance", [
        ("Suggestions by verdict", "ops",
         [("sum by (verdict) (rate(seatcopilot_suggestions_total[5m]))", "{{verdict}}")]),
        ("Share of suggestions blocked or expired", "percentunit",
         [('sum(rate(seatcopilot_suggestions_total{verdict=~"BLOCKED|EXPIRED"}[15m])) '
           "/ sum(rate(seatcopilot_suggestions_total[15m]))", "blocked or expired")]),
        ("Alerts by severity", "ops",
         [("sum by (severity) (rate(seatcopilot_compliance_alerts_total[5m]))", "{{severity}}")]),
        ("Suggestions the console refused to show", "ops",
         [("sum by (reason) (rate(seatcopilot_console_suggestions_not_shown_total[5m]))", "{{reason}}")]),
        ("Alerts per call, by kind (last hour)", "short",
         [("sum by (kind) (increase(seatcopilot_compliance_rule_alerts_total[1h])) "
           "/ scalar(clamp_min(sum(increase(seatcopilot_compliance_calls_total[1h])), 1))", "{{kind}}")]),
        ("False-alarm rate per rule: alerts operators marked not a violation (last 24 h)", "percentunit",
         [("sum by (rule) (increase(seatcopilot_compliance_false_alarms_total[24h])) "
           '/ sum by (rule) (increase(seatcopilot_compliance_rule_alerts_total{kind="RULE"}[24h]))', "{{rule}}")]),
    ]),
    "business": ("Seat Copilot — business KPIs (by experiment arm, last hour)", [
        ("Sales: contact-to-application and conversion", "percentunit",
         [(ratio("applications", "sales_calls"), "applications {{arm}}"),
          (ratio("loans_booked", "sales_calls"), "conversion {{arm}}")]),
        ("Sales: average application amount", "currency",
         [(ratio("application_amount", "applications"), "{{arm}}")]),
        ("Servicing: first-contact resolution and transfer rate", "percentunit",
         [(ratio("service_resolved_first_contact", "service_calls"), "FCR {{arm}}"),
          (ratio("service_transfers", "service_calls"), "transfers {{arm}}")]),
        ("Servicing: handle time and after-call work", "s",
         [(ratio("service_handle_seconds", "service_calls"), "handle {{arm}}"),
          (ratio("service_acw_seconds", "service_dispositioned"), "after-call work {{arm}}")]),
        ("Collections: right-party contact, promise-to-pay, promises kept", "percentunit",
         [(ratio("right_party_contacts", "collections_calls"), "RPC {{arm}}"),
          (ratio("promises", "right_party_contacts"), "PTP {{arm}}"),
          (ratio("promises_kept", "promises_resolved"), "kept {{arm}}")]),
        ("Compliance: violations per 100 calls", "short",
         [(ratio("violations", "calls", "100 * "), "{{arm}}")]),
        ("Compliance: disclosures on time", "percentunit",
         [("1 - " + ratio("calls_disclosure_late", "calls"), "{{arm}}")]),
        ("Copilot use: accepted and edited share of suggestions shown", "percentunit",
         [(ratio("suggestions_accepted", "suggestions_shown"), "accepted {{arm}}"),
          (ratio("suggestions_edited", "suggestions_shown"), "edited {{arm}}")]),
        ("Copilot use: suggestions shown per call and time to accept", "short",
         [(ratio("suggestions_shown", "calls"), "shown per call {{arm}}"),
          (ratio("accept_seconds", "suggestions_acted_timed"), "seconds to accept {{arm}}")]),
        ("Current window, by team", "short",
         [("avg by (indicator, team) (seatcopilot_indicator_value)", "{{team}} {{indicator}}")]),
    ]),
}


def panel(index: int, title: str, unit: str, targets: list[tuple[str, str]]) -> dict:
    return {
        "id": index + 1, "type": "timeseries", "title": title, "datasource": DS,
        "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": chr(65 + i), "datasource": DS, "expr": scoped(expr), "legendFormat": legend}
                    for i, (expr, legend) in enumerate(targets)],
    }


def dashboard(uid: str, title: str, panels: list) -> dict:
    return {
        "uid": f"seatcopilot-{uid}", "title": title, "tags": ["seatcopilot"], "timezone": "browser",
        "schemaVersion": 39, "version": 1, "refresh": "30s", "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"},
            variable("namespace", f"label_values({VARIABLE_METRIC}, namespace)"),
            variable("job", f'label_values({VARIABLE_METRIC}{{namespace=~"$namespace"}}, job)'),
        ]},
        "panels": [panel(i, *p) for i, p in enumerate(panels)],
    }


def rendered() -> dict[str, str]:
    return {f"seatcopilot-{uid}.json": json.dumps(dashboard(uid, title, panels), indent=2) + "\n"
            for uid, (title, panels) in DASHBOARDS.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for name, text in rendered().items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("dashboards out of date, run scripts/gen_dashboards.py: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
