"""Every Kafka topic of the pipeline, defined once. Each is keyed by call_id so a call stays ordered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from seatcopilot.config import env


@dataclass(frozen=True)
class Topic:
    name: str
    producer: str
    payload: str
    description: str
    # Kafka topic configs beyond the broker's defaults (e.g. a retention), applied at creation.
    config: Mapping[str, str] = field(default_factory=dict)


CALL_EVENTS = Topic(
    "seatcopilot.call-events.v1", "contact-center platforms", "seatcopilot.events.v1.CallEvent",
    "Raw call events as platforms publish them; intake's input.",
)
TRANSCRIPT = Topic(
    "seatcopilot.transcript.v1", "intake", "seatcopilot.events.v1.CallEvent",
    "Validated, de-duplicated, ordered and redacted call events (final utterances and lifecycle).",
)
CLASSIFIED = Topic(
    "seatcopilot.classified.v1", "classifier", "seatcopilot.classification.v1.ClassifiedEvent",
    "Every transcript event in order; utterances carry intent, task and stage.",
)
GROUNDED = Topic(
    "seatcopilot.grounded.v1", "retrieval", "seatcopilot.retrieval.v1.GroundedEvent",
    "Customer utterances with the knowledge items that answer them, with provenance.",
)
DRAFTS = Topic(
    "seatcopilot.drafts.v1", "generation", "seatcopilot.generation.v1.SuggestionDraft",
    "Suggestion drafts before compliance. Never read by the console.",
)
SUGGESTIONS = Topic(
    "seatcopilot.suggestions.v1", "compliance", "seatcopilot.compliance.v1.SteeredSuggestion",
    "Suggestions with a compliance verdict: the only suggestions the console reads.",
)
ALERTS = Topic(
    "seatcopilot.alerts.v1", "compliance", "seatcopilot.compliance.v1.Alert",
    "Compliance alerts on operator speech and overdue obligations.",
)
COMPLIANCE_STATE = Topic(
    "seatcopilot.compliance-state.v1", "compliance", "seatcopilot.compliance.v1.CallComplianceState",
    "A call's live compliance state (obligations given, owed, overdue; active signals) each time it changes.",
)
AUDIT_ANCHORS = Topic(
    "seatcopilot.audit-anchors.v1", "compliance", "seatcopilot.audit.v1.AuditAnchor",
    "Each audit segment's head (compliance's decisions, the console's accesses), keyed by log and segment: "
    "kept outside the log so that a truncated or deleted segment shows at verification. Compacted.",
    config={"cleanup.policy": "compact"},
)
SUMMARIES = Topic(
    "seatcopilot.summaries.v1", "summarizer", "seatcopilot.summary.v1.Summary",
    "Handover summaries (on TRANSFER) and wrap-ups (on CALL_ENDED).",
)
FEEDBACK = Topic(
    "seatcopilot.feedback.v1", "console", "seatcopilot.feedback.v1.Feedback",
    "What operators did with suggestions and wrap-ups: accepted, edited or dismissed (training feedback; "
    "retention FEEDBACK_RETENTION_DAYS).",
)
MANAGER_REPORTS = Topic(
    "seatcopilot.manager-reports.v1", "summarizer", "seatcopilot.summary.v1.ManagerReport",
    "Per-operator and per-team summaries over the report window, keyed by team_id.",
)
INDICATORS = Topic(
    "seatcopilot.indicators.v1", "indicators", "seatcopilot.indicators.v1.IndicatorSnapshot",
    "Business indicators per tenant, team and experiment arm over the current window (keyed by team).",
)
DEAD_LETTER = Topic(
    "seatcopilot.dead-letter.v1", "every stage", "seatcopilot.deadletter.v1.DeadLetter",
    "Messages a stage could not process, with the stage and the reason.",
)

# Platform source topics: each platform's real-time events in its own format (raw, may contain PII —
# only intake reads them). Messages carry the tenant in a `seatcopilot-tenant` header.
PLATFORM_AMAZON_CONNECT = Topic(
    "seatcopilot.platform.amazon-connect.v1", "Amazon Connect (Contact Lens segment stream)",
    "Contact Lens segment event JSON", "Contact Lens real-time segments, one event per message.",
)
PLATFORM_GENESYS_CLOUD = Topic(
    "seatcopilot.platform.genesys-cloud.v1", "Genesys Cloud (notifications)",
    "v2.conversations.{id}.transcription notification JSON", "Genesys Cloud transcription notifications.",
)
PLATFORM_TWILIO = Topic(
    "seatcopilot.platform.twilio.v1", "Twilio (real-time transcription callbacks)",
    "callback parameters, form-encoded or a JSON object", "Twilio <Transcription> status callbacks.",
)
PLATFORM_GENERIC = Topic(
    "seatcopilot.platform.generic.v1", "any platform", "CallEvent JSON (object or list)",
    "Call events in the contract's JSON form from platforms without an adapter.",
)
PLATFORM_TOPICS: tuple[Topic, ...] = (PLATFORM_AMAZON_CONNECT, PLATFORM_GENESYS_CLOUD, PLATFORM_TWILIO,
                                      PLATFORM_GENERIC)

@dataclass(frozen=True)
class TopicSettings:
    """How topics are kept and replicated: read by `seatcopilot topics create` and by every Kafka client that
    creates topics itself (changelogs)."""

    replication_factor: int = env("KAFKA_REPLICATION_FACTOR", default=1, minimum=1,
                                  help="copies of each partition (Helm: 3); 1 on a one-broker dev cluster")
    min_insync_replicas: int = env("KAFKA_MIN_INSYNC_REPLICAS", default=1, minimum=1,
                                   help="replicas that must have a write before it counts (Helm: 2)")
    raw_retention_hours: float = env("RAW_EVENTS_RETENTION_HOURS", default=6.0, minimum=0.01,
                                     help="how long raw call events (unredacted text) are kept")
    feedback_retention_days: float = env("FEEDBACK_RETENTION_DAYS", default=-1.0, minimum=-1,
                                         help="how long operator feedback is kept; -1 keeps it")


# The only topics that may hold unredacted text (intake is their only reader): kept for hours, not days.
RAW_TOPICS: tuple[Topic, ...] = (CALL_EVENTS, *PLATFORM_TOPICS)

ALL: tuple[Topic, ...] = (
    CALL_EVENTS, TRANSCRIPT, CLASSIFIED, GROUNDED, DRAFTS, SUGGESTIONS, ALERTS, SUMMARIES, FEEDBACK, INDICATORS,
    DEAD_LETTER, *PLATFORM_TOPICS, MANAGER_REPORTS, COMPLIANCE_STATE, AUDIT_ANCHORS,
)
