"""The suites and what each measures.

| suite        | level        | items                                   | metrics                                   |
|--------------|--------------|-----------------------------------------|-------------------------------------------|
| basic        | basic        | intent, next_task (held-out seeds)      | strict accuracy, macro F1, lenient acc.   |
| advanced     | advanced     | reading (3 passages), rewrite           | accuracy; violation-free, ROUGE-L, EM     |
| task         | basic+adv.   | both of the above: the headline suite   | task_score = mean of the four scores      |
| professional | professional | suggest, summary                        | judge score (rubric, 1-5), ROUGE-L        |
| safety       | —            | compliance, PII leakage, refusal        | safe rate per kind                        |
| latency      | —            | customer turns of the bundled calls     | p50/p95 ms per stage, by replay           |
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path

from seatcopilot_models.evaluation import metrics, safety
from seatcopilot_models.evaluation.generate import Generator
from seatcopilot_models.instructions import DATA, SYSTEM
from seatcopilot_models.policy_check import violations
from seatcopilot_models.train import read_jsonl

SUITES = {"basic": ("basic",), "advanced": ("advanced",), "task": ("basic", "advanced"),
          "professional": ("professional",), "safety": ("safety",), "latency": ("latency",),
          "all": ("basic", "advanced", "professional", "safety", "latency")}
MAX_NEW_TOKENS = {"intent": 8, "next_task": 6, "reading": 3, "rewrite": 40, "suggest": 48, "summary": 96}
REWRITE_CLOSE = 0.5  # ROUGE-L to the engine's rewrite at which a compliant rewrite also counts as faithful


def held_out(data_dir: Path, task: str, limit: int) -> list[dict]:
    """The task's held-out items in id order: ids are hashes, so a slice spreads over labels and sources."""
    items = sorted((e for e in read_jsonl(data_dir / "eval.jsonl") if e["task"] == task), key=lambda e: e["id"])
    return items[:limit] if limit else items


def _label_task(gen: Generator, items: list[dict], samples: list[dict]) -> dict:
    outputs = gen.generate(items, MAX_NEW_TOKENS[items[0]["task"]])
    strict = [metrics.as_label(o, e["labels"]) for o, e in zip(outputs, items, strict=True)]
    lenient = [metrics.mentioned_label(o, e["labels"]) for o, e in zip(outputs, items, strict=True)]
    gold = [e["target"] for e in items]
    samples += [{"id": e["id"], "task": e["task"], "prompt": e["prompt"], "output": o, "reference": e["target"]}
                for e, o in zip(items, outputs, strict=True)]
    return {"items": len(items), "accuracy": metrics.accuracy(strict, gold), "macro_f1": metrics.macro_f1(strict, gold),
            "lenient_accuracy": metrics.accuracy(lenient, gold)}


def _rewrite_task(gen: Generator, items: list[dict], samples: list[dict]) -> dict:
    outputs = gen.generate(items, MAX_NEW_TOKENS["rewrite"])
    rows = []
    for entry, output in zip(items, outputs, strict=True):
        clean = bool(output.strip()) and not violations(output, entry["scenario"])
        rouge = metrics.rouge_l(output, entry["target"])
        rows.append((clean, rouge, metrics.exact_match(output, entry["target"])))
        samples.append({"id": entry["id"], "task": "rewrite", "prompt": entry["prompt"], "output": output,
                        "reference": entry["target"], "violation_free": clean, "rouge_l": round(rouge, 3)})
    return {"items": len(items), "violation_free": statistics.fmean(r[0] for r in rows),
            "rouge_l": statistics.fmean(r[1] for r in rows), "exact_match": statistics.fmean(r[2] for r in rows),
            "accuracy": statistics.fmean(r[0] and r[1] >= REWRITE_CLOSE for r in rows)}


def run_basic(gen: Generator, ctx: dict) -> dict:
    return {task: _label_task(gen, held_out(ctx["data_dir"], task, ctx["limit"]), ctx["samples"])
            for task in ("intent", "next_task")}


def run_advanced(gen: Generator, ctx: dict) -> dict:
    return {"reading": _label_task(gen, held_out(ctx["data_dir"], "reading", ctx["limit"]), ctx["samples"]),
            "rewrite": _rewrite_task(gen, held_out(ctx["data_dir"], "rewrite", ctx["limit"]), ctx["samples"])}


def run_professional(gen: Generator, ctx: dict) -> dict:
    from seatcopilot_models.evaluation.judge import judge

    results = {}
    for task in ("suggest", "summary"):
        items = held_out(ctx["data_dir"], task, ctx["judge_items"])
        if not items:
            continue
        outputs = gen.generate(items, MAX_NEW_TOKENS[task], batch_size=2)
        rows = [{"id": e["id"], "task": task, "prompt": e["prompt"], "output": o, "reference": e["target"]}
                for e, o in zip(items, outputs, strict=True)]
        for row, (score, raw) in zip(rows, judge(rows, ctx["judge"]), strict=True):
            row.update(judge_score=score, judge_raw=raw, rouge_l=round(metrics.rouge_l(row["output"],
                                                                                        row["reference"]), 3))
        ctx["review"] += rows
        scored = [r["judge_score"] for r in rows if r["judge_score"] is not None]
        results[task] = {"items": len(rows), "judge_score": statistics.mean(scored) if scored else None,
                         "unscored": len(rows) - len(scored), "rouge_l": statistics.mean(r["rouge_l"] for r in rows)}
        with_facts = [(e["facts"], r["output"]) for e, r in zip(items, rows, strict=True) if e.get("facts")]
        if with_facts:  # a planned answer's wording is only used when it keeps every planned fact
            results[task]["facts_kept"] = statistics.fmean(
                all(f.lower() in output.lower() for f in facts) for facts, output in with_facts)
    return results


def run_safety(gen: Generator, ctx: dict) -> dict:
    items = safety.safety_items(ctx["safety_items"])
    outputs = gen.generate(items, 40)
    by_kind: dict[str, list[bool]] = {}
    for item, output in zip(items, outputs, strict=True):
        row = safety.score(item, output)
        by_kind.setdefault(item["kind"], []).append(row["safe"])
        ctx["samples"].append({"id": item["id"], "task": item["task"], "prompt": item["prompt"], "output": output,
                               **row})
    return {kind: {"items": len(flags), "safe_rate": sum(flags) / len(flags)} for kind, flags in by_kind.items()}


def replay_turns(limit: int) -> list[dict]:
    """The bundled calls' final customer turns, in call order, as suggestion requests."""
    turns = []
    for path in sorted((DATA / "calls").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            event = json.loads(line)
            if event["type"] == "UTTERANCE" and event["speaker"] == "CUSTOMER" and event["is_final"]:
                turns.append({"system": SYSTEM, "scenario": event["scenario"],
                              "prompt": f"Scenario: {event['scenario']}\nCustomer: \"{event['text']}\"\n"
                                        "Write the operator's next line."})
    return turns[:limit] if limit else turns


def run_latency(gen: Generator, ctx: dict) -> dict:
    import time

    stages: dict[str, list[float]] = {"tokenize_ms": [], "first_token_ms": [], "decode_ms": [], "compliance_ms": []}
    for turn in replay_turns(ctx["replay_items"]):
        output, timing = gen.timed(turn, 32)
        started = time.perf_counter()
        violations(output, turn["scenario"])
        timing["compliance_ms"] = (time.perf_counter() - started) * 1e3
        for stage in stages:
            stages[stage].append(timing[stage])
    return {stage: {"items": len(values), "p50": _percentile(values, 50), "p95": _percentile(values, 95)}
            for stage, values in stages.items() if values}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 1)


RUNNERS: dict[str, Callable[[Generator, dict], dict]] = {
    "basic": run_basic, "advanced": run_advanced, "professional": run_professional, "safety": run_safety,
    "latency": run_latency}


def task_score(results: dict) -> float | None:
    """The headline: mean strict accuracy over intent, next_task, reading and faithful compliant rewrites."""
    parts = [results.get(level, {}).get(task, {}).get("accuracy")
             for level, task in (("basic", "intent"), ("basic", "next_task"), ("advanced", "reading"),
                                 ("advanced", "rewrite"))]
    parts = [p for p in parts if p is not None]
    return sum(parts) / len(parts) if parts else None
