"""The JSON shapes operators' screens and the replay CLI show for pipeline outputs.

One place turns a steered suggestion, an alert or a summary into what a person reads, so the
console and `seatcopilot replay --json` always agree.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from seatcopilot import codec
from seatcopilot.calls import call_ref
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.topics import ALERTS, COMPLIANCE_STATE, MANAGER_REPORTS, SUGGESTIONS, SUMMARIES, TRANSCRIPT

SUMMARY_KINDS = {sm.SUMMARY_KIND_HANDOVER: "handover_summary", sm.SUMMARY_KIND_WRAPUP: "wrapup_summary"}


def _common(call: ev.CallRef) -> dict[str, Any]:
    return {"call_id": call.call_id, "seq": call.seq, "tenant": call.tenant,
            "scenario": bare_enum_name(ev.Scenario.DESCRIPTOR, call.scenario),
            "operator_id": call.operator_id, "team_id": call.team_id}


def suggestion_view(steered: cp.SteeredSuggestion) -> dict[str, Any]:
    draft = steered.draft
    return {
        "kind": "suggestion",
        **_common(steered.call),
        "text": steered.text,
        "compliance": {
            "verdict": bare_enum_name(cp.Verdict.DESCRIPTOR, steered.compliance.verdict),
            "rule_ids": list(steered.compliance.rule_ids),
            "policy_version": steered.compliance.policy_version,
        },
        "sources": [{"id": s.id, "kind": s.kind, "title": s.title, "source": s.source, "version": s.version,
                     "effective_date": s.effective_date} for s in draft.sources],
        "intent": draft.intent,
        "task": draft.task,
        "backend": bare_enum_name(gen.Backend.DESCRIPTOR, draft.backend),
        "fallback_reason": draft.fallback_reason,
        "degraded": draft.degraded,
        # ANSWER / NEXT_ACTION / WARNING / GUIDANCE: guidance (regulation text) is for the operator, not to be said.
        "card_kind": bare_enum_name(gen.CardKind.DESCRIPTOR, draft.card_kind),
        "answer_type": draft.answer_type,
        "answer_facts": list(draft.answer_facts),
        # Sentence by sentence: a partial card is replaced by its seq's next part, and the last by none.
        "partial": draft.partial,
        "part": draft.part or 1,
    }


def alert_view(alert: cp.Alert) -> dict[str, Any]:
    return {
        "kind": "alert",
        **_common(alert.call),
        "text": alert.message,
        "rule_ids": list(alert.rule_ids),
        "severity": bare_enum_name(cp.Severity.DESCRIPTOR, alert.severity),
        "fix": alert.fix,
        "citation": alert.citation,
        "audiences": [bare_enum_name(cp.Audience.DESCRIPTOR, a) for a in alert.audiences],
        "alert_kind": bare_enum_name(cp.AlertKind.DESCRIPTOR, alert.kind),
        # What set a rule alert off: lexical (the pack's phrases and patterns), semantic or detector.
        "methods": [finding.method for finding in alert.findings],
    }


def compliance_state_view(state: cp.CallComplianceState) -> dict[str, Any]:
    """A call's live obligations: what the operator still owes now (OWED, OVERDUE), what must wait
    (SUSPENDED), what was given; obligations not yet triggered are left out."""
    obligations = []
    for item in state.obligations:
        status = bare_enum_name(cp.ObligationStatus.DESCRIPTOR, item.status)
        if status == "NOT_TRIGGERED":
            continue
        due = item.due_within_operator_turns
        turns_left = max(0, due - (state.operator_turns - item.owed_since_turn)) if due and status == "OWED" else None
        obligations.append({"id": item.id, "status": status, "citation": item.citation,
                            "severity": bare_enum_name(cp.Severity.DESCRIPTOR, item.severity),
                            "turns_left": turns_left, "given_late": item.given_late})
    return {
        "kind": "compliance_state",
        **_common(state.call), "seq": 0,
        "policy_version": state.policy_version, "operator_turns": state.operator_turns,
        "obligations": obligations, "active_signals": list(state.active_signals), "ended": state.ended,
    }


def summary_view(summary: sm.Summary) -> dict[str, Any]:
    data = codec.to_dict(summary)
    return {
        "kind": SUMMARY_KINDS.get(summary.kind, "summary"),
        **_common(summary.call),
        "text": summary.text,
        "target_role": data["target_role"],
        "intents": data["intents"], "commitments": data["commitments"],
        "disclosures_given": data["disclosures_given"], "disclosures_owed": data["disclosures_owed"],
        "compliance_rule_ids": data["compliance_rule_ids"], "disposition": summary.disposition,
        "next_actions": data["next_actions"],
        "narrative": summary.narrative, "generated_by": summary.generated_by,
        "fallback_reason": summary.fallback_reason, "unverified_sentences": data["unverified_sentences"],
        "promises": data["promises"], "callbacks": data["callbacks"], "open_items": data["open_items"],
        "facts": data["facts"], "sentiment_trend": summary.sentiment_trend,
        "compliance_events": data["compliance_events"], "handle_time_s": summary.handle_time_s,
        "operator_ids": data["operator_ids"], "manager_note": summary.manager_note,
    }


def manager_report_view(report: sm.ManagerReport) -> dict[str, Any]:
    """A team's (or the floor's) per-operator and per-team figures over a window."""
    data = codec.to_dict(report)
    return {"kind": "manager_report", "tenant": report.tenant, "team_id": report.team_id,
            "window_start": data.get("window_start", ""),
            "window_end": data.get("window_end", ""), "teams": data["teams"], "operators": data["operators"],
            "call_notes": data["call_notes"]}


def transcript_view(event: ev.CallEvent) -> dict[str, Any]:
    return {
        "kind": "transcript",
        **_common(call_ref(event)),
        "type": bare_enum_name(ev.EventType.DESCRIPTOR, event.type),
        "speaker": bare_enum_name(ev.Speaker.DESCRIPTOR, event.speaker),
        "text": event.text,
        "transfer_to_role": bare_enum_name(ev.Role.DESCRIPTOR, event.transfer_to_role),
    }


READERS: dict[str, tuple[type[Message], Any]] = {
    SUGGESTIONS.name: (cp.SteeredSuggestion, suggestion_view),
    ALERTS.name: (cp.Alert, alert_view),
    COMPLIANCE_STATE.name: (cp.CallComplianceState, compliance_state_view),
    SUMMARIES.name: (sm.Summary, summary_view),
    TRANSCRIPT.name: (ev.CallEvent, transcript_view),
    MANAGER_REPORTS.name: (sm.ManagerReport, manager_report_view),
}


def view_of(topic: str, payload: bytes) -> dict[str, Any]:
    message_type, render = READERS[topic]
    return render(codec.decode(payload, message_type))
