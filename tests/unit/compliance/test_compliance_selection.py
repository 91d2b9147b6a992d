"""Counting a detector's decisions on a dev split (the settings choice and the fine-tuned head's probe share it)."""

import numpy as np

from seatcopilot_models.compliance.detector import TrainingRow
from seatcopilot_models.compliance.selection import count_decisions


def row(text: str, labels: set[str], signals: set[str] = frozenset()) -> TrainingRow:
    return TrainingRow(text, "OPERATOR", frozenset(labels), frozenset(signals), text)


def test_decisions_are_counted_per_threshold_and_gated_labels_only_under_their_signal():
    fit = [row("you owe us", {"THIRD-PARTY-DEBT"}, {"THIRD-PARTY-ON-LINE"}), row("guaranteed", {"GUARANTEE"})]
    dev = [row("he owes us", {"THIRD-PARTY-DEBT"}, {"THIRD-PARTY-ON-LINE"}),
           row("you owe us", set()),  # no third party on the line: the gated label is not counted at all
           row("sure thing", set())]
    labels = ["THIRD-PARTY-DEBT", "GUARANTEE"]
    scores = np.array([[0.45, 0.1], [0.9, 0.2], [0.2, 0.6]])
    counts = {0.4: [0, 0, 0], 0.5: [0, 0, 0]}
    count_decisions(fit, dev, labels, scores, counts)
    assert counts[0.4] == [1, 1, 0]  # the third party's debt found; "sure thing" read as a guarantee
    assert counts[0.5] == [0, 1, 1]  # at 0.5 the debt is missed
