"""Summaries from call state: a handover summary on TRANSFER, shaped for the receiving role, and a
wrap-up on CALL_ENDED with a predicted disposition and next actions.

First level: composed only from facts found in the call (intents, amounts, dates, commitments,
disclosures, compliance events) — nothing is stated that the call did not contain.
"""

from __future__ import annotations

from collections import OrderedDict

from seatcopilot.codec import bare_enum_name
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.policy import Policy
from seatcopilot.summary.v1 import summary_pb2 as sm

from services.summarizer.state import CallState

ROLE_FOCUS = {
    "SALES": "Confirm the product and amount the customer wants; state the APR before any payment figure.",
    "SERVICE": "Verify identity before account details; resolve the open requests listed above.",
    "COLLECTIONS": "Give the mini-Miranda first; confirm hardship details and any promise to pay.",
    "SUPERVISOR": "Review the compliance events and the customer's open requests before taking over.",
}
ROLE_SCENARIO = {"SALES": "SALES", "SERVICE": "SERVICE", "COLLECTIONS": "COLLECTIONS"}
DISPOSITIONS = (
    ({"promise_to_pay", "payment_arrangement"}, "PROMISE_TO_PAY"),
    ({"ready_to_apply"}, "APPLICATION_STARTED"),
    ({"cease_contact"}, "CEASE_CONTACT_REQUESTED"),
    ({"wrong_party"}, "WRONG_PARTY"),
    ({"debt_dispute", "transaction_dispute"}, "DISPUTE_OPENED"),
    ({"complaint"}, "COMPLAINT_LOGGED"),
)


def _listing(values: list[str], empty: str = "none") -> str:
    return ", ".join(v.replace("_", " ") for v in values) if values else empty


class Summarizer:
    def __init__(self, policy: Policy, max_calls: int = 50_000) -> None:
        self.policy = policy
        self.max_calls = max_calls
        self._calls: OrderedDict[str, CallState] = OrderedDict()

    def state(self, call_id: str) -> CallState:
        state = self._calls.get(call_id)
        if state is None:
            state = self._calls[call_id] = CallState(call_id)
            if len(self._calls) > self.max_calls:
                self._calls.popitem(last=False)
        return state

    def observe(self, event: ev.CallEvent, intent: str = "") -> sm.Summary | None:
        """Updates the call's state; returns a summary when the event calls for one."""
        state = self.state(event.call_id)
        state.observe(event, intent, self.policy)
        if event.type == ev.EVENT_TYPE_TRANSFER:
            return self.handover(event.call_id, event.transfer_to_role, event.seq)
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            return self.wrapup(event.call_id, event.seq)
        return None

    def observe_alert(self, alert: cp.Alert) -> None:
        self.state(alert.call_id).add_unique(self.state(alert.call_id).compliance_rule_ids, list(alert.rule_ids))

    def owed(self, state: CallState, role: str) -> list[str]:
        scenario = ROLE_SCENARIO.get(role, state.scenario)
        return [o.id for o in self.policy.obligations
                if scenario in o.scenarios and o.id not in state.disclosures_given]

    def _base(self, state: CallState, kind: int, seq: int) -> sm.Summary:
        return sm.Summary(
            kind=kind, call_id=state.call_id, seq=seq, tenant=state.tenant,
            scenario=ev.Scenario.Value("SCENARIO_" + state.scenario) if state.scenario else 0,
            operator_id=state.operator_ids[-1] if state.operator_ids else "", team_id=state.team_id,
            intents=state.intents, commitments=state.commitments, disclosures_given=state.disclosures_given,
            compliance_rule_ids=state.compliance_rule_ids,
        )

    def handover(self, call_id: str, role: int, seq: int = 0) -> sm.Summary:
        if call_id not in self._calls:
            raise LookupError(f"no state for call {call_id}")
        state = self._calls[call_id]
        role_name = bare_enum_name(ev.Role.DESCRIPTOR, role)
        summary = self._base(state, sm.SUMMARY_KIND_HANDOVER, seq)
        summary.target_role = role
        summary.disclosures_owed.extend(self.owed(state, role_name))
        summary.next_actions.append(ROLE_FOCUS.get(role_name, ROLE_FOCUS["SUPERVISOR"]))
        summary.text = "\n".join([
            f"Handover to {role_name.lower()} from {state.scenario.lower()} "
            f"({state.customer_turns} customer and {state.operator_turns} operator turns).",
            f"Customer raised: {_listing(state.intents, 'nothing classified yet')}.",
            f"Amounts mentioned: {_listing(state.amounts)}. Dates mentioned: {_listing(state.dates)}.",
            f"Commitments: {_listing(state.commitments)}.",
            f"Disclosures given: {_listing(state.disclosures_given)}. "
            f"Still owed: {_listing(list(summary.disclosures_owed))}.",
            f"Compliance events: {_listing(state.compliance_rule_ids)}.",
            f"Next: {summary.next_actions[0]}",
        ])
        return summary

    def wrapup(self, call_id: str, seq: int) -> sm.Summary:
        state = self.state(call_id)
        summary = self._base(state, sm.SUMMARY_KIND_WRAPUP, seq)
        seen = set(state.intents)
        summary.disposition = next((code for intents, code in DISPOSITIONS if seen & intents), "RESOLVED")
        if state.transfers:
            summary.disposition = "TRANSFERRED" if summary.disposition == "RESOLVED" else summary.disposition
        actions = [f"Follow up: {c}." for c in state.commitments]
        if state.compliance_rule_ids:
            actions.append("Supervisor review of compliance events: " + ", ".join(state.compliance_rule_ids) + ".")
        summary.next_actions.extend(actions or ["No follow-up needed."])
        summary.text = "\n".join([
            f"{state.scenario.title()} call wrap-up: customer raised {_listing(state.intents, 'no classified topic')}.",
            f"Commitments: {_listing(state.commitments)}. Transfers: {_listing(state.transfers)}.",
            f"Disclosures given: {_listing(state.disclosures_given)}. "
            f"Compliance events: {_listing(state.compliance_rule_ids)}.",
            f"Predicted disposition: {summary.disposition}.",
        ])
        return summary
