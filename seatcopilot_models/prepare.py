"""`seatcopilot data prepare`: raw sources → cleaned, de-duplicated, PII-masked dataset version.

Writes <out>/<version>/ with domain.jsonl (stage 1 text), train.jsonl (stage 2 and 3 instruction
items), eval.jsonl (held-out evaluation items) and the data card; <out>/LATEST names the version.
The version is a hash of the content, so unchanged inputs give the same version.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from seatcopilot.redaction import redact

from seatcopilot_models.clean import CleanRules, clean, clean_text
from seatcopilot_models.datacard import write_card
from seatcopilot_models.dedupe import dedupe
from seatcopilot_models.ingest import Document, read_sources
from seatcopilot_models.instructions import DATA, build_items, domain_documents
from seatcopilot_models.tokstats import token_stats, tokenizer_counter

LICENCES = {"data/": "Apache-2.0 (fictional, this project)", "banking77": "CC BY 4.0 (PolyAI)",
            "abcd": "MIT (ASAPP Research)", "dstc11": "CDLA-Permissive-2.0", "bitext": "see its LICENSE.txt",
            "clinc150": "CC BY 3.0", "sgd": "CC BY-SA 4.0"}


@dataclass
class PrepareConfig:
    out: Path
    shared: Path
    sources: list[Path] = field(default_factory=lambda: [DATA / "calls"])
    eval_fraction: float = 0.25
    generic_limit: int = 200
    near_threshold: float = 0.8
    seed: int = 7
    max_len: int = 256
    command: str = "seatcopilot data prepare"


def licence_of(path: str) -> str:
    return next((text for key, text in LICENCES.items() if key in path), "unknown: check before use")


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(DATA.parent))
    except ValueError:
        return path


def _mask(text: str, counts: Counter) -> str:
    masked = redact(text)
    counts.update(f.kind for f in masked.findings)
    return masked.text


def _domain(config: PrepareConfig, pii: Counter) -> tuple[list[Document], dict]:
    raw = read_sources(config.sources)
    raw += [Document(i, t, s, "document") for i, t, s in domain_documents()]
    kept, dropped = clean(raw, CleanRules())
    report = dedupe([d.text for d in kept], threshold=config.near_threshold, seed=config.seed)
    documents = [kept[i] for i in report.kept]
    documents = [Document(d.id, _mask(d.text, pii), d.source, d.kind) for d in documents]
    sources = Counter((_relative(d.source), d.kind) for d in raw)
    steps = {"read": len(raw), "cleaning_dropped": dropped, "exact_duplicates": report.exact_duplicates,
             "near_duplicates": report.near_duplicates, "near_threshold": config.near_threshold}
    return documents, {"steps": steps, "sources": sources}


def _items(config: PrepareConfig, pii: Counter) -> tuple[list[dict], dict]:
    items = build_items(config.shared, config.eval_fraction, config.generic_limit, config.seed)
    for entry in items:
        entry["prompt"], entry["target"] = clean_text(_mask(entry["prompt"], pii)), clean_text(entry["target"])
    # Near-duplicate inputs would leak between train and eval or overweight one phrasing: per task, keep
    # the first (the templates around the inputs are shared, so only the inputs are compared).
    kept, exact, near = [], 0, 0
    for task in sorted({e["task"] for e in items}):
        group = [e for e in items if e["task"] == task]
        report = dedupe([e["input"] for e in group], threshold=config.near_threshold, seed=config.seed)
        kept += [group[i] for i in report.kept]
        exact, near = exact + report.exact_duplicates, near + report.near_duplicates
    for entry in kept:
        del entry["input"]  # raw: the masked prompt holds it
    return kept, {"exact": exact, "near": near}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in rows), encoding="utf-8")


def prepare(config: PrepareConfig, tokenizer) -> Path:
    pii: Counter = Counter()
    documents, domain = _domain(config, pii)
    items, item_dupes = _items(config, pii)
    datasets = {
        "domain.jsonl": ([d.to_json() for d in documents], "stage 1: continued pretraining text"),
        "train.jsonl": ([e for e in items if e["split"] == "train"], "stages 2 and 3: instruction items"),
        "eval.jsonl": ([e for e in items if e["split"] == "eval"], "evaluation suites (held out)"),
    }
    content = json.dumps({name: rows for name, (rows, _) in datasets.items()}, sort_keys=True)
    version = hashlib.sha256(content.encode()).hexdigest()[:12]
    out = config.out / version
    out.mkdir(parents=True, exist_ok=True)
    count = tokenizer_counter(tokenizer)
    card_sets = {}
    for name, (rows, purpose) in datasets.items():
        _write_jsonl(out / name, rows)
        texts = [r["text"] if "text" in r else f"{r['prompt']}\n{r['target']}" for r in rows]
        card_sets[name] = {"purpose": purpose, "tokens": token_stats(texts, count, config.max_len),
                           "tasks": dict(Counter(r.get("task", r.get("kind")) for r in rows))}
    steps = domain["steps"] | {"pii_masked": dict(pii), "kept": len(documents),
                               "instruction_duplicates": item_dupes}
    steps["exact_duplicates"] += item_dupes["exact"]
    steps["near_duplicates"] += item_dupes["near"]
    sources = [{"path": path, "kind": kind, "documents": n, "licence": licence_of(path)}
               for (path, kind), n in sorted(domain["sources"].items())]
    sources += [{"path": f"instruction items: {task}", "kind": "instruction", "documents": n,
                 "licence": licence_of("banking77" if task == "generic_intent" else "data/")}
                for task, n in sorted(Counter(e["task"] for e in items).items())]
    write_card(out, {"name": "seatcopilot-modelkit", "version": version, "built_at": datetime.now(UTC).isoformat(
        timespec="seconds"), "command": config.command, "sources": sources, "processing": steps,
        "datasets": card_sets, "seed": config.seed, "eval_fraction": config.eval_fraction,
        "intended_use": "Building and judging a Seat Copilot model. Fictional internal data plus public sets under "
                        "their licences; PII masked with the intake redactor before anything is written."})
    (config.out / "LATEST").write_text(version + "\n")
    return out
