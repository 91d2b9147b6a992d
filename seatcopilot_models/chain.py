"""The whole chain in one call: data prepare → three stages → export → evaluation of the base and the
trained model on the same held-out items → comparison report with the regression gate."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seatcopilot_models.profiles import STAGES, Profile


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def run(self, name: str) -> Path:
        return self.root / "runs" / name

    def export(self, name: str) -> Path:
        return self.root / "export" / name

    def eval(self, name: str) -> Path:
        return self.root / "eval" / name


def latest(data_root: Path) -> Path:
    marker = data_root / "LATEST"
    if not marker.exists():
        raise FileNotFoundError(f"no prepared data under {data_root}: run `seatcopilot data prepare` first")
    return data_root / marker.read_text().strip()


def base_model() -> Path:
    from seatcopilot.local_model import build_local_model

    return build_local_model()


def tokenizer_of(model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_dir))


def run_chain(root: Path, profile: Profile, shared: Path, name: str = "", suite: str = "all",
              judge: str = "local", progress: bool = True) -> tuple[Path, bool, dict[str, float]]:
    """Returns the comparison report, whether the gate passed, and each step's seconds."""
    from seatcopilot_models.evaluation.harness import evaluate
    from seatcopilot_models.evaluation.report import write_comparison
    from seatcopilot_models.export import export
    from seatcopilot_models.prepare import PrepareConfig, prepare
    from seatcopilot_models.train import train

    layout, base, timings = Layout(root), base_model(), {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        timings[step] = round(time.perf_counter() - clock, 1)
        clock = time.perf_counter()

    data = prepare(PrepareConfig(out=layout.data, shared=shared, seed=profile.seed, max_len=profile.max_len,
                                 command=f"seatcopilot modelkit chain --profile {profile.name}"), tokenizer_of(base))
    lap("prepare")
    name = name or f"{profile.name}-{data.name}-s{profile.seed}"
    adapter = train(data, base, layout.run(name), profile, STAGES, progress)
    lap("train")
    weights = export(base, adapter, layout.export(name), manifest={"data_version": data.name, "profile": profile.name})
    lap("export")
    options: dict[str, Any] = dict(limit=profile.eval_per_task, judge=judge, judge_items=profile.judge_items,
                   safety_items=profile.safety_items, replay_items=profile.replay_items)
    out = layout.eval(name)
    baseline = evaluate("base", base, data, suite, out, **options)
    lap("eval_base")
    candidate = evaluate("trained", weights, data, suite, out, **options)
    lap("eval_trained")
    report, passed = write_comparison(out, baseline, candidate, layout.run(name))
    return report, passed, timings
