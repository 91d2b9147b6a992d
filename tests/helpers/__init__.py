"""What the tests share: where the project's files are, the bundled calls, events built in one line, and the
rule that a test needing a real server skips (or, under `make test`, fails) when it was not started.

Helpers live here and in this package's modules, one per area (console, summarizer, grpc, compliance, intake,
kafka, e2e, platforms); conftest.py files hold only fixtures, hooks and environment defaults, and no test
module imports from another test module or from a conftest.
"""

from __future__ import annotations

import os
import socket

import pytest
from seatcopilot import codec
from seatcopilot.calls import call_ref
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.paths import DATA_DIR, PROJECT_ROOT

ROOT = PROJECT_ROOT
CALLS = DATA_DIR / "calls"
# PII the bundled calls contain on purpose: none of it may leave intake in the clear.
PII_CANARIES = ("jordan.miles@example.com", "415-555-0142", "4111 1111 1111 1111", "4111111111111111")


def make_event(call_id: str = "call-t1", seq: int = 1, type_: str = "UTTERANCE", speaker: str = "CUSTOMER",
               text: str = "hello", scenario: str = "SALES", is_final: bool = True, **extra: object) -> ev.CallEvent:
    data = {"call_id": call_id, "seq": seq, "ts": "2026-11-20T10:00:00Z", "tenant": "harbor", "scenario": scenario,
            "type": type_, "speaker": speaker, "text": text, "is_final": is_final, "language": "en-US",
            "operator_id": "op-test", "team_id": "team-test", **extra}
    return codec.from_dict(data, ev.CallEvent)


def classified_event(event: ev.CallEvent, **fields: object) -> cl.ClassifiedEvent:
    """A classified event as the classifier stage publishes it: with the event's call reference."""
    return cl.ClassifiedEvent(call=call_ref(event), event=event, **fields)


def grounded_event(classified: cl.ClassifiedEvent, **fields: object) -> rt.GroundedEvent:
    """A grounded event as retrieval publishes it: the classified event's call reference on top."""
    return rt.GroundedEvent(call=classified.call, classified=classified, **fields)


def steered_suggestion(draft: gen.SuggestionDraft, **fields: object) -> cp.SteeredSuggestion:
    """A steered suggestion as compliance publishes it: the draft's call reference on top."""
    return cp.SteeredSuggestion(call=draft.call, draft=draft, **fields)


def load_call(name: str) -> list[ev.CallEvent]:
    return [codec.event_from_json_line(line) for line in (CALLS / name).read_text().splitlines() if line.strip()]


def require_server(env_name: str, what: str) -> None:
    """Integration tests run only when make test started the real server (it sets env_name)."""
    if not os.environ.get(env_name):
        if os.environ.get("CI") or os.environ.get("SEATCOPILOT_REQUIRE_SERVERS"):
            pytest.fail(f"{what} is required here but {env_name} is not set: run `make test`")
        pytest.skip(f"{what} not started (run `make test` to start it)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
