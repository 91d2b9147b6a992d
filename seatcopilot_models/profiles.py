"""Run profiles: `smoke` proves the whole chain on a CPU in minutes (a few dozen optimizer steps per
stage, small evaluation slices); `full` is for a GPU or a long CPU run. Every field can be overridden."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class StageSpec:
    steps: int
    lr: float


@dataclass(frozen=True)
class Profile:
    name: str
    stages: dict[str, StageSpec]
    batch_size: int = 4
    max_len: int = 192
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    # Adapt only the top N decoder layers (0: all): backpropagation then stops there, which is what
    # makes a CPU run take minutes instead of an hour.
    lora_layers: int = 0
    save_every: int = 10
    seed: int = 7
    # Stage 2 draws from the capability pools; stage 3 mixes in two phases.
    stage2_mix: dict[str, float] = field(default_factory=lambda: {"internal": 0.8, "generic": 0.2})
    phase1: dict[str, float] = field(default_factory=lambda: {"instruction": 0.4, "internal": 0.45, "generic": 0.15})
    phase2: dict[str, float] = field(default_factory=lambda: {"instruction": 0.6, "internal": 0.35, "generic": 0.05})
    phase_split: float = 0.5
    eval_per_task: int = 0  # 0: every held-out item
    judge_items: int = 0
    safety_items: int = 0
    replay_items: int = 0

    def with_overrides(self, **values) -> Profile:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


PROFILES = {
    "smoke": Profile("smoke", {"domain": StageSpec(4, 1e-3), "capability": StageSpec(16, 1e-3),
                               "task": StageSpec(16, 1e-3)}, max_len=192, lora_layers=8, save_every=8,
                     eval_per_task=8, judge_items=1, safety_items=4, replay_items=3),
    "full": Profile("full", {"domain": StageSpec(200, 2e-4), "capability": StageSpec(600, 2e-4),
                             "task": StageSpec(600, 2e-4)}, batch_size=8, max_len=512, save_every=100),
}
STAGES = ("domain", "capability", "task")
