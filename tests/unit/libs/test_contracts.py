import subprocess
import sys

from seatcopilot import topics

from tests.helpers import ROOT


def test_generated_code_matches_the_protos():
    result = subprocess.run([sys.executable, "scripts/gen_protos.py", "--check", "libs"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_topic_names_are_unique_and_versioned():
    names = [t.name for t in topics.ALL]
    assert len(names) == len(set(names))
    assert all(name.startswith("seatcopilot.") and name.endswith(".v1") for name in names)


DERIVED = ("seatcopilot.classification.v1.ClassifiedEvent", "seatcopilot.retrieval.v1.GroundedEvent",
           "seatcopilot.generation.v1.SuggestionDraft", "seatcopilot.compliance.v1.SteeredSuggestion",
           "seatcopilot.compliance.v1.Alert", "seatcopilot.compliance.v1.CallComplianceState",
           "seatcopilot.summary.v1.Summary", "seatcopilot.feedback.v1.Feedback")
IDENTITY = {"call_id", "tenant", "seq", "scenario", "operator_id", "team_id", "experiment_id", "arm"}


def _descriptor(full_name: str):
    import seatcopilot.contracts.classification.v1.classification_pb2
    import seatcopilot.contracts.compliance.v1.compliance_pb2
    import seatcopilot.contracts.feedback.v1.feedback_pb2
    import seatcopilot.contracts.summary.v1.summary_pb2  # noqa: F401
    from google.protobuf import symbol_database

    return symbol_database.Default().pool.FindMessageTypeByName(full_name)


def test_every_derived_message_carries_the_call_the_same_way_and_only_there():
    for name in DERIVED:
        descriptor = _descriptor(name)
        call = descriptor.fields_by_name.get("call")
        assert call is not None and call.message_type.full_name == "seatcopilot.events.v1.CallRef", name
        assert not IDENTITY & set(descriptor.fields_by_name), f"{name} copies the call's identity"
    # Every topic payload derived from a call event is one of them: a new message must join the list.
    payloads = {t.payload for t in topics.ALL if t.payload.startswith("seatcopilot.")}  # not the platforms' own
    not_about_one_call = {"seatcopilot.events.v1.CallEvent", "seatcopilot.audit.v1.AuditAnchor",
                          "seatcopilot.summary.v1.ManagerReport", "seatcopilot.indicators.v1.IndicatorSnapshot",
                          "seatcopilot.deadletter.v1.DeadLetter"}
    derived_on_topics = payloads - not_about_one_call
    assert derived_on_topics <= set(DERIVED), derived_on_topics - set(DERIVED)


def test_the_call_reference_is_built_from_the_event_and_keys_its_messages():
    from seatcopilot.calls import call_ref, ref_identity, ref_key

    from tests.helpers import make_event

    event = make_event(call_id="call-r", seq=7, scenario="COLLECTIONS", experiment_id="exp", arm="brief")
    ref = call_ref(event)
    assert (ref.tenant, ref.call_id, ref.seq, ref.operator_id, ref.team_id, ref.experiment_id, ref.arm) == (
        "harbor", "call-r", 7, "op-test", "team-test", "exp", "brief")
    assert ref.scenario == event.scenario and ref_identity(ref) == ("harbor", "call-r", 7)
    assert ref_key(ref) != ref_key(call_ref(make_event(call_id="call-r", tenant="lakeshore")))
