"""Classifier settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load

DEFAULT_SEEDS = Path(__file__).resolve().parents[2] / "data" / "intents" / "seed.yaml"


@dataclass(frozen=True)
class ClassifierConfig:
    seeds_path: Path = env("CLASSIFIER_SEEDS", default=DEFAULT_SEEDS, help="labelled intent examples (YAML)")
    min_similarity: float = env("CLASSIFIER_MIN_SIMILARITY", default=0.45, minimum=0,
                                help="below this nearest-example similarity the intent is unknown")
    min_confidence: float = env("CLASSIFIER_MIN_CONFIDENCE", default=0.30, minimum=0)


def load_config() -> tuple[CommonConfig, ClassifierConfig]:
    return load(CommonConfig), load(ClassifierConfig)
