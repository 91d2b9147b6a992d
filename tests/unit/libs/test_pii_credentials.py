"""Card security codes, expiry dates, PINs, passwords, one-time codes, driver's licence numbers and
spoken dates of birth; recall on a held-out set written apart from the lines the detectors were written
against; `seatcopilot redact`; raw-topic retention and replication settings."""

import io

import pytest
from seatcopilot.config import load
from seatcopilot.redaction import redact
from seatcopilot.topics import CALL_EVENTS, FEEDBACK, PLATFORM_TWILIO, TRANSCRIPT

from benchmarks.pii_eval import evaluate
from benchmarks.pii_eval import load as load_set
from seatcopilot_cli.redact import redact_lines
from seatcopilot_cli.topics import TopicSettings, topic_configs
from services.intake.redactor import render
from services.intake.tenants import RedactionPolicy
from tests.helpers import ROOT

HELD_OUT = ROOT / "data" / "pii" / "credentials_heldout.jsonl"
# Floors a little under the held-out figures measured when the set was written (recall 0.786, precision
# 0.944, see data/pii/README.md): they catch a regression, they were not tuned on.
HELD_OUT_RECALL_FLOOR = 0.75
HELD_OUT_PRECISION_FLOOR = 0.90


@pytest.mark.parametrize(("text", "expected"), [
    ("the cvv is 123", "the cvv is [CVV]"),
    ("the code on the back is four five six", "the code on the back is [CVV]"),
    ("it expires oh nine twenty seven", "it expires [EXPIRY]"),
    ("my pin number is four eight two one", "my pin number is [PIN]"),
    ("my password is tiger forty two", "my password is [PASSWORD]"),
    ("the verification code is five eight three nine two one", "the verification code is [OTP]"),
    ("my drivers license is d one two three four five six seven eight", "my drivers license is [DRIVER_LICENSE]"),
    ("born oh three slash oh five slash eighty two", "born [DOB]"),
    ("I was born march fifth eighty two", "I was born [DOB]"),
    ("card 4111 1111 1111 1111 exp 09/27 cvv 123", "card [CARD] exp [EXPIRY] cvv [CVV]"),
    ("the pin is wrong", "the pin is wrong"),
    ("I want to reset my password please", "I want to reset my password please"),
    ("the payment of 450 is due on 09/30", "the payment of 450 is due on 09/30"),
])
def test_cue_given_secrets_are_masked(text, expected):
    assert redact(text).text == expected


def test_recall_on_the_held_out_set():
    rows = load_set(HELD_OUT)
    kinds = {item["kind"] for row in rows for item in row["pii"]}
    assert {"CVV", "EXPIRY", "PIN", "PASSWORD", "OTP", "DRIVER_LICENSE", "DOB"} <= kinds
    result = evaluate(rows)
    assert result.total.recall >= HELD_OUT_RECALL_FLOOR, result.misses
    assert result.total.precision >= HELD_OUT_PRECISION_FLOOR, result.false_positives


def test_secrets_are_never_hashed_even_where_the_tenant_hashes():
    policy = RedactionPolicy(default_action="hash", hash_key=b"k" * 32)
    text = "card 4111 1111 1111 1111 cvv 123"
    out = render(text, list(redact(text).findings), policy)
    assert "[CVV]" in out and "[CARD:" in out  # the card is hashed for matching; the CVV only masked


def test_seatcopilot_redact_turns_stdin_lines_into_redacted_lines():
    sink = io.StringIO()
    count = redact_lines(io.StringIO("my pin is 4821\nhello there\nemail me at a.b@example.com\n"), sink,
                         RedactionPolicy())
    assert count == 3
    assert sink.getvalue().splitlines() == ["my pin is [PIN]", "hello there", "email me at [EMAIL]"]


def test_raw_topics_keep_hours_and_replication_is_a_setting():
    defaults = load(TopicSettings)
    assert int(topic_configs(CALL_EVENTS, defaults)["retention.ms"]) <= 24 * 3_600_000  # hours, not days
    assert topic_configs(PLATFORM_TWILIO, defaults)["retention.ms"] == topic_configs(CALL_EVENTS, defaults)[
        "retention.ms"]
    assert "retention.ms" not in topic_configs(TRANSCRIPT, defaults)  # redacted: the broker's default
    settings = load(TopicSettings, {"RAW_EVENTS_RETENTION_HOURS": "2", "KAFKA_REPLICATION_FACTOR": "3",
                                    "KAFKA_MIN_INSYNC_REPLICAS": "2", "FEEDBACK_RETENTION_DAYS": "30"})
    assert topic_configs(CALL_EVENTS, settings) == {"retention.ms": str(2 * 3_600_000), "min.insync.replicas": "2"}
    assert topic_configs(FEEDBACK, settings)["retention.ms"] == str(30 * 86_400_000)
    assert topic_configs(FEEDBACK, defaults)["retention.ms"] == "-1"
    assert topic_configs(TRANSCRIPT, load(TopicSettings, {"KAFKA_MIN_INSYNC_REPLICAS": "2"}))[
        "min.insync.replicas"] == "1"  # never more than the replicas there are
