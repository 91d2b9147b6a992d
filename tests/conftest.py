"""Shared test helpers. Unit tests run on the in-process transport; integration and end-to-end
tests need the real servers that `make test` starts (scripts/run_tests.sh)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from seatcopilot import codec
from seatcopilot.events.v1 import call_event_pb2 as ev

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tests judge the base model's behaviour even in a checkout where the model kit built one (served by make run).
os.environ.setdefault("SEATCOPILOT_LLM", "base")

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "data" / "calls"
# PII the bundled calls contain on purpose: none of it may leave intake in the clear.
PII_CANARIES = ("jordan.miles@example.com", "415-555-0142", "4111 1111 1111 1111", "4111111111111111")


def make_event(call_id: str = "call-t1", seq: int = 1, type_: str = "UTTERANCE", speaker: str = "CUSTOMER",
               text: str = "hello", scenario: str = "SALES", is_final: bool = True, **extra: object) -> ev.CallEvent:
    data = {"call_id": call_id, "seq": seq, "ts": "2026-11-20T10:00:00Z", "tenant": "harbor", "scenario": scenario,
            "type": type_, "speaker": speaker, "text": text, "is_final": is_final, "language": "en-US",
            "operator_id": "op-test", "team_id": "team-test", **extra}
    return codec.from_dict(data, ev.CallEvent)


def load_call(name: str) -> list[ev.CallEvent]:
    return [codec.event_from_json_line(line) for line in (CALLS / name).read_text().splitlines() if line.strip()]


def require_server(env_name: str, what: str) -> None:
    """Integration tests run only when make test started the real server (it sets env_name)."""
    if not os.environ.get(env_name):
        if os.environ.get("CI") or os.environ.get("SEATCOPILOT_REQUIRE_SERVERS"):
            pytest.fail(f"{what} is required here but {env_name} is not set: run `make test`")
        pytest.skip(f"{what} not started (run `make test` to start it)")
