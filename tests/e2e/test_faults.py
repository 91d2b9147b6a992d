"""The fault suite's non-destructive faults on `make up`'s topology, short: malformed events and duplicated,
reordered events while calls with PII canaries are in progress. Nothing is lost, nothing is shown twice or
without a verdict, every malformed event is dead-lettered with a reason, and no canary leaves intake.
The destructive faults (broker restart, SIGKILL of each service, Neo4j, Triton and compliance down) take
longer than a test run: `make faults` runs them all (benchmarks/faults.py)."""

import pytest

from benchmarks import harness
from benchmarks.faults import CONTROL, Suite, leaks, scan_for_canaries

pytestmark = pytest.mark.e2e
MALFORMED = 1000


@pytest.fixture(scope="module")
def reports(topology):
    suite = Suite(topology, harness.Topology({}), call_s=15.0, calls=2)
    return {"malformed": suite.malformed(MALFORMED), "duplicates": suite.duplicated_and_reordered()}


@pytest.mark.parametrize("fault", ["malformed", "duplicates"])
def test_nothing_is_lost_duplicated_or_shown_without_a_verdict(reports, fault):
    result = reports[fault].result
    assert result.sent_at, "the fault ran with calls in progress"
    assert result.lost() == []
    assert result.duplicated() == 0
    assert result.without_verdict() == 0
    assert reports[fault].recovery_s == reports[fault].recovery_s  # a probe was answered


def test_every_malformed_event_is_dead_lettered_with_a_reason(reports):
    letters = reports["malformed"].result.dead_letters
    at_intake = {reason: n for (stage, reason), n in letters.items() if stage == "intake"}
    assert sum(at_intake.values()) >= MALFORMED, letters
    assert all(reason for reason in at_intake), letters  # each with its reason (decode_error, schema_violation...)


def test_no_canary_leaves_intake(reports, topology, span_collector):
    found = scan_for_canaries(topology, span_collector)
    assert found[CONTROL] > 0  # the canaries were sent: their absence downstream means redaction
    assert leaks(found) == {}
