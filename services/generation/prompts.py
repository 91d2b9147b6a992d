"""Versioned prompt templates (templates/*.yaml), per role, with scenario and call-stage guidance.

A prompt is assembled from the classification, the knowledge items (numbered, so the model can cite
them), the call's recent turns and the disclosures still owed, within a token budget: what does not
fit is left out, oldest turns first, then the lowest-ranked facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHARS_PER_TOKEN = 4
_CITATION = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    role: str
    system: str
    scenario_guidance: dict[str, str]
    stage_guidance: dict[str, str]
    user: str
    max_prompt_tokens: int
    max_fact_tokens: int
    max_history_turns: int
    # The suggestion's style: at most this many sentences, and a token cap (0: the service's setting).
    sentences: int = 2
    max_new_tokens: int = 0

    @property
    def label(self) -> str:
        return f"{self.id}/v{self.version}"


@cache
def template(name: str) -> Template:
    data = yaml.safe_load((TEMPLATES / f"{name}.yaml").read_text())
    budget, style = data["budget"], data.get("style") or {}
    return Template(
        id=data["id"], version=int(data["version"]), role=data["role"], system=data["system"].strip(),
        scenario_guidance=data.get("scenario_guidance") or {}, stage_guidance=data.get("stage_guidance") or {},
        user=data["user"], max_prompt_tokens=int(budget["max_prompt_tokens"]),
        max_fact_tokens=int(budget["max_fact_tokens"]), max_history_turns=int(budget["max_history_turns"]),
        sentences=int(style.get("sentences", 2)), max_new_tokens=int(style.get("max_new_tokens", 0)),
    )


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def facts_block(items: list[rt.KnowledgeItem], max_tokens: int) -> tuple[str, list[rt.KnowledgeItem]]:
    """Numbered facts in rank order, as many as the budget holds; returns the text and the items used."""
    lines: list[str] = []
    used: list[rt.KnowledgeItem] = []
    spent = 0
    for item in items:
        line = f"[{len(used) + 1}] {item.title}: {item.text}"
        if used and spent + estimate_tokens(line) > max_tokens:
            break
        lines.append(line[: max_tokens * CHARS_PER_TOKEN])
        used.append(item)
        spent += estimate_tokens(line)
    return "\n".join(lines) or "(no facts available: say you will check)", used


def _system(spec: Template, scenario: str, stage: str) -> str:
    guidance = [spec.scenario_guidance.get(scenario, ""), spec.stage_guidance.get(stage, "")]
    return " ".join([spec.system, *[g for g in guidance if g]])


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    facts: list[rt.KnowledgeItem]
    version: str
    tokens: int


def operator_suggestion(scenario: str, stage: str, intent: str, task: str, customer_text: str,
                        items: list[rt.KnowledgeItem], history: list[str], owed: list[str],
                        name: str = "operator_suggestion") -> Prompt:
    """`name`: the template (an experiment's variant arm may get its own, see GENERATION_ARM_TEMPLATES)."""
    spec = template(name)
    facts, used = facts_block(items, spec.max_fact_tokens)
    owed_line = f"Still owed to the customer: {' '.join(owed)}\n" if owed else ""
    turns = history[-spec.max_history_turns:] if spec.max_history_turns else []
    while True:
        user = spec.user.format(scenario=scenario.lower(), stage=stage or "discovery",
                                intent=intent.replace("_", " "), task=task.replace("_", " "), facts=facts,
                                owed=owed_line, history="\n".join(turns) or "(none yet)",
                                customer_text=customer_text[:400])
        system = _system(spec, scenario, stage)
        tokens = estimate_tokens(system) + estimate_tokens(user)
        if tokens <= spec.max_prompt_tokens or not turns:
            break
        turns = turns[1:]
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt(messages, used, spec.label, tokens)


def planned_reply(scenario: str, customer_text: str, planned: str, facts: list[str]) -> Prompt:
    """The planner's answer to reword: its text and the facts the reply must keep exactly."""
    spec = template("planned_reply")
    user = spec.user.format(scenario=scenario.lower(), customer_text=customer_text[:400], planned=planned,
                            keep="; ".join(facts) or "(none)")
    system = _system(spec, scenario, "")
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt(messages, [], spec.label, estimate_tokens(system) + estimate_tokens(user))


def cited(text: str, facts: list[rt.KnowledgeItem]) -> tuple[str, list[rt.KnowledgeItem]]:
    """The text without citation marks, and the facts it cited (by number, in the order cited)."""
    numbers = []
    for match in _CITATION.findall(text):
        number = int(match)
        if 1 <= number <= len(facts) and number not in numbers:
            numbers.append(number)
    clean = re.sub(r"\s*\[\d{1,2}\]", "", text).strip()
    return clean, [facts[n - 1] for n in numbers]
