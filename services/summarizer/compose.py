"""Summaries composed from call state: the role-shaped sections of a handover, the wrap-up, the
predicted disposition, next actions, and a narrative that states only what the state holds.

Every line here comes from the call state, so it is faithful by construction; the model's
narrative (logic.py) is verified before it is put in front of these lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.dispositions import APPLICATION_STARTED, PROMISE_TO_PAY
from seatcopilot.policy import Policy

from services.summarizer import facts
from services.summarizer.state import (
    DATE_YEARS_BACK,
    compliance_rule_ids,
    handle_time_s,
    role_name,
    scenario_name,
    sentiment_trend,
)

ROLE_SCENARIO = {"SALES": "SALES", "SERVICE": "SERVICE", "COLLECTIONS": "COLLECTIONS"}
OPENING_MIN_WORDS = 5
IDENTITY_YEAR = time.gmtime().tm_year - DATE_YEARS_BACK


@dataclass(frozen=True)
class RoleProfile:
    """What a receiving role needs first, and the order it reads the call state in."""

    audience: str
    focus: str
    sections: tuple[str, ...]


ROLE_PROFILES = {
    "SALES": RoleProfile(
        "a sales operator",
        "Confirm the product and amount the customer wants; state the APR before any payment figure.",
        ("products", "amounts", "open_items", "disclosures", "promises", "compliance")),
    "SERVICE": RoleProfile(
        "a servicing operator", "Verify identity before account details; resolve the open items listed above.",
        ("open_items", "amounts", "callbacks", "disclosures", "promises", "sentiment", "compliance")),
    "COLLECTIONS": RoleProfile(
        "a collections operator", "Give the mini-Miranda first; confirm hardship details and any promise to pay.",
        ("promises", "open_items", "disclosures", "amounts", "sentiment", "compliance")),
    "SUPERVISOR": RoleProfile(
        "a supervisor", "Review the compliance events and the customer's open items before taking over.",
        ("compliance", "sentiment", "disclosures", "promises", "open_items", "amounts")),
}
DISPOSITIONS = (
    ({"cease_contact"}, "CEASE_CONTACT_REQUESTED"),
    ({"wrong_party"}, "WRONG_PARTY"),
    ({"promise_to_pay", "payment_arrangement"}, PROMISE_TO_PAY),
    ({"ready_to_apply"}, APPLICATION_STARTED),
    ({"debt_dispute", "transaction_dispute"}, "DISPUTE_OPENED"),
    ({"complaint"}, "COMPLAINT_LOGGED"),
)


def listing(values: list[str], empty: str = "none") -> str:
    values = [v.replace("_", " ") for v in values if v]
    if not values:
        return empty
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _schedule(promise: sm.PromiseToPay) -> str:
    return f", {promise.schedule}" if promise.schedule and promise.schedule != "once" else ""


def promise_text(promise: sm.PromiseToPay) -> str:
    return f"promise to pay {promise.amount}" + (f" on {promise.date}" if promise.date else "") + _schedule(promise)


def commitments(state: sm.CallState) -> list[str]:
    """Promises and callbacks as short phrases (the Summary's `commitments`)."""
    lines = [promise_text(p) for p in state.promises]
    lines += ["callback" + (f" {c.when}" if c.when else "") for c in state.callbacks]
    return lines


def owed_disclosures(state: sm.CallState, policy: Policy | None, role: str) -> list[str]:
    """The obligations of the role's scenario in the tenant's pack not yet given on the call."""
    if policy is None:
        return []
    scenario = ROLE_SCENARIO.get(role, scenario_name(state.scenario))
    return [o.id for o in policy.obligations if scenario in o.scenarios and o.id not in state.disclosures_given]


def _facts(state: sm.CallState, kind: str) -> list[str]:
    return [f.value for f in state.facts if f.kind == kind]


def _section_lines(state: sm.CallState, owed: list[str], role: str) -> dict[str, Callable[[], str]]:
    events = [f"{','.join(e.rule_ids)} ({e.severity}, turn {e.seq})" for e in state.compliance_events]
    operator_items = [o for o in state.open_items if o.kind == "operator_commitment"]
    customer_items = [o.text for o in state.open_items if o.kind == "customer_request"]
    return {
        "promises": lambda: "Promises to pay: " + listing(
            [f"{p.amount}" + (f" on {p.date}" if p.date else " (no date given)") + _schedule(p) + f" (turn {p.seq})"
             for p in state.promises], "none made") + ".",
        "open_items": lambda: "Open items: " + listing(
            customer_items + [f"operator said \"{o.text}\"" for o in operator_items], "none") + ".",
        "disclosures": lambda: (f"Disclosures given: {listing(list(state.disclosures_given))}. "
                                f"Still owed as {role.lower()}: {listing(owed)}."),
        "amounts": lambda: (f"Amounts mentioned: {listing(_facts(state, 'amount'))}. "
                            f"Dates mentioned: {listing(_facts(state, 'date'))}."),
        "products": lambda: f"Products discussed: {listing(_facts(state, 'product'))}.",
        "callbacks": lambda: "Callbacks: " + listing(
            [(c.when or "time not set") + f" (turn {c.seq})" for c in state.callbacks], "none") + ".",
        "sentiment": lambda: f"Customer sentiment: {sentiment_trend(state)} over {len(state.sentiment)} scored turns.",
        "compliance": lambda: f"Compliance events: {listing(events)}.",
    }


def handover_sections(state: sm.CallState, policy: Policy | None, role: str) -> list[str]:
    """The call state in the order the receiving role needs it (an unknown role reads as supervisor)."""
    profile = ROLE_PROFILES.get(role, ROLE_PROFILES["SUPERVISOR"])
    lines = _section_lines(state, owed_disclosures(state, policy, role), role)
    return [lines[name]() for name in profile.sections]


def topics(state: sm.CallState, routine: frozenset[str]) -> list[str]:
    """What the call is about: its intents less the routine ones (greeting, verification...)."""
    return [i for i in state.intents if i not in routine]


def header(state: sm.CallState, role: str, routine: frozenset[str]) -> str:
    came_from = role_name(state.transfers[-2]) if len(state.transfers) > 1 else scenario_name(state.scenario)
    raised = listing(topics(state, routine), "nothing classified yet")
    return (f"Handover to {role.lower()} from {came_from.lower()} ({state.customer_turns} customer and "
            f"{state.operator_turns} operator turns). Customer raised: {raised}.")


def opening_request(state: sm.CallState, routine: frozenset[str]) -> str:
    """The customer's first substantial utterance that is not routine (a greeting, their date of
    birth): what they called about, in their words."""
    return next((t.text for t in state.turns if t.speaker == ev.SPEAKER_CUSTOMER and t.intent not in routine
                 and len(t.text.split()) >= OPENING_MIN_WORDS and not facts.has_old_date(t.text, IDENTITY_YEAR)),
                "")


def _quoted(text: str) -> str:
    text = text.strip()
    return f"\"{text}\"" if text[-1:] in ".!?" else f"\"{text}.\""


def narrative(state: sm.CallState, routine: frozenset[str]) -> str:
    """What happened in the call, in plain sentences built only from the call state: the customer's
    opening request in their words (the intents when the transcript is gone), then the facts."""
    opening, about = opening_request(state, routine), topics(state, routine)
    if opening:
        sentences = [f"The customer said: {_quoted(opening)}"]
    elif about:
        sentences = [f"The customer called about {listing(about)}."]
    else:
        sentences = [f"The customer called the {scenario_name(state.scenario).lower()} line."]
    products = _facts(state, "product")
    if products:
        sentences.append(f"They discussed the {listing(products)}.")
    amounts = [a for a in _facts(state, "amount") if not any(a == p.amount for p in state.promises)]
    if amounts:
        sentences.append(f"Amounts mentioned were {listing(amounts[:6])}.")
    sentences += [f"The customer promised to pay {p.amount}" + (f" on {p.date}." if p.date else ".")
                  for p in state.promises]
    quoted = {o.seq for o in state.open_items if o.kind == "operator_commitment"}
    sentences += [f"A callback was agreed for {c.when}." if c.when else "A callback was agreed."
                  for c in state.callbacks if c.seq not in quoted]
    sentences += [f"The operator said: {_quoted(o.text)}" for o in state.open_items if o.kind == "operator_commitment"]
    sentences += [f"The call was transferred to {role_name(r).lower()}." for r in state.transfers]
    return " ".join(sentences)


def predicted_disposition(state: sm.CallState) -> str:
    seen = set(state.intents)
    if state.promises:
        seen.add("promise_to_pay")
    code = next((code for intents, code in DISPOSITIONS if seen & intents), "")
    if not code and state.callbacks:
        code = "CALLBACK_SCHEDULED"
    return code or ("TRANSFERRED" if state.transfers else "RESOLVED")


def wrapup_actions(state: sm.CallState, owed: list[str]) -> list[str]:
    actions = [f"Record the {promise_text(p)} and set a reminder." for p in state.promises]
    actions += [f"Call back {c.when}." if c.when else "Call back as agreed." for c in state.callbacks]
    actions += [f"Do what the operator promised: \"{o.text}\"" for o in state.open_items
                if o.kind == "operator_commitment"]
    actions += [f"Follow up: {o.text}." for o in state.open_items if o.kind == "customer_request"]
    if owed:
        actions.append(f"Compliance: never given on this call: {listing(owed)}. Supervisor review.")
    rules = compliance_rule_ids(state)
    if rules:
        actions.append(f"Supervisor review of compliance events: {listing(rules)}.")
    return actions or ["No follow-up needed."]


def wrapup_lines(state: sm.CallState, disposition: str, owed: list[str]) -> list[str]:
    seconds = handle_time_s(state)
    return [
        f"{scenario_name(state.scenario).title()} call wrap-up ({int(seconds // 60)}m{int(seconds % 60):02d}s, "
        f"{state.customer_turns} customer and {state.operator_turns} operator turns).",
        f"Commitments: {listing(commitments(state))}. Transfers: {listing([role_name(r) for r in state.transfers])}.",
        f"Disclosures given: {listing(list(state.disclosures_given))}. Never given: {listing(owed)}. "
        f"Compliance events: {listing(compliance_rule_ids(state))}.",
        f"Customer sentiment: {sentiment_trend(state)}. Predicted disposition: {disposition}.",
    ]


def final_role(state: sm.CallState) -> str:
    return role_name(state.current_role) if state.current_role else scenario_name(state.scenario)
