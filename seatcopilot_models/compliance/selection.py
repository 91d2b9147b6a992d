"""Counting a detector's label decisions on a dev split at several thresholds: shared by the settings choice
(scripts/compliance_detector_select.py) and the fine-tuned head's probe (scripts/compliance_finetune_probe.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seatcopilot_models.compliance.detector import TrainingRow, gating_signals


def count_decisions(fit: list[TrainingRow], rows: Sequence[TrainingRow], labels: list[str], scores: np.ndarray,
                    counts: dict[float, list[int]]) -> None:
    """Adds each row's label decisions to counts[threshold] = [true positives, false positives, misses]. A label
    gated by signals counts only on rows said while they were active (as the engine scores it)."""
    for row, row_scores in zip(rows, scores, strict=True):
        for label, score in zip(labels, row_scores, strict=True):
            if not gating_signals(fit, label) <= row.active_signals:
                continue
            for threshold, tally in counts.items():
                found, expected = score >= threshold, label in row.labels
                tally[0] += found and expected
                tally[1] += found and not expected
                tally[2] += expected and not found
