"""Whole-call evaluation: each labelled call is played through the engine turn by turn, as the
service would see it, and its alerts, drafts' verdicts and final obligation states are compared with
the labels.

A call (one JSON line): {"call_id", "scenario", "compliant", "split", "turns": [...], "obligations":
{id: GIVEN|OWED|OVERDUE|SUSPENDED|NOT_TRIGGERED}}. A turn is {"speaker": OPERATOR|CUSTOMER, "text",
"alerts": [rule, signal or overdue obligation ids it should raise]} or {"speaker": "DRAFT", "text",
"expect": PASS|REWRITE|BLOCK} (a suggestion judged at that point; never said).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen

from services.compliance.logic import ComplianceEngine

GIVEN = "GIVEN"
SPEAKERS = {"OPERATOR": ev.SPEAKER_OPERATOR, "CUSTOMER": ev.SPEAKER_CUSTOMER}


@dataclass
class CallReport:
    calls: int = 0
    compliant_calls: int = 0
    obligations_given: int = 0
    obligations_recognised: int = 0
    obligation_states: int = 0
    obligation_states_right: int = 0
    false_overdue: int = 0
    false_violations: int = 0
    false_alerts_on_compliant: int = 0
    violations: int = 0
    missed_violations: int = 0
    missed_overdue: int = 0
    missed_signals: int = 0
    false_signals: int = 0
    drafts: int = 0
    needless_rewrites: int = 0
    missed_draft_steers: int = 0
    errors: list[str] = field(default_factory=list)


def load_calls(path: Path, split: str = "") -> list[dict]:
    calls = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in calls if not split or c.get("split") == split]


def evaluate_calls(engine: ComplianceEngine, calls: list[dict], tenant: str = "harbor") -> CallReport:
    report = CallReport()
    signal_ids = frozenset(signal.id for signal in engine.policies[tenant].signals)
    for call in calls:
        _play(engine, call, tenant, signal_ids, report)
    return report


def _play(engine: ComplianceEngine, call: dict, tenant: str, signal_ids: frozenset[str], report: CallReport) -> None:
    call_id = f"eval-{call['call_id']}-{time.monotonic_ns()}"
    scenario = ev.Scenario.Value(f"SCENARIO_{call['scenario']}")
    report.calls += 1
    report.compliant_calls += bool(call.get("compliant"))
    for seq, turn in enumerate(call["turns"], start=1):
        if turn["speaker"] == "DRAFT":
            _judge_draft(engine, call, call_id, seq, scenario, tenant, turn, report)
            continue
        event = ev.CallEvent(call_id=call_id, seq=seq, tenant=tenant, scenario=scenario, is_final=True,
                             type=ev.EVENT_TYPE_UTTERANCE, text=turn["text"], speaker=SPEAKERS[turn["speaker"]])
        alerts = engine.check_event(event)
        _compare(call, seq, turn, alerts, signal_ids, report)
    states = {o.id: cp.ObligationStatus.Name(o.status).removeprefix("OBLIGATION_STATUS_")
              for o in engine.call_state(call_id).obligations}
    for obligation_id, expected in call.get("obligations", {}).items():
        actual = states.get(obligation_id, "?")
        report.obligation_states += 1
        report.obligation_states_right += actual == expected
        if expected == GIVEN:
            report.obligations_given += 1
            report.obligations_recognised += actual == GIVEN
        if actual != expected:
            report.errors.append(f"{call['call_id']}: {obligation_id} expected {expected}, got {actual}")


def _compare(call: dict, seq: int, turn: dict, alerts: list[cp.Alert], signal_ids: frozenset[str],
             report: CallReport) -> None:
    expected = set(turn.get("alerts", ()))
    raised = {(a.rule_ids[0], a.kind) for a in alerts}
    raised_ids = {rule_id for rule_id, _ in raised}
    for rule_id, kind in raised - {(i, k) for i, k in raised if i in expected}:
        if kind == cp.ALERT_KIND_OBLIGATION_OVERDUE:
            report.false_overdue += 1
        elif kind == cp.ALERT_KIND_SIGNAL:
            report.false_signals += 1
        else:
            report.false_violations += 1
        report.false_alerts_on_compliant += bool(call.get("compliant")) and kind != cp.ALERT_KIND_SIGNAL
        report.errors.append(f"{call['call_id']} turn {seq}: unexpected {rule_id}: {turn['text']}")
    for rule_id in expected - raised_ids:
        if rule_id in signal_ids:
            report.missed_signals += 1
        elif _is_obligation(rule_id, call):
            report.missed_overdue += 1
        else:
            report.missed_violations += 1
        report.errors.append(f"{call['call_id']} turn {seq}: missed {rule_id}: {turn['text']}")
    report.violations += len([i for i in expected if not _is_obligation(i, call) and i not in signal_ids])


def _is_obligation(item_id: str, call: dict) -> bool:
    return item_id in call.get("obligations", {})


def _judge_draft(engine: ComplianceEngine, call: dict, call_id: str, seq: int, scenario: ev.Scenario, tenant: str,
                 turn: dict, report: CallReport) -> None:
    draft = gen.SuggestionDraft(call=ev.CallRef(call_id=call_id, seq=seq, tenant=tenant, scenario=scenario),
                                text=turn["text"])
    draft.deadline.FromNanoseconds(time.time_ns() + 3_600_000_000_000)
    judged = engine.steer(draft).compliance
    verdict = cp.Verdict.Name(judged.verdict).removeprefix("VERDICT_")
    report.drafts += 1
    verdict = "REWRITE" if verdict == "REWRITTEN" else verdict
    if turn["expect"] == "PASS" and verdict != "PASS":
        report.needless_rewrites += 1
        report.errors.append(f"{call['call_id']} draft {seq}: {verdict} needlessly "
                             f"({', '.join(judged.rule_ids)}): {turn['text']}")
    elif turn["expect"] != "PASS" and verdict == "PASS":
        report.missed_draft_steers += 1
        report.errors.append(f"{call['call_id']} draft {seq}: passed, expected {turn['expect']}: {turn['text']}")


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "n/a"


def render_calls(report: CallReport, show_errors: bool = False) -> list[str]:
    lines = [
        f"calls: {report.calls} ({report.compliant_calls} compliant)",
        f"obligations recognised as given: {report.obligations_recognised}/{report.obligations_given} "
        f"(recall {_ratio(report.obligations_recognised, report.obligations_given)}); final states right "
        f"{report.obligation_states_right}/{report.obligation_states}",
        f"false overdue alerts per call: {_ratio(report.false_overdue, report.calls)} ({report.false_overdue})",
        f"false violation alerts per call: {_ratio(report.false_violations, report.calls)} "
        f"({report.false_violations})",
        f"false alerts per compliant call: {_ratio(report.false_alerts_on_compliant, report.compliant_calls)}",
        f"missed violations: {report.missed_violations} of {report.violations}; missed overdue alerts: "
        f"{report.missed_overdue}",
        f"signals: {report.missed_signals} missed, {report.false_signals} false",
        f"suggestions rewritten needlessly: {report.needless_rewrites} of {report.drafts} drafts",
    ]
    if show_errors:
        lines += [f"  {error}" for error in report.errors]
    return lines
