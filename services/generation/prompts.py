"""Versioned prompt templates. A template change gets a new version: drafts record the one used."""

from __future__ import annotations

from seatcopilot.retrieval.v1 import retrieval_pb2 as rt

OPERATOR_SUGGESTION_V1 = "operator-suggestion/v1"

SYSTEM = (
    "You help a call-center agent at Harbor Lending, a consumer lender. Write what the agent should say "
    "next to the customer: one or two short spoken sentences, first person, using only the facts given. "
    "Never promise approval, never threaten, never read out account or card numbers."
)
MAX_FACT_CHARS = 600


def facts_block(items: list[rt.KnowledgeItem]) -> str:
    lines, used = [], 0
    for number, item in enumerate(items, start=1):
        text = item.text[: max(0, MAX_FACT_CHARS - used)]
        if not text:
            break
        used += len(text)
        lines.append(f"[{number}] {item.title}: {text}")
    return "\n".join(lines)


def operator_suggestion(scenario: str, intent: str, task: str, customer_text: str,
                        items: list[rt.KnowledgeItem], owed_disclosures: list[str]) -> list[dict[str, str]]:
    """Chat messages for the next operator line, within a bounded token budget."""
    parts = [f"Call type: {scenario.lower()}. Customer intent: {intent.replace('_', ' ')}. Agent task: {task}."]
    if items:
        parts.append("Facts:\n" + facts_block(items))
    if owed_disclosures:
        parts.append("Still owed to the customer: " + " ".join(owed_disclosures))
    parts.append(f'Customer said: "{customer_text[:400]}"')
    parts.append("What should the agent say?")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n".join(parts)}]
