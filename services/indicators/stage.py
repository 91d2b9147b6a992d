"""The indicators stage: the engine, its window store and where increments are exported."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from seatcopilot.contracts.indicators.v1 import indicators_pb2 as ind
from seatcopilot.policy import load_policy

from services.indicators.config import IndicatorsConfig
from services.indicators.definitions import check_definitions
from services.indicators.logic import Increment, IndicatorEngine, MemoryWindows, WindowStore, snapshots


@dataclass
class IndicatorsStage:
    config: IndicatorsConfig
    engine: IndicatorEngine
    store: WindowStore

    @classmethod
    def build(cls, config: IndicatorsConfig) -> IndicatorsStage:
        check_definitions()
        obligations = {o.id for o in load_policy(config.policy_path).obligations}
        return cls(config, IndicatorEngine(obligations, config.max_calls),
                   MemoryWindows(config.window_s, config.keep_windows))

    def record(self, increment: Increment | None) -> Increment | None:
        if increment is None or not increment.counters:
            return None
        self.store.add(increment)
        if self.config.export_path is not None:
            export(self.config.export_path, [increment])
        return increment

    def snapshots(self, tenant: str = "", team_id: str = "") -> list[ind.IndicatorSnapshot]:
        return snapshots(self.store, tenant, team_id)


def export(path: Path, increments: list[Increment]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        for increment in increments:
            out.write(json.dumps(increment.to_json(), sort_keys=True) + "\n")
