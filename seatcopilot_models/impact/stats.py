"""The impact estimate: per-operator indicator values (the operator is the unit of randomization),
difference of arm means with a percentile bootstrap interval over operators, optionally adjusted
by each operator's pre-period value (CUPED: y - θ·(x - x̄), θ re-estimated in every resample)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from seatcopilot.experiments import ARM_OFF, Experiment, tenure_band

from services.indicators.definitions import Indicator
from services.indicators.logic import Increment

PRE, POST = "pre", "post"


@dataclass(frozen=True)
class Estimate:
    difference: float
    low: float
    high: float
    control_mean: float
    treated: int
    control: int

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


OperatorSums = dict[tuple[str, str], dict[str, float]]
"""(operator_id, period) → summed counters."""


def starts_at(experiment: Experiment) -> float:
    return datetime.fromisoformat(experiment.design.starts_at).timestamp()


def operator_sums(increments: list[Increment], experiment: Experiment) -> OperatorSums:
    """Experiment-period increments recorded under another arm than the assigned one (a late outcome of
    a pre-period call, an operator moved between experiments) are left out: exposure decides."""
    start = starts_at(experiment)
    sums: OperatorSums = defaultdict(lambda: defaultdict(float))
    for increment in increments:
        operator_id = increment.who.operator_id
        if operator_id not in experiment.arms:
            continue
        if increment.ts >= start and increment.who.arm != experiment.arm(operator_id):
            continue
        counters = sums[(increment.who.operator_id, POST if increment.ts >= start else PRE)]
        for name, value in increment.counters.items():
            counters[name] += value
    return sums


def exposure_mismatches(increments: list[Increment], experiment: Experiment) -> int:
    """Experiment-period increments whose recorded arm is not the operator's assigned arm."""
    start = starts_at(experiment)
    return sum(1 for i in increments if i.ts >= start and i.who.operator_id in experiment.arms
               and i.who.arm != experiment.arm(i.who.operator_id))


def values_by_arm(sums: OperatorSums, experiment: Experiment, indicator: Indicator, arm: str,
                  band: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Per-operator (post, pre) values for one arm; pre is NaN where the operator has none."""
    post, pre = [], []
    for operator_id, operator_arm in sorted(experiment.arms.items()):
        if operator_arm != arm:
            continue
        if band and tenure_band(experiment.operators[operator_id].tenure_months) != band:
            continue
        value = indicator.value(sums.get((operator_id, POST), {}))
        if value is None:
            continue
        before = indicator.value(sums.get((operator_id, PRE), {}))
        post.append(value)
        pre.append(np.nan if before is None else before)
    return np.array(post), np.array(pre)


def _adjusted_difference(y_t: np.ndarray, x_t: np.ndarray, y_c: np.ndarray, x_c: np.ndarray) -> np.ndarray:
    """Rows are resamples; columns operators. The x̄ terms cancel in the difference."""
    x = np.concatenate([x_t, x_c], axis=-1)
    y = np.concatenate([y_t, y_c], axis=-1)
    x_centered = x - x.mean(axis=-1, keepdims=True)
    variance = (x_centered ** 2).mean(axis=-1)
    covariance = (x_centered * (y - y.mean(axis=-1, keepdims=True))).mean(axis=-1)
    theta = np.divide(covariance, variance, out=np.zeros_like(variance), where=variance > 0)
    return (y_t.mean(axis=-1) - y_c.mean(axis=-1)) - theta * (x_t.mean(axis=-1) - x_c.mean(axis=-1))


def estimate(y_t: np.ndarray, y_c: np.ndarray, x_t: np.ndarray | None = None, x_c: np.ndarray | None = None,
             resamples: int = 2000, level: float = 0.95, seed: int = 0) -> Estimate | None:
    """None when an arm has fewer than two operators with a value."""
    if len(y_t) < 2 or len(y_c) < 2:
        return None
    if x_t is None or x_c is None:
        x_t, x_c = np.zeros_like(y_t), np.zeros_like(y_c)
    else:  # operators without a pre-period value are not adjusted
        fill = np.nanmean(np.concatenate([x_t, x_c])) if np.isfinite(np.concatenate([x_t, x_c])).any() else 0.0
        x_t, x_c = np.where(np.isnan(x_t), fill, x_t), np.where(np.isnan(x_c), fill, x_c)
    rng = np.random.default_rng(seed)
    pick_t = rng.integers(0, len(y_t), size=(resamples, len(y_t)))
    pick_c = rng.integers(0, len(y_c), size=(resamples, len(y_c)))
    draws = _adjusted_difference(y_t[pick_t], x_t[pick_t], y_c[pick_c], x_c[pick_c])
    point = float(_adjusted_difference(y_t[None], x_t[None], y_c[None], x_c[None])[0])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Estimate(point, float(low), float(high), float(y_c.mean()), len(y_t), len(y_c))


def compare(sums: OperatorSums, experiment: Experiment, indicator: Indicator, arm: str, *, cuped: bool,
            band: str = "", resamples: int = 2000, seed: int = 0) -> Estimate | None:
    """Treatment arm `arm` against the holdout, for one indicator (and tenure band)."""
    y_t, x_t = values_by_arm(sums, experiment, indicator, arm, band)
    y_c, x_c = values_by_arm(sums, experiment, indicator, ARM_OFF, band)
    if cuped:
        return estimate(y_t, y_c, x_t, x_c, resamples=resamples, seed=seed)
    return estimate(y_t, y_c, resamples=resamples, seed=seed)


def guardrail_status(indicator: Indicator, result: Estimate | None) -> str:
    """'fail' when the whole interval is on the worse side, 'watch' when only the estimate is."""
    if result is None:
        return "no data"
    worse = (lambda v: v < 0) if indicator.direction == "higher_is_better" else (lambda v: v > 0)
    if worse(result.low) and worse(result.high):
        return "fail"
    return "watch" if worse(result.difference) else "ok"
