import json

import pytest
from seatcopilot import codec
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from tests.helpers import make_event


def test_json_uses_bare_enum_names_and_round_trips():
    event = make_event(type_="TRANSFER", speaker="OPERATOR", transfer_to_role="COLLECTIONS", text="")
    data = codec.to_dict(event)
    assert data["type"] == "TRANSFER"
    assert data["scenario"] == "SALES"
    assert data["transfer_to_role"] == "COLLECTIONS"
    assert set(data) == {"call_id", "seq", "ts", "tenant", "scenario", "type", "speaker", "text", "is_final",
                         "language", "operator_id", "team_id", "transfer_to_role"}
    assert codec.from_dict(data, ev.CallEvent) == event


def test_intakes_experiment_stamps_show_only_when_set():
    event = make_event()
    event.experiment_id, event.arm = "exp-1", "on"
    data = codec.to_dict(event)
    assert (data["experiment_id"], data["arm"]) == ("exp-1", "on")


def test_reader_accepts_prefixed_enum_names():
    line = json.dumps({"call_id": "c", "seq": 2, "type": "EVENT_TYPE_UTTERANCE", "scenario": "SCENARIO_SERVICE",
                       "speaker": "SPEAKER_CUSTOMER", "text": "hi"})
    event = codec.event_from_json_line(line)
    assert event.type == ev.EVENT_TYPE_UTTERANCE
    assert event.scenario == ev.SCENARIO_SERVICE


@pytest.mark.parametrize("line", ["{not json", "[1, 2]", '{"seq": "many"}', '{"type": "SHOUTING"}'])
def test_bad_lines_raise_payload_error(line):
    with pytest.raises(codec.PayloadError):
        codec.event_from_json_line(line)


def test_binary_decode_error_is_payload_error():
    with pytest.raises(codec.PayloadError):
        codec.decode(b"\xff\xff\xff\xff", ev.CallEvent)
