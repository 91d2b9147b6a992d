import pytest
from seatcopilot.stage_io import Rejected

from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from tests.conftest import make_event


def stage(**overrides):
    return IntakeStage(IntakeConfig(**{"reorder_buffer": 4, "reorder_timeout_s": 1.0, **overrides}))


def seqs(outcome):
    return [e.seq for e in outcome.ready]


def test_in_order_events_pass_straight_through():
    intake = stage()
    assert seqs(intake.accept(make_event(seq=1, type_="CALL_STARTED", speaker="OPERATOR", text=""))) == [1]
    assert seqs(intake.accept(make_event(seq=2))) == [2]


def test_out_of_order_events_are_released_in_order():
    intake = stage()
    intake.accept(make_event(seq=1, type_="CALL_STARTED", speaker="OPERATOR", text=""))
    assert intake.accept(make_event(seq=3, text="third")).ready == []
    assert seqs(intake.accept(make_event(seq=2, text="second"))) == [2, 3]


def test_duplicates_are_suppressed():
    intake = stage()
    intake.accept(make_event(seq=1))
    assert intake.accept(make_event(seq=1)).duplicate
    intake.accept(make_event(seq=3))
    assert intake.accept(make_event(seq=3)).duplicate


def test_partials_advance_seq_but_only_finals_are_published():
    intake = stage()
    assert intake.accept(make_event(seq=1, text="I want a", is_final=False)).ready == []
    released = intake.accept(make_event(seq=2, text="I want a loan"))
    assert [e.text for e in released.ready] == ["I want a loan"]


def test_a_gap_is_skipped_after_the_timeout():
    intake = stage()
    intake.accept(make_event(seq=1), now=0.0)
    assert intake.accept(make_event(seq=3), now=0.1).ready == []
    assert intake.expire(now=0.5).ready == []
    assert seqs(intake.expire(now=1.2)) == [3]
    assert intake.gaps_skipped == 1


def test_a_full_reorder_buffer_skips_the_gap():
    intake = stage(reorder_buffer=2)
    intake.accept(make_event(seq=1))
    intake.accept(make_event(seq=3))
    intake.accept(make_event(seq=4))
    assert seqs(intake.accept(make_event(seq=5))) == [3, 4, 5]


def test_events_after_call_ended_are_rejected_except_the_disposition():
    intake = stage()
    intake.accept(make_event(seq=1))
    intake.accept(make_event(seq=2, type_="CALL_ENDED", speaker="OPERATOR", text=""))
    assert seqs(intake.accept(make_event(seq=3, type_="DISPOSITION", speaker="OPERATOR", text="RESOLVED"))) == [3]
    with pytest.raises(Rejected) as rejected:
        intake.accept(make_event(seq=4, text="one more thing"))
    assert rejected.value.reason == "call_ended"


@pytest.mark.parametrize(("changes", "problem"), [
    ({"call_id": ""}, "call_id"),
    ({"seq": 0}, "seq"),
    ({"text": ""}, "needs text"),
    ({"speaker": "SPEAKER_UNSPECIFIED"}, "speaker"),
    ({"type_": "TRANSFER", "speaker": "OPERATOR", "text": ""}, "transfer_to_role"),
    ({"text": "x" * 5000}, "longer than"),
])
def test_schema_violations_are_rejected_with_the_reason(changes, problem):
    with pytest.raises(Rejected) as rejected:
        stage().accept(make_event(**changes))
    assert rejected.value.reason == "schema_violation"
    assert problem in rejected.value.detail


def test_pii_is_redacted_before_release():
    released = stage().accept(make_event(seq=1, text="card 4111 1111 1111 1111, email a.b@example.com"))
    assert released.ready[0].text == "card [CARD], email [EMAIL]"
