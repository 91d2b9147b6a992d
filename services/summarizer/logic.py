"""The summarizer: a faithful state of each call, and the summaries each role needs from it.

- Call state (state.py) in the transport's state table: on Kafka a Faust table whose changelog
  topic restores it after a restart, so a summarizer restarted mid-call loses nothing.
- On TRANSFER (and on demand) a handover summary shaped for the receiving role; on CALL_ENDED a
  wrap-up with a predicted disposition and next actions. The narrative comes from the model (from
  call state and transcript) and is verified sentence by sentence against the call (verify.py): a
  sentence stating something the call does not contain is removed and kept apart as unverified.
  Every other line is composed from the call state (compose.py).
- Manager summaries over a window from the ledger of wrap-ups (manager.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from prometheus_client import Counter
from seatcopilot import codec
from seatcopilot.calls import call_key
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.model_backends import GenerationRequest, ModelBackend, complete
from seatcopilot.policy import Policy
from seatcopilot.transport import StateTable

from services.summarizer import compose, manager_note, prompts
from services.summarizer.config import SummarizerConfig
from services.summarizer.lexicon import Lexicon
from services.summarizer.manager import Ledger
from services.summarizer.state import (
    apply_alert,
    apply_compliance_state,
    apply_event,
    compact,
    compliance_rule_ids,
    handle_time_s,
    new_state,
    role_name,
    sentiment_trend,
)
from services.summarizer.verify import evidence_from_state, verify

log = logging.getLogger(__name__)
MIN_SENTENCE_WORDS = 3
SUMMARIES = Counter("seatcopilot_summaries_total", "Summaries written, by kind and where the narrative came from",
                    ["kind", "narrative", "reason"])
UNVERIFIED = Counter("seatcopilot_summary_sentences_unverified_total",
                     "Model sentences removed from summaries: not found in the call", ["kind"])


class CallStates:
    """Call states, one per (tenant, call_id), serialized into the transport's state table."""

    def __init__(self, table: StateTable) -> None:
        self.table = table

    def get(self, tenant: str, call_id: str) -> sm.CallState | None:
        raw = self.table.get(call_key(tenant, call_id))
        return None if raw is None else codec.decode(raw, sm.CallState)

    def put(self, state: sm.CallState) -> None:
        self.table[call_key(state.tenant, state.call_id)] = codec.encode(state)

    def expire(self, ended_before: float) -> int:
        """Drops the states of calls that ended before the given time; returns how many."""
        expired = [call_id for call_id, raw in self.table.items()
                   if (state := codec.decode(raw, sm.CallState)).ended
                   and state.ended_at.ToNanoseconds() / 1e9 < ended_before]
        for call_id in expired:
            del self.table[call_id]
        return len(expired)


@dataclass
class Narrative:
    text: str
    generated_by: str = "call_state"
    prompt_version: str = ""
    fallback_reason: str = ""
    unverified: list[str] = field(default_factory=list)


class Summarizer:
    def __init__(self, policies: dict[str, Policy], lexicon: Lexicon, states: CallStates, config: SummarizerConfig,
                 backend: ModelBackend | None = None) -> None:
        self.policies = policies  # each tenant's pack: what its roles must disclose
        self.lexicon = lexicon
        self.states = states
        self.config = config
        self.backend = backend
        self.ledger = Ledger(policies.values(), config.ledger_horizon_s)

    # -- call state ----------------------------------------------------------------------------

    async def on_event(self, event: ev.CallEvent, intent: str = "",
                       dialogue: dg.DialogueState | None = None) -> sm.Summary | None:
        """Applies an event to its call's state; returns the summary a TRANSFER or CALL_ENDED calls for.

        The state is saved before any summary is written, so a restart during the (slow) model call
        loses nothing; a redelivered TRANSFER or CALL_ENDED writes its summary again (consumers
        de-duplicate on call_id, seq and kind), so a summary lost in a crash is written after it.
        """
        state = self.states.get(event.tenant, event.call_id) or new_state(event.call_id, event.tenant)
        if apply_event(state, event, intent, self.lexicon, self.config.max_turns, dialogue):
            self.states.put(state)
        if event.type == ev.EVENT_TYPE_TRANSFER:
            return await self.handover_of(state, event.transfer_to_role, event.seq)
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            summary = await self.wrapup_of(state, event.seq)
            if state.turns:
                compact(state)
                self.states.put(state)
            return summary
        return None

    def on_alert(self, alert: cp.Alert) -> None:
        call = alert.call
        state = self.states.get(call.tenant, call.call_id) or new_state(call.call_id, call.tenant)
        if apply_alert(state, alert):
            self.states.put(state)

    def on_compliance_state(self, compliance: cp.CallComplianceState) -> None:
        """Compliance's live state of the call: which disclosures it recognised as given."""
        call = compliance.call
        state = self.states.get(call.tenant, call.call_id) or new_state(call.call_id, call.tenant)
        if apply_compliance_state(state, compliance):
            self.states.put(state)

    def state(self, tenant: str, call_id: str) -> sm.CallState:
        state = self.states.get(tenant, call_id)
        if state is None:
            raise LookupError(f"no state for call {call_id} of tenant {tenant} on this instance")
        return state

    # -- summaries -----------------------------------------------------------------------------

    async def handover(self, tenant: str, call_id: str, role: ev.Role) -> sm.Summary:
        state = self.state(tenant, call_id)
        return await self.handover_of(state, role or state.current_role or ev.ROLE_SUPERVISOR, state.last_seq)

    async def wrapup(self, tenant: str, call_id: str) -> sm.Summary:
        state = self.state(tenant, call_id)
        return await self.wrapup_of(state, state.last_seq)

    async def handover_of(self, state: sm.CallState, role: ev.Role, seq: int) -> sm.Summary:
        role_label = role_name(role)
        profile = compose.ROLE_PROFILES.get(role_label, compose.ROLE_PROFILES["SUPERVISOR"])
        story = await self.narrative(state, profile.audience, prompts.HANDOVER_V1)
        summary = self._base(state, sm.SUMMARY_KIND_HANDOVER, seq, story)
        summary.target_role = role
        policy = self.policies.get(state.tenant)
        owed = compose.owed_disclosures(state, policy, role_label)
        summary.disclosures_owed.extend(owed)
        summary.open_items.extend(sm.OpenItem(kind="disclosure_owed", text=o) for o in owed)
        summary.next_actions.extend(([f"Give first: {compose.listing(owed)}."] if owed else []) + [profile.focus])
        summary.text = "\n".join([compose.header(state, role_label, self.lexicon.routine_intents), story.text,
                                  *compose.handover_sections(state, policy, role_label),
                                  f"First: {profile.focus}"])
        return summary

    async def wrapup_of(self, state: sm.CallState, seq: int) -> sm.Summary:
        story = await self.narrative(state, "the operator's wrap-up notes", prompts.WRAPUP_V1)
        summary = self._base(state, sm.SUMMARY_KIND_WRAPUP, seq, story)
        policy = self.policies.get(state.tenant)
        owed = compose.owed_disclosures(state, policy, compose.final_role(state))
        summary.disclosures_owed.extend(owed)
        summary.disposition = compose.predicted_disposition(state)
        summary.manager_note = manager_note.compose(state, summary.disposition, owed, policy)
        summary.next_actions.extend(compose.wrapup_actions(state, owed))
        lines = compose.wrapup_lines(state, summary.disposition, owed)
        summary.text = "\n".join([lines[0], story.text, *lines[1:]])
        return summary

    def _base(self, state: sm.CallState, kind: sm.SummaryKind, seq: int, story: Narrative) -> sm.Summary:
        kind_name = sm.SummaryKind.Name(kind).removeprefix("SUMMARY_KIND_").lower()
        narrative = "model" if story.generated_by.startswith("model") else "call_state"
        SUMMARIES.labels(kind_name, narrative, story.fallback_reason or "none").inc()
        UNVERIFIED.labels(kind_name).inc(len(story.unverified))
        summary = sm.Summary(
            kind=kind, call=ev.CallRef(tenant=state.tenant, call_id=state.call_id, seq=seq, scenario=state.scenario,
                                       operator_id=state.operator_ids[-1] if state.operator_ids else "",
                                       team_id=state.team_id),
            operator_ids=state.operator_ids, intents=state.intents, commitments=compose.commitments(state),
            disclosures_given=state.disclosures_given, compliance_rule_ids=compliance_rule_ids(state),
            facts=state.facts, promises=state.promises, callbacks=state.callbacks, open_items=state.open_items,
            sentiment_trend=sentiment_trend(state), compliance_events=state.compliance_events,
            transfers=state.transfers, narrative=story.text, generated_by=story.generated_by,
            prompt_version=story.prompt_version, fallback_reason=story.fallback_reason,
            unverified_sentences=story.unverified, handle_time_s=handle_time_s(state),
        )
        for name in ("started_at", "ended_at"):
            if state.HasField(name):
                getattr(summary, name).CopyFrom(getattr(state, name))
        return summary

    async def narrative(self, state: sm.CallState, audience: str, prompt_version: str) -> Narrative:
        """The model's narrative, verified against the call; the state's own narrative when there is
        no model, it fails, or none of its sentences holds up."""
        fallback = compose.narrative(state, self.lexicon.routine_intents)
        if self.backend is None:
            return Narrative(fallback, fallback_reason="model_disabled")
        if not state.turns:
            return Narrative(fallback, fallback_reason="no_transcript")
        request = GenerationRequest(prompts.summary_messages(state, audience), self.config.max_tokens,
                                    stop_words=prompts.STOP_WORDS, repetition_penalty=prompts.REPETITION_PENALTY)
        try:
            raw = await complete(self.backend, request, self.config.model_deadline_s)
        except TimeoutError:
            return Narrative(fallback, prompt_version=prompt_version, fallback_reason="model_deadline")
        except Exception as error:  # a model outage must not cost the summary
            log.warning("model backend failed (%s): narrative from call state", type(error).__name__)
            return Narrative(fallback, prompt_version=prompt_version, fallback_reason="model_unavailable")
        checked = verify(prompts.clean(raw), evidence_from_state(state, self.lexicon), self.lexicon, reports_only=True)
        kept = [s for s in checked.kept if len(s.split()) >= MIN_SENTENCE_WORDS]
        unverified = [sentence for sentence, _ in checked.removed]
        if not kept:
            return Narrative(fallback, prompt_version=prompt_version, fallback_reason="model_unverified",
                             unverified=unverified)
        return Narrative(" ".join(kept), f"model:{self.backend.name}", prompt_version, unverified=unverified)

    # -- manager summaries ---------------------------------------------------------------------

    def record_wrapup(self, wrapup: sm.Summary) -> sm.ManagerReport:
        """Adds an ended call to the ledger; returns its team's report over the window up to its
        latest ended call (event time, so a replay of past calls reports on them too)."""
        record = self.ledger.add_wrapup(wrapup)
        return self.team_report(record.tenant, record.team_id)

    def record_feedback(self, feedback: fb.Feedback) -> sm.ManagerReport | None:
        record = self.ledger.add_feedback(feedback)
        return None if record is None else self.team_report(record.tenant, record.team_id)

    def team_report(self, tenant: str, team_id: str) -> sm.ManagerReport:
        end = self.ledger.latest(tenant, team_id) + 1e-3
        return self.ledger.report(end - self.config.report_window_s, end, team_id=team_id, tenant=tenant)

    def manager_summary(self, start: float, end: float, team_id: str = "", operator_id: str = "",
                        tenant: str = "") -> sm.ManagerReport:
        if end <= start:
            raise ValueError("window_end must be after window_start")
        return self.ledger.report(start, end, team_id, operator_id, tenant)

    def expire_states(self, now: float | None = None) -> int:
        return self.states.expire((now or time.time()) - self.config.state_retention_s)
