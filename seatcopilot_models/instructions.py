"""Instruction data for stages 2 and 3, and the held-out evaluation items, built from the project's own
data (intent seeds, knowledge base, labelled compliance set, bundled calls) and shared public sets.

Every item: id, task, pool (instruction | internal | generic), split (train | eval), system, prompt,
target, and for label tasks the label set. The split is a hash of the item's input, so an input never
lands on both sides and the same data always splits the same way.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from seatcopilot.paths import DATA_DIR

from seatcopilot_models.policy_check import compliant_rewrite

DATA = DATA_DIR
# Figures a planned answer states and its wording must keep: amounts, percentages, terms.
_FIGURE = re.compile(r"\$\d{1,3}(?:,\d{3})+(?:\.\d+)?|\$\d+(?:\.\d+)?|\d+(?:\.\d+)?%"
                     r"|\d+ (?:months|days|business days|years)")
SYSTEM = "You assist contact-center operators at a lender. Follow the instruction exactly."

# Task → (stage, level the evaluation files it under).
TASKS = {
    "intent": ("capability", "basic"),
    "next_task": ("capability", "basic"),
    "reading": ("capability", "advanced"),
    "generic_intent": ("capability", None),
    "rewrite": ("task", "advanced"),
    "suggest": ("task", "professional"),
    "summary": ("task", "professional"),
}


def split_of(key: str, eval_fraction: float) -> str:
    bucket = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "eval" if bucket < eval_fraction else "train"


def item(task: str, pool: str, key: str, prompt: str, target: str, eval_fraction: float, **extra) -> dict:
    return {"id": f"{task}:{hashlib.sha1(key.encode()).hexdigest()[:10]}", "task": task, "pool": pool,
            "split": split_of(key, eval_fraction), "input": key, "system": SYSTEM, "prompt": prompt,
            "target": target, **extra}


def intent_items(eval_fraction: float) -> Iterator[dict]:
    seeds = yaml.safe_load((DATA / "intents" / "seed.yaml").read_text())["intents"]
    intents = sorted(seeds)
    tasks = sorted({entry["task"] for entry in seeds.values()})
    for name, entry in seeds.items():
        for text in entry["examples"]:
            yield item("intent", "internal", text,
                       f'Customer: "{text}"\nName the customer\'s intent. Answer with one label only, from: '
                       f"{', '.join(intents)}.", name, eval_fraction, labels=intents)
            yield item("next_task", "internal", text,
                       f'Customer: "{text}"\nWhat should the operator do next? Answer with one label only, from: '
                       f"{', '.join(tasks)}.", entry["task"], eval_fraction, labels=tasks)


def generic_intent_items(shared: Path, limit: int, seed: int) -> Iterator[dict]:
    """Banking77 queries with eight candidate labels each: public data for the generic pool (train only)."""
    path = shared / "banking77" / "train.csv"
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels = sorted({row["category"] for row in rows})
    rng = random.Random(seed)
    for row in rng.sample(rows, min(limit, len(rows))):
        choices = sorted({row["category"], *rng.sample(labels, 7)})
        entry = item("generic_intent", "generic", row["text"],
                     f'Query: "{row["text"]}"\nClassify the query. Answer with one label only, from: '
                     f"{', '.join(choices)}.", row["category"], 0.0, labels=choices)
        yield entry


def _kb() -> dict[str, dict]:
    return {entry["id"]: entry for entry in yaml.safe_load((DATA / "knowledge" / "kb.yaml").read_text())["items"]}


def reading_items(eval_fraction: float, seed: int) -> Iterator[dict]:
    """Which of three passages answers the customer's question (reading comprehension)."""
    kb = _kb()
    queries = yaml.safe_load((DATA / "knowledge" / "queries.yaml").read_text())["queries"]
    rng = random.Random(seed)
    ids = sorted(kb)
    for query in queries:
        relevant = [r for r in query["relevant"] if r in kb]
        if not relevant:
            continue
        others = rng.sample([i for i in ids if i not in query["relevant"]], 2)
        passages = [relevant[0], *others]
        rng.shuffle(passages)
        letters = "ABC"
        body = "\n".join(f"[{letters[i]}] {_first_sentences(kb[p]['text'], 1)}" for i, p in enumerate(passages))
        yield item("reading", "internal", query["text"],
                   f"{body}\nQuestion: \"{query['text']}\"\nWhich passage answers the question? Answer A, B or C.",
                   letters[passages.index(relevant[0])], eval_fraction, labels=list(letters))


def rewrite_items(eval_fraction: float) -> Iterator[dict]:
    for line in (DATA / "compliance" / "labelled.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["speaker"] != "OPERATOR" or not row["expected_rule_ids"]:
            continue
        reference = compliant_rewrite(row["text"], row["scenario"])
        if reference:
            yield item("rewrite", "instruction", row["text"],
                       f"Scenario: {row['scenario']}\nOperator line: \"{row['text']}\"\n"
                       "Rewrite the line so it complies with lending rules. Answer with the rewritten line only.",
                       reference, eval_fraction, scenario=row["scenario"])


def suggest_items(eval_fraction: float) -> Iterator[dict]:
    """(call context, planned answer and its facts) -> a reply that carries every fact: the prompt generation
    sends the model when it words a planned answer (the planned-reply template), the target a faithful wording
    (the knowledge item's own lines). The facts are the item's figures, which the reply must keep exactly."""
    from services.generation.prompts import planned_reply

    kb = _kb()
    queries = yaml.safe_load((DATA / "knowledge" / "queries.yaml").read_text())["queries"]
    for query in queries:
        relevant = [kb[r] for r in query["relevant"] if r in kb]
        if not relevant:
            continue
        planned = _first_sentences(relevant[0]["text"], 2)
        facts = list(dict.fromkeys(_FIGURE.findall(planned)))
        prompt = planned_reply(query["scenario"], query["text"], planned, facts)
        yield item("suggest", "instruction", "suggest:" + query["text"], prompt.messages[1]["content"], planned,
                   eval_fraction, scenario=query["scenario"], facts=facts, system=prompt.messages[0]["content"])


def summary_items(shared: Path) -> Iterator[dict]:
    """Bundled calls (evaluation) and the ABCD sample (training), each with a written reference."""
    from seatcopilot_models.summaries import REFERENCES, abcd_examples, call_examples

    references = yaml.safe_load(REFERENCES.read_text())
    examples = [(row, "eval") for row in call_examples(DATA / "calls", references["calls"])]
    abcd = shared / "abcd" / "abcd_sample.json"
    if abcd.exists():
        examples += [(row, "train") for row in abcd_examples(abcd, references["abcd"])]
    for row, split in examples:
        entry = item("summary", "instruction", row["id"],
                     f"Call transcript:\n{row['dialogue']}\nSummarize the call in three sentences for the next "
                     "operator: what the customer wanted and what was agreed.", row["summary"], 0.0)
        entry["split"] = split
        yield entry


def _first_sentences(text: str, count: int) -> str:
    return " ".join(re.split(r"(?<=[.!?])\s+", text.strip())[:count])


def domain_documents() -> Iterator[tuple[str, str, str]]:
    """(id, text, source) of the internal documents stage 1 reads: knowledge items and policy guidance."""
    for entry in _kb().values():
        yield entry["id"], f"{entry['title']}. {entry['text']}", "data/knowledge/kb.yaml"
    from seatcopilot_models.policy_check import TENANT, engine

    for rule in engine().policies[TENANT].rules:
        guidance = " ".join(p for p in (rule.citation, rule.fix, rule.rewrite) if p)
        yield f"rule:{rule.id}", guidance, "data/policies/harbor"


def build_items(shared: Path, eval_fraction: float, generic_limit: int, seed: int) -> list[dict]:
    items = [*intent_items(eval_fraction), *reading_items(eval_fraction, seed), *rewrite_items(eval_fraction),
             *suggest_items(eval_fraction), *summary_items(shared), *generic_intent_items(shared, generic_limit, seed)]
    for entry in items:
        entry["stage"], entry["level"] = TASKS[entry["task"]]
    return items
