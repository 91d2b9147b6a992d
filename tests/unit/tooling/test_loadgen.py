"""The load generator's plan and bookkeeping, and the per-stage figures read from spans (no servers)."""

import itertools

import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from seatcopilot import codec
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from benchmarks import harness, loadgen
from benchmarks.faults import malformed_payloads
from tests.helpers import PII_CANARIES


def test_a_plan_keeps_each_calls_order_and_pacing_within_its_bound():
    planned = loadgen.plan(6, 40.0, "t1", stagger_s=5.0)
    calls = {p.event.call_id for p in planned}
    assert len(calls) == 6 and all(c.startswith("load-t1-") for c in calls)
    assert [p.at_s for p in planned] == sorted(p.at_s for p in planned)
    for call in calls:
        mine = [p for p in planned if p.event.call_id == call]
        assert [p.event.seq for p in mine] == sorted(p.event.seq for p in mine)
        assert mine[-1].at_s - mine[0].at_s <= 40.0
        assert 0.0 <= mine[0].at_s <= 5.0
    first = [p for p in planned if p.event.call_id == "load-t1-0000"]
    template = loadgen.bundled_calls()[0]
    gaps = [b.at_s - a.at_s for a, b in itertools.pairwise(first)]
    original = [(b.ts.ToSeconds() - a.ts.ToSeconds()) for a, b in itertools.pairwise(template)]
    assert gaps == pytest.approx(original[:len(gaps)])  # the bundled call's own rhythm
    assert len(loadgen.plan(6, 10.0, "t1")) < len(planned)


def test_canaries_are_seeded_once_per_call_in_a_customer_utterance():
    planned = loadgen.plan(3, 120.0, "t2", with_canaries=True)
    seeded = [p.event for p in planned if loadgen.CANARY_CARD in p.event.text]
    assert sorted(e.call_id for e in seeded) == [f"load-t2-{i:04d}" for i in range(3)]
    assert all(loadgen.expects_suggestion(e) for e in seeded)
    assert not any(loadgen.CANARY_CARD in p.event.text for p in loadgen.plan(3, 120.0, "t2"))


def test_calls_cut_short_are_ended_right_after_their_last_event():
    planned = loadgen.plan(2, 15.0, "t3")
    ends = loadgen.endings(planned)
    assert len(ends) == 2
    for end in ends:
        last = max(p.event.seq for p in planned if p.event.call_id == end.call_id)
        assert end.seq == last + 1 and end.type == ev.EVENT_TYPE_CALL_ENDED and not end.text


@pytest.mark.parametrize("bootstrap", ["10.0.0.5:9092", "kafka.example.com:9092", "127.0.0.1:9092,10.1.1.1:9092"])
def test_the_generator_refuses_a_kafka_off_this_machine(bootstrap):
    with pytest.raises(SystemExit):
        loadgen.require_loopback(bootstrap)
    loadgen.require_loopback("127.0.0.1:39092,localhost:9092")


def test_the_result_counts_lost_duplicated_and_unverdicted_suggestions():
    result = loadgen.LoadResult()
    result.sent_at = {("c", 1): 100.0, ("c", 3): 101.0, ("c", 5): 102.0, ("c", 7): 103.0}
    result.suggestions[("c", 1)] += [loadgen.Seen(100.5, "PASS", "TRITON"), loadgen.Seen(104.0, "PASS", "TRITON")]
    result.suggestions[("c", 3)].append(loadgen.Seen(102.0, "REWRITTEN", "SCRIPTED"))
    result.suggestions[("c", 5)].append(loadgen.Seen(140.0, "EXPIRED", "SCRIPTED"))
    result.suggestions[("x", 9)].append(loadgen.Seen(1.0, "UNSPECIFIED", "SCRIPTED"))
    assert result.lost() == [("c", 7)]
    assert result.duplicated() == 1
    assert result.without_verdict() == 1
    assert sorted(result.latencies()) == pytest.approx([0.5, 1.0])
    summary = result.summary()
    assert (summary["shown"], summary["expired"], summary["scripted"]) == (2, 1, 1)


def test_a_draft_in_parts_is_answered_by_its_whole_timed_by_its_first_part_and_not_a_duplicate():
    result = loadgen.LoadResult()
    result.sent_at = {("c", 1): 100.0, ("c", 3): 101.0}
    result.suggestions[("c", 1)] += [loadgen.Seen(100.4, "PASS", "TRITON", 1, True),
                                     loadgen.Seen(101.2, "PASS", "TRITON", 2, False)]
    result.suggestions[("c", 3)] += [loadgen.Seen(101.3, "PASS", "TRITON", 1, True),
                                     loadgen.Seen(101.4, "PASS", "TRITON", 1, True)]  # the same part twice
    assert result.lost() == [("c", 3)]  # a part alone does not answer the utterance
    assert result.duplicated() == 1
    assert sorted(result.latencies()) == pytest.approx([0.3, 0.4])


def _span(stage, topic, call_id, seq, start, end):
    attrs = [common_pb2.KeyValue(key="seatcopilot.stage", value=common_pb2.AnyValue(string_value=stage)),
             common_pb2.KeyValue(key="messaging.destination.name", value=common_pb2.AnyValue(string_value=topic)),
             common_pb2.KeyValue(key="seatcopilot.call_id", value=common_pb2.AnyValue(string_value=call_id)),
             common_pb2.KeyValue(key="seatcopilot.seq", value=common_pb2.AnyValue(int_value=seq))]
    return trace_pb2.Span(name=f"{stage} process", start_time_unix_nano=int(start * 1e9),
                          end_time_unix_nano=int(end * 1e9), attributes=attrs)


def test_per_stage_wait_and_busy_come_from_the_spans_of_one_utterance():
    spans = [_span(stage, topic, "c", 3, 10.0 + i, 10.0 + i + 0.25) for i, (stage, topic)
             in enumerate(harness.UTTERANCE_PATH)]
    spans.append(_span("compliance", "seatcopilot.transcript.v1", "c", 3, 50.0, 60.0))  # operator path: ignored
    spans.append(_span("classifier", "seatcopilot.transcript.v1", "other", 1, 0.0, 9.0))  # not asked for
    request = trace_service_pb2.ExportTraceServiceRequest(resource_spans=[trace_pb2.ResourceSpans(
        scope_spans=[trace_pb2.ScopeSpans(spans=spans)])])
    parsed = harness.spans_of(request.SerializeToString() + request.SerializeToString())  # two exports
    figures = harness.stage_latencies(parsed, {("c", 3)})
    assert figures["intake"]["wait"] == [] and figures["intake"]["busy"] == [pytest.approx(0.25)]
    for stage, _ in harness.UTTERANCE_PATH[1:]:
        assert figures[stage]["busy"] == [pytest.approx(0.25)]
        assert figures[stage]["wait"] == [pytest.approx(0.75)]


def test_malformed_payloads_are_many_kinds_and_none_carries_pii():
    valid = loadgen.bundled_calls()[0][1]
    payloads = malformed_payloads(700, valid)
    assert len(payloads) == 700 and b"" in payloads
    decodable = 0
    for payload in payloads:
        try:
            event = codec.decode(payload, ev.CallEvent)
        except codec.PayloadError:
            continue
        decodable += 1
        assert not (event.call_id and event.seq > 0 and event.type)  # parses, but breaks the contract
    assert 0 < decodable < 700
    assert not any(c.encode() in p for p in payloads for c in PII_CANARIES)
