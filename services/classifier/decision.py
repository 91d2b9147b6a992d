"""From class probabilities to a label: `unknown` rather than a confident wrong label."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from services.classifier.taxonomy import UNKNOWN, IntentInfo


def decide(probs: np.ndarray, labels: list[str], intents: Mapping[str, IntentInfo], scenario: str,
           min_confidence: float) -> tuple[str, float]:
    """(intent, confidence). With a scenario, intents of other scenarios are out of the running; their
    probability is not handed to the others (no renormalising), so a masked-out best guess lowers confidence."""
    allowed = np.array([label == UNKNOWN or label not in intents or intents[label].allowed_in(scenario)
                        for label in labels])
    masked = np.where(allowed, probs, -1.0)
    best = int(masked.argmax())
    confidence = float(probs[best])
    if labels[best] == UNKNOWN or confidence < min_confidence:
        return UNKNOWN, confidence
    return labels[best], confidence
