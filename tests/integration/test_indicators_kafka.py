"""The indicators stage on a real Kafka 4 broker: sums in the windowed Faust table, snapshots out, and the
console's manager view fed from the snapshots topic."""

import asyncio
import time
import uuid

import pytest
from seatcopilot import codec, telemetry
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import ALERTS, TRANSCRIPT
from seatcopilot.transport.kafka import KafkaTransport

from services.console import kafka_adapter as console_adapter
from services.console.logic import ConsoleHub
from services.indicators import kafka_adapter
from services.indicators.config import IndicatorsConfig
from services.indicators.faust_windows import FaustWindows
from services.indicators.stage import IndicatorsStage
from tests.helpers import make_event
from tests.helpers.kafka import wait_for

pytestmark = pytest.mark.kafka


def test_indicators_sum_in_the_windowed_faust_table(bootstrap):
    team, call_id = f"team-{uuid.uuid4().hex[:8]}", f"call-{uuid.uuid4().hex[:8]}"

    def failures():
        return sum(s.value for m in telemetry.DEAD_LETTERS.collect() for s in m.samples
                   if s.name.endswith("_total") and s.labels["stage"] == "indicators")

    failed_before = failures()

    async def scenario():
        bus = KafkaTransport(f"test-indicators-{uuid.uuid4().hex[:8]}", bootstrap)
        stage = IndicatorsStage.build(IndicatorsConfig(publish_interval_s=3600))
        io = StageIO("indicators", bus)
        kafka_adapter.attach(io, stage)
        assert isinstance(stage.store, FaustWindows)
        hub, console = ConsoleHub(), KafkaTransport(f"test-console-{uuid.uuid4().hex[:8]}", bootstrap)
        console_adapter.attach(StageIO("console", console), hub)
        await console.start()
        await bus.start()
        try:
            now_ns = time.time_ns()
            for seq, (kind, at) in enumerate((("CALL_STARTED", 0), ("CALL_ENDED", 90)), start=1):
                event = make_event(call_id=call_id, seq=seq, type_=kind, speaker="OPERATOR", text="",
                                   scenario="SERVICE", team_id=team)
                event.ts.FromNanoseconds(now_ns + at * 10**9)
                await bus.publish(TRANSCRIPT.name, call_id, codec.encode(event))


            def handle_time():
                found = stage.snapshots(team_id=team)
                values = {v.name: v for v in found[0].values} if found else {}
                return values.get("service.handle_time")

            def violations():
                found = stage.snapshots(team_id=team)
                return {v.name: v for v in found[0].values}["compliance.violations_per_100_calls"] if found else None

            # A new consumer group reads every topic from the start: in the suite, behind what the earlier
            # Kafka and end-to-end tests published, on a machine that may be busy.
            await wait_for(lambda: handle_time() is not None and handle_time().defined, timeout=300)
            # As in the pipeline, the alert follows the event that raised it (compliance reads the
            # transcript first); read before the call, it would sit in the wall clock's window instead.
            alert = cp.Alert(call=ev.CallRef(call_id=call_id, seq=2, tenant="harbor", team_id=team),
                             rule_ids=["UDAAP-NO-FEES"])
            await bus.publish(ALERTS.name, call_id, codec.encode(alert))
            await wait_for(lambda: violations().value > 0, timeout=120)
            await kafka_adapter.publish_snapshots(io, stage)  # what the publish loop does every interval

            def shown():
                current = {v["name"]: v for v in hub.indicators_for("harbor", team)["current"]}
                return current.get("service.handle_time", {}).get("value")

            await wait_for(lambda: shown() is not None, timeout=60)
            return handle_time(), shown()
        finally:
            await bus.stop()
            await console.stop()

    value, shown = asyncio.run(scenario())
    assert value.value == pytest.approx(90) and value.denominator == 1
    assert shown == pytest.approx(90)  # the manager view shows the service's value
    assert failures() == failed_before  # the changelogs existed before the first write
