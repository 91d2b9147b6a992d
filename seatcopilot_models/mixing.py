"""Data mixing at configurable ratios: how many items each pool gives (largest remainder, so the counts
add up exactly), drawn without replacement until a pool runs out, then again in a new order.
Two-phase mixing runs one mixture for the first part of the steps and another for the rest
(typically broad first, then weighted to the target task)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def parse_ratios(text: str) -> dict[str, float]:
    """'instruction=0.5,internal=0.3,generic=0.2' → a dict (not yet normalised)."""
    ratios = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        try:
            ratios[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"bad ratio {part!r}: expected name=number") from None
        if ratios[name.strip()] < 0:
            raise ValueError(f"bad ratio {part!r}: negative")
    return ratios


def allocate(ratios: Mapping[str, float], total: int) -> dict[str, int]:
    weight = sum(ratios.values())
    if weight <= 0:
        raise ValueError("the ratios add up to zero")
    exact = {name: total * value / weight for name, value in ratios.items()}
    counts = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda name: (counts[name] - exact[name], name))
    for name in by_remainder[:total - sum(counts.values())]:
        counts[name] += 1
    return counts


def draw(pool: Sequence[T], count: int, rng: random.Random) -> list[T]:
    """count items, each pass over the pool in a fresh order (no repeats before the pool is used up)."""
    drawn: list[T] = []
    while len(drawn) < count:
        order = list(pool)
        rng.shuffle(order)
        drawn += order[:count - len(drawn)]
    return drawn


def mix(pools: Mapping[str, Sequence[T]], ratios: Mapping[str, float], total: int, rng: random.Random) -> list[T]:
    usable = {name: value for name, value in ratios.items() if value > 0}
    missing = [name for name in usable if not pools.get(name)]
    if missing:
        raise ValueError(f"no items in pool(s) {', '.join(missing)} that the ratios ask for")
    mixed: list[T] = []
    for name, count in allocate(usable, total).items():
        mixed += draw(pools[name], count, rng)
    rng.shuffle(mixed)
    return mixed


def two_phase(pools: Mapping[str, Sequence[T]], phase1: Mapping[str, float], phase2: Mapping[str, float],
              total: int, seed: int, split: float = 0.5) -> list[T]:
    rng = random.Random(seed)
    first = round(total * split)
    return mix(pools, phase1, first, rng) + mix(pools, phase2, total - first, rng)
