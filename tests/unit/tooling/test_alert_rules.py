"""The alert rules (deploy/helm/seatcopilot/rules/seatcopilot.rules.yaml) under a real `promtool test rules`:
each rule fires on the series it is meant for, with its labels and annotations, and stays quiet otherwise.
promtool comes from the distribution's prometheus package (scripts/run_tests.sh installs it where it can);
where it is absent the test is skipped and says so. Every rule also has its section in docs/runbook.md."""

import shutil
import subprocess

import pytest
import yaml

from tests.helpers import ROOT

RULES = ROOT / "deploy" / "helm" / "seatcopilot" / "rules" / "seatcopilot.rules.yaml"
RUNBOOK = ROOT / "docs" / "runbook.md"
SVC = {"namespace": "seatcopilot", "job": "seatcopilot-retrieval"}


def alert(name, at, labels, summary, description="", runbook=None):
    annotations = {"summary": summary, "runbook": runbook or f"docs/runbook.md#{name.lower()}"}
    if description:
        annotations["description"] = description
    return {"eval_time": at, "alertname": name,
            "exp_alerts": [{"exp_labels": labels, "exp_annotations": annotations}] if labels is not None else []}


def series(name, labels, values):
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return {"series": f"{name}{{{inner}}}", "values": values}


CASES = [
    {  # half the classifier's hops over 250 ms for an hour: the budget burns 50x
        "interval": "1m",
        "input_series": [
            series("seatcopilot_stage_processing_seconds_bucket", {"stage": "classifier", "le": "0.25"}, "0+50x80"),
            series("seatcopilot_stage_processing_seconds_count", {"stage": "classifier"}, "0+100x80"),
            series("seatcopilot_stage_processing_seconds_bucket", {"stage": "intake", "le": "0.25"}, "0+100x80"),
            series("seatcopilot_stage_processing_seconds_count", {"stage": "intake"}, "0+100x80"),
        ],
        "alert_rule_test": [alert(
            "SeatCopilotStageLatencyBudgetBurn", "70m", {"severity": "page", "stage": "classifier"},
            "classifier is burning its latency error budget 14x too fast",
            "Check the stage's replicas, Kafka lag and its dependencies (Neo4j, Triton) on the stages dashboard.")],
    },
    {  # retrieval 5,000 behind for long enough; a short spike is not paged
        "interval": "1m",
        "input_series": [
            series("seatcopilot_consumer_lag_messages", {"group": "seatcopilot-retrieval",
                                                         "topic": "seatcopilot.classified.v1"}, "5000x10"),
            series("seatcopilot_consumer_lag_messages", {"group": "seatcopilot-intake",
                                                         "topic": "seatcopilot.call-events.v1"}, "5000 0x10"),
        ],
        "alert_rule_test": [
            alert("SeatCopilotConsumerLagHigh", "3m", None, ""),
            alert("SeatCopilotConsumerLagHigh", "7m", {"severity": "page", "group": "seatcopilot-retrieval",
                                                       "topic": "seatcopilot.classified.v1"},
                  "seatcopilot-retrieval is 5000 messages behind on seatcopilot.classified.v1",
                  "Scale the stage (HPA max), or look for a stuck consumer in its logs."),
        ],
    },
    {  # intake dead-letters one message a second for ten minutes
        "interval": "1m",
        "input_series": [series("seatcopilot_dead_letters_total", {"stage": "intake", "reason": "schema_violation"},
                                "0+60x30")],
        "alert_rule_test": [alert(
            "SeatCopilotDeadLettersRising", "25m", {"severity": "ticket", "stage": "intake",
                                                    "reason": "schema_violation"},
            "intake dead-letters 1 messages/s (schema_violation)",
            "Read the dead-letter topic: the reason and payload say what platforms send wrong.")],
    },
    {  # half the suggestions blocked
        "interval": "1m",
        "input_series": [series("seatcopilot_suggestions_total", {"verdict": "BLOCKED"}, "0+30x60"),
                         series("seatcopilot_suggestions_total", {"verdict": "PASS"}, "0+30x60")],
        "alert_rule_test": [alert(
            "SeatCopilotSuggestionsBlockedOrExpired", "40m", {"severity": "ticket"},
            "50% of suggestions are blocked or expired",
            "Expired: generation is too slow (models dashboard). Blocked: the model or the policy changed.")],
    },
    {  # six drafts in seven scripted because the model is unavailable
        "interval": "1m",
        "input_series": [series("seatcopilot_drafts_total", {"backend": "triton", "reason": "model_unavailable"},
                                "0+60x40"),
                         series("seatcopilot_drafts_total", {"backend": "triton", "reason": "none"}, "0+10x40")],
        "alert_rule_test": [alert(
            "SeatCopilotModelFallbacks", "30m", {"severity": "ticket"},
            "Half the drafts are scripted because the model is down, slow or overloaded",
            "Check Triton's health and queue (models dashboard); scale Triton or lower concurrency.")],
    },
    {  # one forged suggestion refused by the console pages; a console that refuses none stays quiet
        "interval": "1m",
        "input_series": [
            series("seatcopilot_console_unverified_verdicts_total",
                   {"namespace": "seatcopilot", "job": "seatcopilot-console", "instance": "10.0.0.5:9464"},
                   "0x5 1x20"),
            series("seatcopilot_console_unverified_verdicts_total",
                   {"namespace": "other", "job": "seatcopilot-console", "instance": "10.0.0.6:9464"}, "0x25"),
        ],
        "alert_rule_test": [
            alert("SeatCopilotUnverifiedVerdicts", "3m", None, ""),
            alert("SeatCopilotUnverifiedVerdicts", "7m",
                  {"severity": "page", "namespace": "seatcopilot", "job": "seatcopilot-console"},
                  "seatcopilot-console refused 1 suggestions whose compliance signature did not verify",
                  "A forged verdict on the suggestions topic, or VERDICT_KEYS differing between compliance and the "
                  "console."),
            alert("SeatCopilotUnverifiedVerdicts", "20m", None, ""),  # past the 5-minute window it resolves
        ],
    },
    {  # both retrieval instances stop answering scrapes; the classifier keeps one of two
        "interval": "1m",
        "input_series": [
            series("up", {**SVC, "instance": "10.0.0.1:9464"}, "1 0x10"),
            series("up", {**SVC, "instance": "10.0.0.2:9464"}, "1 0x10"),
            series("up", {"namespace": "seatcopilot", "job": "seatcopilot-classifier", "instance": "10.0.0.3:9464"},
                   "1 0x10"),
            series("up", {"namespace": "seatcopilot", "job": "seatcopilot-classifier", "instance": "10.0.0.4:9464"},
                   "1x10"),
        ],
        "alert_rule_test": [
            alert("SeatCopilotServiceDown", "2m", None, ""),
            alert("SeatCopilotServiceDown", "4m", {**SVC, "severity": "page"},
                  "Every instance of seatcopilot-retrieval in seatcopilot is down"),
            {"eval_time": "7m", "alertname": "SeatCopilotInstanceDown", "exp_alerts": [
                {"exp_labels": {**labels, "severity": "ticket"},
                 "exp_annotations": {"summary": f"{labels['instance']} of {labels['job']} has not answered a scrape "
                                                f"for 5 minutes", "runbook": "docs/runbook.md#seatcopilotinstancedown"}}
                for labels in ({**SVC, "instance": "10.0.0.1:9464"}, {**SVC, "instance": "10.0.0.2:9464"},
                               {"namespace": "seatcopilot", "job": "seatcopilot-classifier",
                                "instance": "10.0.0.3:9464"})]},
        ],
    },
    {  # retrieval is up but Neo4j fails its health checks on every replica
        "interval": "1m",
        "input_series": [
            series("seatcopilot_dependency_up", {**SVC, "instance": "10.0.0.1:9464", "stage": "retrieval",
                                                 "dependency": "knowledge_store"}, "1 0x10"),
            series("seatcopilot_dependency_up", {**SVC, "instance": "10.0.0.1:9464", "stage": "retrieval",
                                                 "dependency": "transport"}, "1x10"),
        ],
        "alert_rule_test": [
            alert("SeatCopilotDependencyDown", "2m", None, ""),
            alert("SeatCopilotDependencyDown", "4m", {**SVC, "stage": "retrieval", "dependency": "knowledge_store",
                                                      "severity": "page"},
                  "retrieval cannot reach its knowledge_store"),
        ],
    },
]


def alert_names():
    rules = yaml.safe_load(RULES.read_text())
    return [rule["alert"] for group in rules["groups"] for rule in group["rules"]]


def test_every_rule_has_a_promtool_case_and_a_runbook_section():
    tested = {case["alertname"] for test in CASES for case in test["alert_rule_test"]}
    assert set(alert_names()) == tested
    runbook = RUNBOOK.read_text()
    for name in alert_names():
        assert f"### {name}" in runbook, f"docs/runbook.md has no section for {name}"


def test_alert_rules_under_promtool(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        print("SKIP reason: promtool not found (Debian/Ubuntu: apt-get install prometheus; "
              "scripts/run_tests.sh installs it when run as root)")
        pytest.skip("promtool not found: apt-get install prometheus (scripts/run_tests.sh does it as root)")
    tests = tmp_path / "rules_test.yaml"
    tests.write_text(yaml.safe_dump({"rule_files": [str(RULES)], "evaluation_interval": "1m", "tests": CASES},
                                    sort_keys=False))
    result = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
