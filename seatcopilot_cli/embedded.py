"""The embedded mode: every stage (and the indicators) in one process on the in-process transport.

The same stage logic and the same Kafka adapters as the distributed mode; only the transport
(in-process instead of Kafka), the knowledge store (embedded graph instead of Neo4j) and the model
backend (local model instead of Triton) differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from seatcopilot import codec
from seatcopilot.config import CommonConfig, embedded_environ, load
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.threads import limit_blas_threads
from seatcopilot.topics import CALL_EVENTS
from seatcopilot.transport import InProcessTransport

from services.classifier import kafka_adapter as classifier_adapter
from services.classifier import main as classifier_main
from services.classifier.config import ClassifierConfig
from services.compliance import kafka_adapter as compliance_adapter
from services.compliance import main as compliance_main
from services.compliance.config import ComplianceConfig
from services.generation import kafka_adapter as generation_adapter
from services.generation import main as generation_main
from services.generation.config import GenerationConfig
from services.indicators import kafka_adapter as indicators_adapter
from services.indicators import main as indicators_main
from services.indicators.config import IndicatorsConfig
from services.intake import kafka_adapter as intake_adapter
from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from services.intake.tenants import load_tenants
from services.retrieval import kafka_adapter as retrieval_adapter
from services.retrieval import main as retrieval_main
from services.retrieval.config import RetrievalConfig
from services.summarizer import kafka_adapter as summarizer_adapter
from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig


class EmbeddedPipeline:
    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        environ = embedded_environ(overrides)
        limit_blas_threads(load(CommonConfig, environ).blas_threads)
        self.bus = InProcessTransport()
        self.background: list[Background] = []
        self.generation_config = load(GenerationConfig, environ)
        self.stages: dict[str, Any] = {
            "intake": IntakeStage(intake := load(IntakeConfig, environ), load_tenants(intake.tenants_file, environ)),
            "classifier": classifier_main.build(load(ClassifierConfig, environ),
                                                self.bus.table(classifier_main.STATE_TABLE)),
            "retrieval": retrieval_main.build(load(RetrievalConfig, environ)),
            "generation": generation_main.build(self.generation_config),
            "compliance": compliance_main.build(load(ComplianceConfig, environ)),
            "summarizer": summarizer_main.build(load(SummarizerConfig, environ),
                                                self.bus.table(summarizer_main.STATE_TABLE)),
            "indicators": indicators_main.build(load(IndicatorsConfig, environ)),
        }
        adapters = {
            "intake": intake_adapter, "classifier": classifier_adapter, "retrieval": retrieval_adapter,
            "generation": generation_adapter, "compliance": compliance_adapter, "summarizer": summarizer_adapter,
            "indicators": indicators_adapter,
        }
        for name, adapter in adapters.items():
            self.attach(name, adapter, self.stages[name])
        self._tasks: list[asyncio.Task[None]] = []

    def attach(self, name: str, adapter: ModuleType, stage: object) -> None:
        """Adds a consumer (a stage, or the console) to the bus; call before start()."""
        self.background.extend(adapter.attach(StageIO(name, self.bus), stage))

    async def start(self) -> None:
        await self.bus.start()
        self._tasks = [asyncio.create_task(job()) for job in self.background]

    async def publish(self, event: ev.CallEvent) -> None:
        """What a platform does: put a raw call event on intake's input."""
        await self.bus.publish(CALL_EVENTS.name, event.call_id, codec.encode(event))

    async def drain(self) -> None:
        """Waits until every stage has finished with everything published so far."""
        await self.bus.join()

    async def stop(self, drain_timeout_s: float | None = None) -> None:
        await self.bus.stop(drain_timeout_s)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
