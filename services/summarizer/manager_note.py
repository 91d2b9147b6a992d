"""Guidance for the operator's manager about one ended call, composed at wrap-up from the same call state
the summaries come from (the classifier stage's dialogue state, compliance events, disclosures never given,
commitments), with the manager-note template's lines (templates/manager_note.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.policy import Policy

from services.summarizer.compose import commitments, listing, scenario_name

TEMPLATE = Path(__file__).resolve().parent / "templates" / "manager_note.yaml"
# Scenarios where account details are discussed, so an unverified identity is worth a manager's look.
VERIFYING_SCENARIOS = frozenset({"SERVICE", "COLLECTIONS"})


@dataclass(frozen=True)
class NoteTemplate:
    label: str
    scenario_guidance: dict[str, str]
    lines: dict[str, str]


@cache
def template(path: Path = TEMPLATE) -> NoteTemplate:
    data = yaml.safe_load(path.read_text())
    return NoteTemplate(f"{data['id']}/v{data['version']}", data["scenario_guidance"], data["lines"])


def situation(dialogue) -> list[str]:
    """What the dialogue state says about the customer that a manager should know."""
    items = ["hardship" if dialogue.hardship else "",
             "a third party on the line" if dialogue.third_party else "",
             "card details offered by the customer" if dialogue.card_details_offered else ""]
    return [item for item in items if item]


def _events(state: sm.CallState) -> str:
    return listing([f"{','.join(e.rule_ids)} (turn {e.seq})" for e in state.compliance_events])


def compose(state: sm.CallState, disposition: str, owed: list[str], policy: Policy | None,
            spec: NoteTemplate | None = None) -> str:
    """The note: the call and its outcome, then what to review, what was never given, the commitments to
    follow up, the customer's situation, and the scenario's focus; lines with nothing to say are left out."""
    spec = spec or template()
    lines = spec.lines
    scenario = scenario_name(state.scenario)
    operator = state.operator_ids[-1] if state.operator_ids else "unknown"
    out = [lines["call"].format(scenario=scenario.title(), operator_id=operator,
                                intents=listing(list(state.intents), "nothing classified"),
                                disposition=disposition or "none")]
    rule_ids = list(dict.fromkeys(r for e in state.compliance_events for r in e.rule_ids))
    if rule_ids:
        fixes = policy.fixes() if policy else {}
        advice = "; ".join(fixes.get(r) or f"{r}: review with the policy team" for r in rule_ids)
        out.append(lines["compliance"].format(events=_events(state), fixes=advice.rstrip(".")))
    else:
        out.append(lines["clean"])
    if owed:
        out.append(lines["owed"].format(owed=listing(owed)))
    if state.promises or state.callbacks:
        out.append(lines["commitments"].format(commitments="; ".join(commitments(state))))
    if situation(state.dialogue):
        out.append(lines["situation"].format(situation=listing(situation(state.dialogue))))
    if scenario in VERIFYING_SCENARIOS and state.dialogue.last_seq and not state.dialogue.identity_verified:
        out.append(lines["unverified"])
    focus = spec.scenario_guidance.get(scenario, "")
    return " ".join(out + ([focus] if focus else []))
