"""The compliance bench's inputs and warm-up work on both kinds it times (a broken bench printed FAILED in
`make bench` unnoticed: its warm-up named a draft's call by a field drafts no longer have)."""

from seatcopilot.policy import load_policies

from benchmarks import bench_compliance
from services.compliance.logic import ComplianceEngine


def test_utterances_and_drafts_are_warmed_and_timed_on_the_engine():
    engine = ComplianceEngine(load_policies())  # phrases and patterns: the bench's cheapest setup
    utterances, drafts = bench_compliance._utterances(), bench_compliance._drafts()
    assert utterances and drafts
    for check, items in ((engine.check_event, utterances), (engine.steer, drafts)):
        spent = bench_compliance._timed(check, items[:bench_compliance.WARM_UP + 2])
        assert len(spent) == bench_compliance.WARM_UP + 2 and all(s >= 0 for s in spent)
