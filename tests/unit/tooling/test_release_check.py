"""`seatcopilot release-check` (the chart's `helm test`): one call in, a steered suggestion out."""

import asyncio
import io

from seatcopilot.transport import InProcessTransport

from seatcopilot_cli import release_check


def test_a_release_that_steers_a_suggestion_passes():
    from seatcopilot_cli.embedded import EmbeddedPipeline

    pipeline = EmbeddedPipeline({"GENERATION_BACKEND": "scripted"})
    out = io.StringIO()
    assert asyncio.run(release_check.run(pipeline.bus, 120, out)) == 0
    assert out.getvalue().startswith("OK: ") and "release-check-" in out.getvalue()


def test_a_release_that_never_answers_fails_with_where_to_look():
    out = io.StringIO()
    assert asyncio.run(release_check.run(InProcessTransport(), 0.3, out)) == 1
    assert "FAIL: no steered suggestion" in out.getvalue() and "deadletter list" in out.getvalue()


def test_the_probe_is_a_fresh_call_each_time():
    first, second = release_check.probe_call("a"), release_check.probe_call("b")
    assert {e.call_id for e in first} == {"a"} and {e.call_id for e in second} == {"b"}
    assert len(first) > 3 and first[0].seq == 1
