"""The platform fixtures (data/platforms/), renamed per test run, and the PII canaries they carry.

Every canary is personal data a fixture states (written or spoken); none may appear downstream of
intake: not in a topic, a log line, a metric label or a span.
"""

from __future__ import annotations

import uuid

from seatcopilot_cli.intake import FIXTURES

PLATFORMS = ("amazon_connect", "genesys_cloud", "twilio", "generic")
CALL_IDS = {"amazon_connect": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
            "genesys_cloud": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
            "twilio": "CA0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
            "generic": "call-generic-0001"}
CANARIES = ("quinn.lockhart@example.com", "415-555-0199", "Quinn Lockhart", "5555555555554444",
            "five five five five, five five five five", "morgan ellery", "march third nineteen seventy nine",
            "one two three four five six seven eight nine", "123456789", "twelve thirty four canary lane",
            "jamie dot canary at example dot com", "six four six, five five five, oh one seven seven",
            "four one one one one one one one", "one one one one one one one one", "4111111111111111",
            "11010519491231002X", "13800138000", "021000021", "000123456789")


def fixture_lines(platform: str) -> list[str]:
    path = next((FIXTURES / platform).glob("*.jsonl"))
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fresh_fixture(platform: str) -> tuple[list[str], str]:
    """The fixture with its call id replaced by a new one, so each run is a new call."""
    call_id = f"{CALL_IDS[platform][:-8]}{uuid.uuid4().hex[:8]}"
    return [line.replace(CALL_IDS[platform], call_id) for line in fixture_lines(platform)], call_id


def leaked(blob: bytes) -> list[str]:
    return [canary for canary in CANARIES if canary.encode() in blob or canary.lower().encode() in blob.lower()]
