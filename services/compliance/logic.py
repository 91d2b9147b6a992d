"""Compliance steering: every draft gets a verdict before display; operator speech is checked live.

Each call is judged by its tenant's policy pack, under its current segment's scenario. Drafts: a
BLOCK rule blocks; a REWRITE rule replaces the offending sentence with the rule's template (or drops
it); PII is masked; a disclosure the call still owes is put in front, and a sentence said before its
disclosure (account details before identity verification) is removed; the result is scanned again
and blocked if anything still matches. A draft past its deadline, for an ended call, or judged too
slowly is EXPIRED. Operator speech: matching rules raise alerts with the fix; obligations are
tracked (given, owed, overdue) and alerted when overdue. Customer speech raises signals (a
cease-contact request, a third party on the line) that trigger obligations and rules. A call that
starts outside calling hours is alerted. Every decision goes to the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC

import numpy as np
from google.protobuf import timestamp_pb2
from seatcopilot.audit_log import AuditLog, Stopwatch
from seatcopilot.batching import MicroBatcher
from seatcopilot.calls import call_ref
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import Policy, Rule, Signal
from seatcopilot.redaction import redact
from seatcopilot.stage_io import Rejected
from seatcopilot.transport.base import StateTable

from services.compliance.call_state import BY_TURNS, CallCompliance, Overdue, outside_calling_hours, to_record
from services.compliance.detection import (
    DETECTOR,
    LEXICAL,
    Detector,
    Hit,
    LearnedScorer,
    first_per_item,
    learned_units,
    split_sentences,
)
from services.compliance.learned import LearnedModel
from services.compliance.semantic import Embed, RecentVectors, SemanticMatcher
from services.compliance.state_table import ComplianceStates

SEVERITY = {"LOW": cp.SEVERITY_LOW, "MEDIUM": cp.SEVERITY_MEDIUM, "HIGH": cp.SEVERITY_HIGH,
            "CRITICAL": cp.SEVERITY_CRITICAL}
ROLE_SCENARIO = {ev.ROLE_SALES: "SALES", ev.ROLE_SERVICE: "SERVICE", ev.ROLE_COLLECTIONS: "COLLECTIONS"}
EMBED_WAIT_S = 0.003  # how long the encoder waits to fill a batch with other calls' sentences
PII_RULE = "PII-IN-SUGGESTION"
POLICY_MISSING = "POLICY-MISSING"
STATUS = {"NOT_TRIGGERED": cp.OBLIGATION_STATUS_NOT_TRIGGERED, "OWED": cp.OBLIGATION_STATUS_OWED,
          "GIVEN": cp.OBLIGATION_STATUS_GIVEN, "OVERDUE": cp.OBLIGATION_STATUS_OVERDUE,
          "SUSPENDED": cp.OBLIGATION_STATUS_SUSPENDED}


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


@dataclass
class DraftJudgement:
    """What steering a draft decided, before it becomes a verdict."""

    text: str
    blocked: bool = False
    changed: bool = False
    rule_ids: list[str] = field(default_factory=list)
    findings: list[cp.Finding] = field(default_factory=list)


class ComplianceEngine:
    def __init__(self, policies: Policy | Mapping[str, Policy], embed: Embed | None = None,
                 audit: AuditLog | None = None, learned: LearnedModel | None = None, semantic: bool = True,
                 table: StateTable | None = None, embed_batch: int = 1) -> None:
        """embed: the sentence encoder (none: phrases and patterns only); learned: the learned detector
        (needs embed); semantic: the pack-example matcher beside it; table: where calls' states outlive the
        process (none: memory only); embed_batch > 1: `warm` encodes concurrent messages' sentences together."""
        self.policies = {policies.tenant: policies} if isinstance(policies, Policy) else dict(policies)
        batcher: MicroBatcher[np.ndarray] | None = None
        if embed and embed_batch > 1:
            batcher = MicroBatcher(embed, embed_batch, EMBED_WAIT_S, "compliance-encoder")
        shared = RecentVectors(embed, batcher=batcher) if embed else None
        self._shared = shared
        scorer = LearnedScorer(learned, shared) if learned is not None and shared is not None else None
        self.detectors = {tenant: Detector(SemanticMatcher(p, shared) if shared and semantic else None, scorer)
                          for tenant, p in self.policies.items()}
        self.audit = audit
        self.calls = ComplianceStates(self.policies, table)

    async def warm(self, text: str) -> None:
        """Encodes what judging the text will look up (its sentences and, for several, all of them together)
        ahead and off the event loop; judging stays on the loop, where the state table is written."""
        if self._shared is not None:
            sentences = split_sentences(text)
            units = [unit for _, unit in learned_units(list(enumerate(sentences)))]
            texts = [*sentences, *units, " ".join(sentences)] if len(sentences) > 1 else sentences
            await self._shared.warm(list(dict.fromkeys(texts)))  # a unit is its sentence unless fragments joined

    def close(self) -> None:
        if self._shared is not None and self._shared.batcher is not None:
            self._shared.batcher.close()
        if self.audit is not None:
            self.audit.close()

    # ---- call state -------------------------------------------------------------------------
    def call_state(self, call_id: str, tenant: str = "") -> cp.CallComplianceState:
        if tenant:
            state = self.calls.get(tenant, call_id)
        else:  # without a tenant (an older client), the one live call of that id, if only one
            matches = [s for s in self.calls.live() if s.call_id == call_id]
            state = matches[0] if len(matches) == 1 else None
        if state is None:
            raise LookupError(f"no compliance state for call {call_id}")
        # The published view is the kept record, with SUSPENDED derived from the signals and each
        # obligation's citation, severity and deadline from the pack.
        view = to_record(state)
        for kept, obligation_state in zip(view.obligations, state.obligations.values(), strict=True):
            obligation = obligation_state.obligation
            kept.status = STATUS[state.status(obligation_state)]
            kept.citation, kept.severity = obligation.citation, SEVERITY[obligation.severity]
            kept.due_within_operator_turns = obligation.due_within_operator_turns
        return view

    # ---- transcript events ------------------------------------------------------------------
    def check_event(self, event: ev.CallEvent) -> list[cp.Alert]:
        watch = Stopwatch()
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario)
        state = self.calls.get_or_create(event.tenant, event.call_id, scenario)
        alerts = self._check(state, event)
        self.calls.save(self.calls.get(event.tenant, event.call_id) or state)  # a transfer made a new one
        if self.audit is not None:
            kind = (bare_enum_name(ev.Speaker.DESCRIPTOR, event.speaker).lower()
                    if event.type == ev.EVENT_TYPE_UTTERANCE else bare_enum_name(ev.EventType.DESCRIPTOR, event.type))
            self.audit.append(call_id=event.call_id, seq=event.seq, tenant=event.tenant, kind=kind,
                              decision="ALERT" if alerts else "CLEAR",
                              rule_ids=_unique([r for a in alerts for r in a.rule_ids]),
                              policy=state.policy.label if state.policy else "", elapsed_ms=watch.ms,
                              judged=event.text if event.type == ev.EVENT_TYPE_UTTERANCE else None)
        return alerts

    def _check(self, state: CallCompliance, event: ev.CallEvent) -> list[cp.Alert]:
        if state.policy is None:
            return self._policy_missing(state, event)
        if event.type == ev.EVENT_TYPE_TRANSFER:
            target = ROLE_SCENARIO.get(event.transfer_to_role, state.scenario)
            self.calls.remember(state.next_segment(target))
            return []
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            state.ended = True  # kept (bounded LRU) so late drafts for this call are recognised
            return []
        if event.type == ev.EVENT_TYPE_CALL_STARTED:
            return self._calling_hours(state, event)
        if state.ended or event.type != ev.EVENT_TYPE_UTTERANCE:
            return []
        if event.speaker == ev.SPEAKER_CUSTOMER:
            return self._customer_said(state, event)
        return self._operator_said(state, event)

    def _operator_said(self, state: CallCompliance, event: ev.CallEvent) -> list[cp.Alert]:
        rules = self.active_rules(state, "OPERATOR")
        by_id = {rule.id: rule for rule in rules}
        detector = self.detectors[state.tenant]
        alerts = [self._rule_alert(state, event, by_id[hit.id], hit)
                  for hit in detector.first_hits(event.text, rules)]
        overdue = state.operator_said(event.text, event.seq, self._recognised(state, detector, event.text),
                                      detector.says_before(event.text))
        state.previous_operator_text = event.text
        alerts += [self._overdue_alert(state, event, item) for item in overdue]
        return alerts

    @staticmethod
    def _recognised(state: CallCompliance, detector: Detector, text: str) -> set[str]:
        """Obligations the detector hears given in this turn, or in it read with the operator's previous
        turn (a disclosure split over two turns: "I'm a debt collector." ... "Anything you say is used
        to collect it.")."""
        recognised = detector.gives(text)
        if state.previous_operator_text and any(s.obligation.id not in recognised for s in state.owed()):
            recognised |= detector.gives(f"{state.previous_operator_text} {text}")
        return recognised

    def _customer_said(self, state: CallCompliance, event: ev.CallEvent) -> list[cp.Alert]:
        policy = state.policy
        assert policy is not None
        signals = [s for s in policy.signals if state.scenario in s.scenarios]
        hits = {hit.id for hit in _signal_hits(self.detectors[state.tenant], event.text, signals)}
        for signal in signals:
            if signal.id in state.signals and signal.id not in hits and signal.cleared(event.text):
                state.signals.discard(signal.id)
        alerts = []
        for signal in signals:
            if signal.id in hits and signal.id not in state.signals:
                state.raise_signal(signal.id)
                alerts.append(self._signal_alert(state, event, signal))
        return alerts

    def detect(self, tenant: str, scenario: str, speaker: str, text: str,
               active_signals: tuple[str, ...] = ()) -> list[Hit]:
        """What a text sets off on its own: rules for OPERATOR or DRAFT text, signals for CUSTOMER text,
        with the given signals active (the per-utterance view the quality evaluation measures)."""
        policy = self.policies.get(tenant)
        if policy is None:
            raise LookupError(f"no policy pack for tenant {tenant!r}")
        state = CallCompliance("", tenant, scenario, policy, set(active_signals))
        if speaker == "CUSTOMER":
            return _signal_hits(self.detectors[tenant], text, [s for s in policy.signals if scenario in s.scenarios])
        return self.detectors[tenant].first_hits(text, self.active_rules(state, speaker))

    def obligations_given(self, tenant: str, scenario: str, text: str) -> set[str]:
        """The scenario's obligations that an operator text gives, by the pack's phrases or the detector."""
        policy = self.policies[tenant]
        recognised = self.detectors[tenant].gives(text)
        return {o.id for o in (*policy.obligations, *policy.triggered_obligations)
                if scenario in o.scenarios and (o.satisfied(text) or o.id in recognised)}

    def active_rules(self, state: CallCompliance, speaker: str) -> list[Rule]:
        assert state.policy is not None
        return [r for r in state.policy.rules if r.applies(state.scenario, speaker) and set(r.when) <= state.signals]

    # ---- alerts -----------------------------------------------------------------------------
    def _alert(self, state: CallCompliance, event: ev.CallEvent, kind: cp.AlertKind, rule_id: str, severity: str,
               message: str, fix: str, citation: str) -> cp.Alert:
        audiences = [cp.AUDIENCE_OPERATOR]
        manager_from = SEVERITY[state.policy.manager_min_severity] if state.policy else cp.SEVERITY_LOW
        if SEVERITY[severity] >= manager_from:
            audiences.append(cp.AUDIENCE_MANAGER)
        return cp.Alert(
            call=call_ref(event), rule_ids=[rule_id], severity=SEVERITY[severity], message=message, fix=fix,
            audiences=audiences, citation=citation, kind=kind,
        )

    def _rule_alert(self, state: CallCompliance, event: ev.CallEvent, rule: Rule, hit: Hit) -> cp.Alert:
        source = "the learned detector" if hit.method == DETECTOR else f"a {hit.method} match"
        message = (f"Operator speech matched {rule.id} ({rule.family.replace('_', ' ')}), sentence {hit.sentence + 1}, "
                   f"by {source} (score {hit.score:.2f}).")
        alert = self._alert(state, event, cp.ALERT_KIND_RULE, rule.id, rule.severity, message, rule.fix,
                            rule.citation)
        alert.findings.append(_finding(rule, hit, rule.remedy))
        return alert

    def _overdue_alert(self, state: CallCompliance, event: ev.CallEvent, overdue: Overdue) -> cp.Alert:
        obligation = overdue.state.obligation
        if overdue.reason == BY_TURNS:
            message = (f"{obligation.id} is overdue: not given within {obligation.due_within_operator_turns} "
                       "operator turns.")
        else:
            message = f"{obligation.id} is overdue: the operator said what must only come after it."
        return self._alert(state, event, cp.ALERT_KIND_OBLIGATION_OVERDUE, obligation.id, obligation.severity,
                           message, obligation.fix, obligation.citation)

    def _signal_alert(self, state: CallCompliance, event: ev.CallEvent, signal: Signal) -> cp.Alert:
        return self._alert(state, event, cp.ALERT_KIND_SIGNAL, signal.id, signal.severity, signal.message,
                           signal.fix, signal.citation)

    def _calling_hours(self, state: CallCompliance, event: ev.CallEvent) -> list[cp.Alert]:
        assert state.policy is not None
        if not event.HasField("ts"):
            return []
        moment = event.ts.ToDatetime(tzinfo=UTC)
        alerts = []
        for hours in state.policy.calling_hours:
            zones = outside_calling_hours(hours, moment) if state.scenario in hours.scenarios else []
            if zones:
                message = (f"The call started outside {hours.earliest:%H:%M}-{hours.latest:%H:%M} local time "
                           f"in {', '.join(zones)}.")
                alerts.append(self._alert(state, event, cp.ALERT_KIND_CALLING_HOURS, hours.id, hours.severity,
                                          message, hours.fix, hours.citation))
        return alerts

    def _policy_missing(self, state: CallCompliance, event: ev.CallEvent) -> list[cp.Alert]:
        if state.policy_missing_alerted:
            return []
        state.policy_missing_alerted = True
        message = "No compliance policy for this tenant: suggestions are blocked and speech is not checked."
        alert = self._alert(state, event, cp.ALERT_KIND_POLICY_MISSING, POLICY_MISSING, "CRITICAL", message,
                            "Ask an administrator to deploy the tenant's policy pack.", "")
        alert.audiences[:] = [cp.AUDIENCE_OPERATOR, cp.AUDIENCE_MANAGER]
        return [alert]

    # ---- drafts -----------------------------------------------------------------------------
    def steer(self, draft: gen.SuggestionDraft, now: float | None = None) -> cp.SteeredSuggestion:
        if not draft.HasField("deadline"):
            raise Rejected("schema_violation", "a draft needs a deadline: without one it could be shown stale")
        watch = Stopwatch()
        now = time.time() if now is None else now
        deadline = draft.deadline.ToNanoseconds() / 1e9
        call = draft.call
        steered = cp.SteeredSuggestion(call=call, draft=draft)
        verdict = steered.compliance  # a reference: assigning a message field would copy it
        state = self.calls.get(call.tenant, call.call_id)
        if deadline < now or (state is not None and state.ended):
            verdict.verdict = cp.VERDICT_EXPIRED  # too late to help: never shown
        else:
            state = state or self.calls.get_or_create(call.tenant, call.call_id,
                                                      bare_enum_name(ev.Scenario.DESCRIPTOR, call.scenario))
            self._apply(steered, self._judge(state, draft))
            if time.time() > deadline:  # judged too slowly: what was right then may be stale now
                verdict.verdict = cp.VERDICT_EXPIRED
                steered.text = ""
        verdict.policy_version = state.policy.label if state and state.policy else ""
        verdict.decided_at.CopyFrom(_now())
        verdict.decision_ms = watch.ms
        if self.audit is not None:
            self.audit.append(call_id=call.call_id, seq=call.seq, tenant=call.tenant,
                              kind="draft_part" if draft.partial else "draft",
                              decision=bare_enum_name(cp.Verdict.DESCRIPTOR, verdict.verdict),
                              rule_ids=list(verdict.rule_ids), policy=verdict.policy_version,
                              elapsed_ms=verdict.decision_ms, judged=draft.text, shown=steered.text)
        return steered

    @staticmethod
    def _apply(steered: cp.SteeredSuggestion, judgement: DraftJudgement) -> None:
        verdict = steered.compliance
        if judgement.blocked or not judgement.text.strip():
            verdict.verdict = cp.VERDICT_BLOCKED
        else:
            verdict.verdict = cp.VERDICT_REWRITTEN if judgement.changed else cp.VERDICT_PASS
        verdict.rule_ids.extend(_unique(judgement.rule_ids))
        verdict.findings.extend(judgement.findings)
        if verdict.verdict != cp.VERDICT_PASS:
            verdict.original_text = redact(steered.draft.text).text
        steered.text = judgement.text if verdict.verdict != cp.VERDICT_BLOCKED else ""

    def _judge(self, state: CallCompliance, draft: gen.SuggestionDraft) -> DraftJudgement:
        if state.policy is None:
            finding = cp.Finding(rule_id=POLICY_MISSING, severity=cp.SEVERITY_CRITICAL, remedy="BLOCK")
            return DraftJudgement("", blocked=True, rule_ids=[POLICY_MISSING], findings=[finding])
        detector = self.detectors[state.tenant]
        rules = self.active_rules(state, "DRAFT")
        by_id = {rule.id: rule for rule in rules}
        sentences = split_sentences(draft.text)
        # Approved wording (the knowledge base's script lines, the planner's computed cards) is judged by the
        # pack's phrases and patterns only: the learned paths are for free wording, the model's, and a false
        # alarm of theirs would block a line the tenant's compliance team approved.
        approved = set(sentences) if draft.backend == gen.BACKEND_SCRIPTED else set()
        hits = detector.scan(sentences, rules, approved)
        judgement = DraftJudgement(draft.text)
        judgement.findings += [_finding(by_id[h.id], h, by_id[h.id].remedy) for h in first_per_item(hits)]
        blocking = [h.id for h in hits if by_id[h.id].remedy == "BLOCK"]
        if blocking:
            judgement.blocked, judgement.rule_ids = True, blocking
            return judgement
        kept = self._rewrite(sentences, [h for h in hits if by_id[h.id].remedy == "REWRITE"], by_id, judgement)
        kept = self._add_owed_disclosures(state, detector, kept, judgement)
        judgement.text = " ".join(kept)
        masked = redact(judgement.text)
        if masked.findings:
            judgement.text, judgement.changed = masked.text, True
            judgement.rule_ids.append(PII_RULE)
            judgement.findings.append(cp.Finding(rule_id=PII_RULE, family="privacy", severity=cp.SEVERITY_HIGH,
                                                 remedy="MASK", method=LEXICAL, score=1.0))
        if judgement.changed:
            self._recheck(detector, [r for r in rules if r.remedy in ("BLOCK", "REWRITE")], judgement,
                          _templates(state.policy) | approved)
        return judgement

    @staticmethod
    def _rewrite(sentences: list[str], hits: list[Hit], by_id: dict[str, Rule],
                 judgement: DraftJudgement) -> list[str]:
        """Each offending sentence replaced by its rules' templates (or dropped); a template once."""
        replaced: dict[int, list[str]] = {}
        for hit in hits:
            replaced.setdefault(hit.sentence, []).append(by_id[hit.id].rewrite)
            judgement.rule_ids.append(hit.id)
        kept: list[str] = []
        for index, sentence in enumerate(sentences):
            for text in replaced.get(index, [sentence]):
                if text and text not in kept:
                    kept.append(text)
        judgement.changed = judgement.changed or bool(replaced)
        return kept

    @staticmethod
    def _add_owed_disclosures(state: CallCompliance, detector: Detector, sentences: list[str],
                              judgement: DraftJudgement) -> list[str]:
        """Owed disclosures go in front, those due soonest first; a sentence said before its
        disclosure is removed when the obligation says so. A disclosure the draft already gives, in
        any wording, is not added."""
        disclosures: list[tuple[int, str]] = []
        given = detector.gives(" ".join(sentences))
        for owed in state.owed():
            obligation = owed.obligation
            if obligation.id in given or any(obligation.satisfied(s) for s in sentences):
                continue
            early = [s for s in sentences if obligation.said_before(s) or obligation.id in detector.says_before(s)]
            if not early and not obligation.due_within_operator_turns:
                continue  # an ordering obligation this draft does not touch
            if early and obligation.before_remedy == "REMOVE":
                sentences = [s for s in sentences if s not in early]
            disclosures.append((obligation.due_within_operator_turns or 99, obligation.disclosure_text))
            judgement.rule_ids.append(obligation.id)
            judgement.findings.append(cp.Finding(
                rule_id=obligation.id, family="disclosure", severity=SEVERITY[obligation.severity],
                remedy=obligation.before_remedy if early else "PREPEND", citation=obligation.citation,
                method=LEXICAL, score=1.0))
        if disclosures:
            judgement.changed = True
        return [text for _, text in sorted(disclosures, key=lambda d: d[0])] + sentences

    @staticmethod
    def _recheck(detector: Detector, rules: list[Rule], judgement: DraftJudgement, templates: set[str]) -> None:
        """A rewrite must itself comply: anything a blocking or rewriting rule still finds blocks it
        (the pack's own templates and disclosures are checked by its patterns only)."""
        residual = [h.id for h in detector.scan(split_sentences(judgement.text), rules, templates)]
        if residual:
            judgement.blocked = True
            judgement.rule_ids += residual


def _signal_hits(detector: Detector, text: str, signals: list[Signal]) -> list[Hit]:
    """The signals a customer text raises. A text that says the right party is on the line ("I'm the account
    holder", "let me put him on") does not raise the signal it clears, whatever the learned paths make of it."""
    by_id = {signal.id: signal for signal in signals}
    return [hit for hit in detector.first_hits(text, signals) if not by_id[hit.id].cleared(text)]


def _finding(rule: Rule, hit: Hit, remedy: str) -> cp.Finding:
    return cp.Finding(rule_id=rule.id, family=rule.family, severity=SEVERITY[rule.severity], remedy=remedy,
                      citation=rule.citation, method=hit.method, score=hit.score, sentence=hit.sentence)


def _templates(policy: Policy | None) -> set[str]:
    """The pack's own sentences (rewrite templates, disclosures): compliant by the pack's word."""
    if policy is None:
        return set()
    texts = [rule.rewrite for rule in policy.rules if rule.rewrite]
    texts += [o.disclosure_text for o in (*policy.obligations, *policy.triggered_obligations)]
    return {sentence for text in texts for sentence in split_sentences(text)}
