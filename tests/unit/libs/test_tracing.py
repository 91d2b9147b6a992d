"""One utterance is one trace: every stage's span continues the trace carried in the message headers
(the same headers Kafka carries; tests/integration/test_kafka_transport.py checks them on a broker)."""

import asyncio

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from seatcopilot import telemetry

from seatcopilot_cli.embedded import EmbeddedPipeline
from tests.helpers import PII_CANARIES, make_event

STAGES = ["intake", "classifier", "retrieval", "generation", "compliance", "summarizer"]


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    telemetry.setup_tracing("test")
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def test_one_customer_utterance_has_a_span_for_every_stage_in_one_trace(spans):
    async def scenario():
        pipeline = EmbeddedPipeline({"GENERATION_BACKEND": "scripted"})
        await pipeline.start()
        try:
            await pipeline.publish(make_event(call_id="call-trace", seq=1, text="What APR would I get? "
                                              "My email is jordan.miles@example.com"))
            await pipeline.drain()
        finally:
            await pipeline.stop()

    asyncio.run(scenario())
    finished = [s for s in spans.get_finished_spans() if s.attributes.get("seatcopilot.call_id") == "call-trace"]
    by_stage = {s.attributes["seatcopilot.stage"]: s for s in finished}
    assert set(STAGES) <= set(by_stage)
    assert len({s.context.trace_id for s in finished}) == 1
    assert by_stage["classifier"].parent.span_id == by_stage["intake"].context.span_id
    assert by_stage["compliance"].parent is not None
    for span in finished:
        attributes = " ".join(f"{k}={v}" for k, v in span.attributes.items())
        assert "text" not in " ".join(span.attributes)
        assert not any(canary in attributes for canary in (*PII_CANARIES, "jordan.miles@example.com"))
