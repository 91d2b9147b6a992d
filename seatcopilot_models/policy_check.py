"""The compliance engine as a scorer: which rules a draft breaks, and the rewrite the engine's own
templates give (the reference for the compliant-rewrite task). Lexical matching only, so scores do
not depend on the encoder and stay fast."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from seatcopilot.policy import DEFAULT_POLICIES, load_policies

from services.compliance.detection import split_sentences
from services.compliance.logic import ComplianceEngine

TENANT = "harbor"


@lru_cache(maxsize=4)
def engine(policies: Path = DEFAULT_POLICIES) -> ComplianceEngine:
    return ComplianceEngine(load_policies(policies))


def violations(text: str, scenario: str, speaker: str = "DRAFT", tenant: str = TENANT) -> list[str]:
    """Ids of the rules the text sets off (BLOCK and REWRITE rules, as a draft would be judged)."""
    checker = engine()
    rules = {rule.id: rule for rule in checker.policies[tenant].rules}
    return [hit.id for hit in checker.detect(tenant, scenario, speaker, text)
            if rules[hit.id].remedy in ("BLOCK", "REWRITE")]


def compliant_rewrite(text: str, scenario: str, tenant: str = TENANT) -> str | None:
    """Each offending sentence replaced by its rule's rewrite template; None when a rule has no
    template (a BLOCK rule) or nothing is wrong."""
    checker = engine()
    rules = {rule.id: rule for rule in checker.policies[tenant].rules}
    sentences = split_sentences(text)
    hits = checker.detectors[tenant].scan(sentences, [r for r in rules.values() if r.applies(scenario, "DRAFT")])
    if not hits or any(not rules[h.id].rewrite or rules[h.id].remedy != "REWRITE" for h in hits):
        return None
    replaced: dict[int, list[str]] = {}
    for hit in hits:
        replaced.setdefault(hit.sentence, []).append(rules[hit.id].rewrite)
    kept: list[str] = []
    for index, sentence in enumerate(sentences):
        for part in replaced.get(index, [sentence]):
            if part not in kept:
                kept.append(part)
    return " ".join(kept)
