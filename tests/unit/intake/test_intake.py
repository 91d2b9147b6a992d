import pytest
from seatcopilot.config import ConfigError
from seatcopilot.stage_io import Rejected

from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from services.intake.tenants import parse_tenants
from tests.helpers import make_event


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


def test_partials_of_one_utterance_merge_and_a_call_end_publishes_the_last_one():
    intake = stage()
    intake.accept(make_event(seq=1, type_="CALL_STARTED", speaker="OPERATOR", text=""))
    intake.accept(make_event(seq=2, text="my card is", is_final=False, utterance_id="u1"))
    assert intake.accept(make_event(seq=3, text="my card is 4111 1111 1111 1111", is_final=False,
                                    utterance_id="u1")).ready == []
    ended = intake.accept(make_event(seq=4, type_="CALL_ENDED", speaker="OPERATOR", text=""))
    assert [(e.seq, e.is_final, e.text) for e in ended.ready] == [(3, True, "my card is [CARD]"), (4, True, "")]


def test_a_stale_partial_is_published_after_the_partial_timeout():
    intake = stage(partial_timeout_s=5.0)
    intake.accept(make_event(seq=1, text="I'd like to", is_final=False, utterance_id="u1"), now=0.0)
    assert intake.expire(now=4.0).ready == []
    assert [e.text for e in intake.expire(now=5.5).ready] == ["I'd like to"]
    assert intake.accept(make_event(seq=2, text="I'd like to pay", utterance_id="u1"), now=6.0).ready == []


def test_lifecycle_breaks_are_refused_and_the_call_goes_on():
    intake = stage()
    intake.accept(make_event(seq=1, type_="CALL_STARTED", speaker="OPERATOR", text=""))
    outcome = intake.accept(make_event(seq=2, type_="RESUME", speaker="OPERATOR", text=""))
    assert [(r.event.seq, r.reason) for r in outcome.rejected] == [(2, "lifecycle_violation")]
    intake.accept(make_event(seq=3, type_="HOLD", speaker="OPERATOR", text=""))
    assert intake.accept(make_event(seq=4, type_="HOLD", speaker="OPERATOR", text="")).rejected[0].reason == \
        "lifecycle_violation"
    assert seqs(intake.accept(make_event(seq=5, type_="TRANSFER", speaker="OPERATOR", text="",
                                         transfer_to_role="SUPERVISOR"))) == [5]
    assert seqs(intake.accept(make_event(seq=6, text="hello again"))) == [6]


def test_an_event_for_a_skipped_gap_is_a_late_event():
    intake = stage()
    intake.accept(make_event(seq=1), now=0.0)
    intake.accept(make_event(seq=3), now=0.1)
    intake.expire(now=1.5)
    with pytest.raises(Rejected) as rejected:
        intake.accept(make_event(seq=2), now=1.6)
    assert rejected.value.reason == "late_event"


def test_buffered_events_after_call_ended_are_refused_when_released():
    intake = stage()
    intake.accept(make_event(seq=1))
    intake.accept(make_event(seq=4, text="after the end"))
    outcome = intake.accept(make_event(seq=3, type_="CALL_ENDED", speaker="OPERATOR", text=""))
    assert outcome.ready == []
    outcome = intake.accept(make_event(seq=2, text="last words"))
    assert seqs(outcome) == [2, 3]
    assert [(r.event.seq, r.reason) for r in outcome.rejected] == [(4, "call_ended")]


def test_a_call_first_seen_mid_stream_is_adopted_only_shortly_after_start():
    fresh = IntakeStage(IntakeConfig(adopt_window_s=60), started_at=0.0)
    assert seqs(fresh.accept(make_event(call_id="c-mid", seq=500), now=10.0)) == [500]
    old = IntakeStage(IntakeConfig(adopt_window_s=60), started_at=0.0)
    with pytest.raises(Rejected) as rejected:
        old.accept(make_event(call_id="c-mid", seq=500), now=120.0)
    assert rejected.value.reason == "unknown_call"
    assert seqs(old.accept(make_event(call_id="c-new", seq=2), now=120.0)) == []  # early seq: waits for seq 1


def test_identifiers_that_are_personal_data_are_refused():
    with pytest.raises(Rejected) as rejected:
        stage().accept(make_event(call_id="+14155550142"))
    assert "phone number or e-mail" in rejected.value.detail


def test_digits_split_across_two_segments_are_redacted_in_both():
    intake = stage(split_hold_s=1.0)
    intake.accept(make_event(seq=1, speaker="OPERATOR", text="What's the card number?"), now=0.0)
    assert intake.accept(make_event(seq=2, text="it's four one one one one one one one"), now=0.1).ready == []
    joined = intake.accept(make_event(seq=3, text="one one one one one one one one."), now=0.5)
    assert [e.text for e in joined.ready] == ["it's [CARD]", "[CARD]."]


def test_a_held_segment_is_released_when_no_continuation_comes():
    intake = stage(split_hold_s=1.0)
    intake.accept(make_event(seq=1, text="my account number is 1234"), now=0.0)
    assert intake.expire(now=0.5).ready == []
    assert [e.text for e in intake.expire(now=1.2).ready] == ["my account number is [ACCOUNT]"]
    other = intake.accept(make_event(seq=2, text="my account number is 5678"), now=2.0)
    assert other.ready == []
    released = intake.accept(make_event(seq=3, speaker="OPERATOR", text="thanks"), now=2.1)
    assert [e.seq for e in released.ready] == [2, 3]


def tenants_with(policy):
    return parse_tenants({"tenants": {"harbor": {"redaction": policy}}}, {"HASH_KEY": "k" * 32})


def test_keyed_hash_links_the_same_card_across_a_call_without_showing_it():
    intake = IntakeStage(IntakeConfig(), tenants_with({"action": "hash", "hash_key_env": "HASH_KEY"}))
    first = intake.accept(make_event(seq=1, text="card 4111 1111 1111 1111")).ready[0].text
    second = intake.accept(make_event(seq=2, text="that's four one one one one one one one one one one one one one "
                                                  "one one")).ready[0].text
    other = intake.accept(make_event(seq=3, text="or 5555 5555 5555 4444")).ready[0].text
    token = first.removeprefix("card ")
    assert token.startswith("[CARD:") and "4111" not in token
    assert second == f"that's {token}"
    assert other != f"or {token}"


def test_drop_removes_the_value_and_mask_is_the_default_for_other_kinds():
    intake = IntakeStage(IntakeConfig(), tenants_with({"action": "mask", "kinds": {"EMAIL": "drop"}}))
    text = intake.accept(make_event(seq=1, text="mail me at a.b@example.com, or call 415-555-0142")).ready[0].text
    assert text == "mail me at, or call [PHONE]"


def test_a_policy_that_hashes_without_a_key_stops_intake():
    with pytest.raises(ConfigError) as error:
        parse_tenants({"tenants": {"t": {"redaction": {"action": "hash", "hash_key_env": "MISSING"}}}}, {})
    assert "MISSING" in str(error.value)
    with pytest.raises(ConfigError):
        parse_tenants({"tenants": {"t": {"redaction": {"action": "shred"}}}}, {})
