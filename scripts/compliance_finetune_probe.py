"""Measures a fine-tuned MiniLM multi-label head against the learned compliance detector on the dev split that
scripts/compliance_detector_select.py carves from the training lines by paraphrase group (the held-out file
is never read here). One encoder is fine-tuned with a linear head per speaker (operator rules and obligations;
customer signals), with a gated label's loss taken only on the rows that teach it (detector.used_for). Prints
label-level recall and precision per threshold for the logistic regression, the fine-tuned head, and their
average.

    .venv/bin/python scripts/compliance_finetune_probe.py [--epochs 4] [--rate 5e-5] [--layers 6]

--layers: how many of MiniLM's six layers are fine-tuned (the top ones; the rest and the token embeddings stay
frozen), which cuts the backward pass.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import torch
from seatcopilot.encoder import encoder_path, shared_encoder
from seatcopilot.policy import DEFAULT_POLICY, load_policy
from sklearn.model_selection import GroupShuffleSplit

from seatcopilot_models.compliance.detector import (
    TrainingRow,
    pack_rows,
    train,
    training_rows,
    used_for,
)
from seatcopilot_models.compliance.selection import count_decisions
from services.compliance.learned import CUSTOMER, OPERATOR, DetectorSettings

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


class Tuned(torch.nn.Module):
    """MiniLM, mean-pooled and normalised as the shared encoder is, with one linear head per speaker."""

    def __init__(self, sizes: dict[str, int], layers: int = 6) -> None:
        super().__init__()
        from transformers import AutoModel

        self.encoder = AutoModel.from_pretrained(str(encoder_path()))
        frozen = len(self.encoder.encoder.layer) - layers
        for module in [self.encoder.embeddings, *self.encoder.encoder.layer[:frozen]]:
            module.requires_grad_(False)
        self.heads = torch.nn.ModuleDict({s: torch.nn.Linear(384, n) for s, n in sizes.items()})

    def forward(self, batch: dict[str, torch.Tensor], speaker: str) -> torch.Tensor:
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)
        return self.heads[speaker](pooled * 10.0)  # scaled: unit vectors give the head tiny logits otherwise


def targets(rows: list[TrainingRow], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(rows × labels) targets and loss masks: a gated label learns only from the rows used_for allows."""
    y = np.array([[label in row.labels for label in labels] for row in rows], dtype=np.float32)
    m = np.stack([used_for(rows, label) for label in labels], axis=1).astype(np.float32)
    return y, m


def fine_tune(rows: list[TrainingRow], epochs: int, rate: float, layers: int = 6,
              seed: int = 7) -> tuple[Tuned, dict[str, list[str]]]:
    from transformers import AutoTokenizer

    torch.manual_seed(seed)
    random.seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_path()))
    by_speaker = {s: [r for r in rows if r.speaker == s] for s in (OPERATOR, CUSTOMER)}
    labels = {s: sorted({label for r in chosen for label in r.labels}) for s, chosen in by_speaker.items()}
    model = Tuned({s: len(v) for s, v in labels.items()}, layers)
    data = {s: targets(by_speaker[s], labels[s]) for s in by_speaker}
    # positives weighted by their rarity (as class_weight="balanced" does for the regression), at most 30 times
    weights = {s: torch.tensor(np.clip((1 - y.mean(0)) / np.maximum(y.mean(0), 1e-3), 1, 30))
               for s, (y, _) in data.items()}
    trainable = [p for p in model.encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": trainable, "lr": rate},
                                   {"params": model.heads.parameters(), "lr": 2e-3}], weight_decay=0.01)
    batches = [(s, i) for s in by_speaker for i in range(0, len(by_speaker[s]), 16)]
    model.train()
    started = time.perf_counter()
    for epoch in range(epochs):
        order = {s: random.sample(range(len(by_speaker[s])), len(by_speaker[s])) for s in by_speaker}
        random.shuffle(batches)
        total = 0.0
        for speaker, start in batches:
            index = order[speaker][start:start + 16]
            batch = tokenizer([by_speaker[speaker][i].text for i in index], padding=True, truncation=True,
                              max_length=128, return_tensors="pt")
            y, m = (torch.tensor(a[index]) for a in data[speaker])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(dict(batch), speaker), y, pos_weight=weights[speaker], reduction="none")
            loss = (loss * m).sum() / m.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
        print(f"epoch {epoch + 1}: loss {total / len(batches):.4f} ({time.perf_counter() - started:.0f} s)", flush=True)
    return model.eval(), labels


def tuned_scores(model: Tuned, speaker: str, texts: list[str]) -> np.ndarray:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(encoder_path()))
    with torch.inference_mode():
        batch = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        return torch.sigmoid(model(dict(batch), speaker)).numpy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rate", type=float, default=5e-5)
    parser.add_argument("--layers", type=int, default=6)
    args = parser.parse_args()
    torch.set_num_threads(2)
    written, pack = training_rows(), pack_rows(load_policy(DEFAULT_POLICY))
    fit_index, dev_index = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=7).split(
        written, groups=[r.group for r in written]))
    fit, dev = [written[i] for i in fit_index] + pack, [written[i] for i in dev_index]
    vectors = dict(zip([r.text for r in fit + dev], shared_encoder().encode([r.text for r in fit + dev]), strict=True))
    lr = train(fit, lambda texts: np.stack([vectors[t] for t in texts]), DetectorSettings())
    started = time.perf_counter()
    tuned, labels = fine_tune(fit, args.epochs, args.rate, args.layers)
    print(f"fine-tuned in {time.perf_counter() - started:.0f} s on {len(fit)} rows")
    variants: dict[str, dict[float, list[int]]] = {v: {t: [0, 0, 0] for t in THRESHOLDS}
                                                   for v in ("lr", "tuned", "mean")}
    for speaker, speaker_model in lr.speakers.items():
        chosen = [r for r in dev if r.speaker == speaker]
        texts = [r.text for r in chosen]
        base = speaker_model.scores(np.stack([vectors[t] for t in texts]), texts)
        raw = tuned_scores(tuned, speaker, texts)
        columns = [labels[speaker].index(label) for label in speaker_model.labels]
        mine = raw[:, columns]
        for name, scores in (("lr", base), ("tuned", mine), ("mean", (base + mine) / 2)):
            count_decisions(fit, chosen, speaker_model.labels, scores, variants[name])
    for name, counts in variants.items():
        for threshold, (tp, fp, fn) in counts.items():
            print(f"{name:<6} threshold={threshold}: recall={tp / max(tp + fn, 1):.3f} "
                  f"precision={tp / max(tp + fp, 1):.3f} (tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
