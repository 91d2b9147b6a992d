"""Chooses the learned compliance detector's settings on a dev split carved from the training lines
by paraphrase group (the held-out file is never read here). Prints micro recall and precision per
candidate; the chosen settings are DetectorSettings' defaults in services/compliance/learned.py.

    .venv/bin/python scripts/compliance_detector_select.py [--by-speaker]

--by-speaker trains only the default settings and prints the figures per speaker model (operator rules and
obligations; customer signals), to choose a speaker's own threshold.
--pipeline trains only the default settings and judges the dev rows with the whole engine (phrases, patterns,
the embedding matcher and the detector), as `seatcopilot compliance evaluate` does, per threshold, with the
embedding matcher on and off; with --errors, the default threshold only and the dev rows it gets wrong.
--voices trains each candidate on every training line and judges the second dev set, written in other voices and
never trained on (data/compliance/detector/dev_voices.jsonl), with the whole engine per threshold.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from seatcopilot.encoder import shared_encoder
from seatcopilot.policy import DEFAULT_POLICY, load_policies, load_policy
from sklearn.model_selection import GroupShuffleSplit

from seatcopilot_models.compliance.detector import TRAIN_FILE, TrainingRow, pack_rows, train, training_rows
from seatcopilot_models.compliance.evaluate import Labelled, evaluate, load_labelled, render
from seatcopilot_models.compliance.selection import count_decisions
from services.compliance.learned import DetectorSettings, LearnedModel
from services.compliance.logic import ComplianceEngine
from services.compliance.semantic import ExampleCache

CANDIDATES = [DetectorSettings(features="embedding", regularisation=4.0),
              DetectorSettings(features="embedding+ngrams", regularisation=1.0),
              DetectorSettings(features="embedding+ngrams", regularisation=4.0),
              DetectorSettings(features="embedding+ngrams", regularisation=16.0),
              DetectorSettings(features="embedding+ngrams", regularisation=16.0, calibration_folds=0)]
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
VOICES_FILE = TRAIN_FILE.with_name("dev_voices.jsonl")


def main() -> None:
    written, pack = training_rows(), pack_rows(load_policy(DEFAULT_POLICY))
    rows = written + pack
    vectors = dict(zip([r.text for r in rows], shared_encoder().encode([r.text for r in rows]), strict=True))

    def embed(texts: list[str]) -> np.ndarray:
        return np.stack([vectors[t] for t in texts])

    if "--voices" in sys.argv:
        voices(rows, embed)
        return
    fit_index, dev_index = next(GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=7).split(
        written, groups=[r.group for r in written]))
    # The dev rows are written lines only; the pack's examples always train.
    fit_rows, dev_rows = [written[i] for i in fit_index] + pack, [written[i] for i in dev_index]
    print(f"fit {len(fit_rows)} rows, dev {len(dev_rows)} rows")
    if "--pipeline" in sys.argv:
        pipeline(train(fit_rows, embed, DetectorSettings()), sorted(dev_index))
        return
    by_speaker = "--by-speaker" in sys.argv
    for settings in [DetectorSettings()] if by_speaker else CANDIDATES:
        model = train(fit_rows, embed, settings)
        counts = {t: [0, 0, 0] for t in THRESHOLDS}  # tp, fp, fn
        for speaker, speaker_model in model.speakers.items():
            if by_speaker:
                counts = {t: [0, 0, 0] for t in THRESHOLDS}
            chosen = [r for r in dev_rows if r.speaker == speaker]
            scores = speaker_model.scores(embed([r.text for r in chosen]), [r.text for r in chosen])
            count_decisions(fit_rows, chosen, speaker_model.labels, scores, counts)
            if by_speaker:
                report(speaker, counts)
        if not by_speaker:
            report(f"{settings.features:<17} C={settings.regularisation:<5} ngram_weight={settings.ngram_weight:<4}",
                   counts)


def pipeline(model: LearnedModel, dev_index: list[int]) -> None:
    """The dev rows judged by the whole engine with the model trained without them."""
    labelled = load_labelled(TRAIN_FILE)  # the same rows, in the same order, as training_rows()
    dev = [labelled[i] for i in dev_index]
    errors = "--errors" in sys.argv  # the default settings only, with the dev rows' errors
    for threshold in [model.settings.threshold] if errors else THRESHOLDS:
        for semantic in (True,) if errors else (True, False):
            print(f"threshold={threshold} semantic={'on' if semantic else 'off'}")
            print("\n".join("  " + line for line in judged(model, dev, threshold, semantic, errors)))


def voices(rows: list[TrainingRow], embed: Callable[[list[str]], np.ndarray]) -> None:
    """Each candidate fitted on every training line, judged on the dev set in other voices."""
    dev = load_labelled(VOICES_FILE)
    for settings in CANDIDATES:
        model = train(rows, embed, settings)
        for threshold in THRESHOLDS:
            lines = judged(model, dev, threshold, semantic=True)
            given = next(line for line in lines if "obligations given" in line).strip()
            print(f"{settings.features:<17} C={settings.regularisation:<5} calibrated={settings.calibration_folds > 0}"
                  f" threshold={threshold}: {lines[-1]} | {given}", flush=True)


@lru_cache(maxsize=1)
def sentence_vectors() -> Callable[[list[str]], np.ndarray]:
    """One sentence cache for every engine judged here: the dev sentences are encoded once."""
    return ExampleCache(shared_encoder().encode).vectors


def judged(model: LearnedModel, dev: list[Labelled], threshold: float, semantic: bool,
           errors: bool = False) -> list[str]:
    """The evaluate command's lines for these rows, the whole engine with the model at this threshold."""
    tuned = dataclasses.replace(model, settings=dataclasses.replace(model.settings, threshold=threshold))
    engine = ComplianceEngine(load_policies(), sentence_vectors(), learned=tuned, semantic=semantic)
    return render(evaluate(engine, dev, "harbor"), show_errors=errors)


def report(name: str, counts: dict[float, list[int]]) -> None:
    for threshold, (tp, fp, fn) in counts.items():
        print(f"{name} threshold={threshold}: recall={tp / max(tp + fn, 1):.3f} precision={tp / max(tp + fp, 1):.3f}"
              f" (tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
