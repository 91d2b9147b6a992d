"""Compliance steering: every draft gets a verdict before display; operator speech is checked live.

Drafts: a BLOCK rule blocks; a REWRITE rule drops the offending sentences (blocking when nothing is
left); PII in a draft is masked; a disclosure the call still owes is put in front. Past its deadline
a draft is EXPIRED. Operator speech: rule matches raise alerts with the fix; obligations (e.g. the
mini-Miranda within the first two operator turns of a collections call) are tracked per call
segment and alerted when overdue. A TRANSFER starts a new segment in the receiving role's scenario.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from google.protobuf import timestamp_pb2
from seatcopilot.codec import bare_enum_name
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import Obligation, Policy, Rule
from seatcopilot.redaction import redact

MAX_CALLS = 50_000
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
SEVERITY = {"LOW": cp.SEVERITY_LOW, "MEDIUM": cp.SEVERITY_MEDIUM, "HIGH": cp.SEVERITY_HIGH,
            "CRITICAL": cp.SEVERITY_CRITICAL}
ROLE_SCENARIO = {ev.ROLE_SALES: "SALES", ev.ROLE_SERVICE: "SERVICE", ev.ROLE_COLLECTIONS: "COLLECTIONS"}
PII_RULE = "PII-IN-SUGGESTION"


@dataclass
class CallCompliance:
    scenario: str
    operator_turns: int = 0
    satisfied: set[str] = field(default_factory=set)
    overdue: set[str] = field(default_factory=set)
    ended: bool = False


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


class ComplianceEngine:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._calls: OrderedDict[str, CallCompliance] = OrderedDict()

    # ---- call state -------------------------------------------------------------------------
    def _state(self, call_id: str, scenario: str) -> CallCompliance:
        state = self._calls.get(call_id)
        if state is None:
            state = self._calls[call_id] = CallCompliance(scenario)
            if len(self._calls) > MAX_CALLS:
                self._calls.popitem(last=False)
        return state

    def owed(self, call_id: str) -> list[Obligation]:
        state = self._calls.get(call_id)
        if state is None:
            return []
        return [o for o in self.policy.obligations
                if state.scenario in o.scenarios and o.id not in state.satisfied]

    # ---- operator speech and lifecycle ------------------------------------------------------
    def check_event(self, event: ev.CallEvent) -> list[cp.Alert]:
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario)
        state = self._state(event.call_id, scenario)
        if event.type == ev.EVENT_TYPE_TRANSFER:
            target = ROLE_SCENARIO.get(event.transfer_to_role, state.scenario)
            self._calls[event.call_id] = CallCompliance(target)
            return []
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            state.ended = True  # kept (bounded LRU) so late drafts for this call are recognised
            return []
        if state.ended or event.type != ev.EVENT_TYPE_UTTERANCE or event.speaker != ev.SPEAKER_OPERATOR:
            return []
        state.operator_turns += 1
        alerts = [self._rule_alert(event, rule) for rule in self.policy.rules
                  if rule.applies(state.scenario, "OPERATOR") and rule.matches(event.text)]
        for obligation in self.policy.obligations:
            if state.scenario not in obligation.scenarios or obligation.id in state.satisfied:
                continue
            if obligation.satisfied(event.text):
                state.satisfied.add(obligation.id)
            elif (state.operator_turns >= obligation.due_within_operator_turns
                  and obligation.id not in state.overdue):
                state.overdue.add(obligation.id)
                alerts.append(self._overdue_alert(event, obligation))
        return alerts

    def _alert(self, event: ev.CallEvent, rule_id: str, severity: str, message: str, fix: str,
               citation: str) -> cp.Alert:
        audiences = [cp.AUDIENCE_OPERATOR]
        if SEVERITY[severity] >= cp.SEVERITY_HIGH:
            audiences.append(cp.AUDIENCE_MANAGER)
        return cp.Alert(
            call_id=event.call_id, seq=event.seq, tenant=event.tenant, scenario=event.scenario,
            operator_id=event.operator_id, team_id=event.team_id, rule_ids=[rule_id],
            severity=SEVERITY[severity], message=message, fix=fix, audiences=audiences, citation=citation,
        )

    def _rule_alert(self, event: ev.CallEvent, rule: Rule) -> cp.Alert:
        message = f"Operator speech matched {rule.id} ({rule.family.replace('_', ' ')})."
        return self._alert(event, rule.id, rule.severity, message, rule.fix, rule.citation)

    def _overdue_alert(self, event: ev.CallEvent, obligation: Obligation) -> cp.Alert:
        message = (f"{obligation.id} is overdue: not given within {obligation.due_within_operator_turns} "
                   "operator turns.")
        return self._alert(event, obligation.id, obligation.severity, message, obligation.fix, obligation.citation)

    # ---- drafts -----------------------------------------------------------------------------
    def steer(self, draft: gen.SuggestionDraft, now: float | None = None) -> cp.SteeredSuggestion:
        now = time.time() if now is None else now
        steered = cp.SteeredSuggestion(draft=draft)
        verdict = steered.compliance  # a reference: assigning a message field would copy it
        verdict.policy_version = self.policy.label
        verdict.decided_at.CopyFrom(_now())
        state = self._calls.get(draft.call_id)
        past_deadline = draft.HasField("deadline") and draft.deadline.ToNanoseconds() / 1e9 < now
        if past_deadline or (state is not None and state.ended):
            verdict.verdict = cp.VERDICT_EXPIRED  # too late to help: never shown
            return steered
        scenario = state.scenario if state else bare_enum_name(ev.Scenario.DESCRIPTOR, draft.scenario)
        rules = [r for r in self.policy.rules if r.applies(scenario, "DRAFT")]
        text, fired = draft.text, []
        blocking = [r for r in rules if r.remedy == "BLOCK" and r.matches(text)]
        if blocking:
            verdict.verdict = cp.VERDICT_BLOCKED
            verdict.rule_ids.extend(r.id for r in blocking)
            verdict.original_text = draft.text
            return steered
        for rule in rules:
            if rule.remedy == "REWRITE" and rule.matches(text):
                text = " ".join(s for s in _SENTENCES.split(text) if not rule.matches(s))
                fired.append(rule.id)
        masked = redact(text)
        if masked.findings:
            text = masked.text
            fired.append(PII_RULE)
        for obligation in self.owed(draft.call_id):
            if obligation.disclosure_text and not obligation.satisfied(text):
                text = f"{obligation.disclosure_text} {text}".strip()
                fired.append(obligation.id)
        if not text.strip():
            verdict.verdict = cp.VERDICT_BLOCKED
        elif fired:
            verdict.verdict = cp.VERDICT_REWRITTEN
        else:
            verdict.verdict = cp.VERDICT_PASS
        verdict.rule_ids.extend(fired)
        if verdict.verdict != cp.VERDICT_PASS:
            verdict.original_text = draft.text
        steered.text = text if verdict.verdict != cp.VERDICT_BLOCKED else ""
        return steered
