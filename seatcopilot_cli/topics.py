"""Creates the pipeline's Kafka topics with a plain admin client (idempotent), with the retention,
replication and min.insync.replicas the settings give; on topics that exist, retention and
min.insync.replicas are brought in line (a shorter raw-event retention takes effect without a rebuild)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from seatcopilot.config import env, load
from seatcopilot.topics import ALL, FEEDBACK, RAW_TOPICS, Topic

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class TopicSettings:
    replication_factor: int = env("KAFKA_REPLICATION_FACTOR", default=1, minimum=1,
                                  help="copies of each partition (Helm: 3); 1 on a one-broker dev cluster")
    min_insync_replicas: int = env("KAFKA_MIN_INSYNC_REPLICAS", default=1, minimum=1,
                                   help="replicas that must have a write before it counts (Helm: 2)")
    raw_retention_hours: float = env("RAW_EVENTS_RETENTION_HOURS", default=6.0, minimum=0.01,
                                     help="how long raw call events (unredacted text) are kept")
    feedback_retention_days: float = env("FEEDBACK_RETENTION_DAYS", default=-1.0, minimum=-1,
                                         help="how long operator feedback is kept; -1 keeps it")


def topic_configs(topic: Topic, settings: TopicSettings) -> dict[str, str]:
    configs = {**topic.config, "min.insync.replicas": str(min(settings.min_insync_replicas,
                                                                settings.replication_factor))}
    if topic in RAW_TOPICS:
        configs["retention.ms"] = str(int(settings.raw_retention_hours * HOUR_MS))
    if topic is FEEDBACK:
        days = settings.feedback_retention_days
        configs["retention.ms"] = "-1" if days < 0 else str(int(days * 24 * HOUR_MS))
    return configs


def create_topics(bootstrap: str, partitions: int = 6, settings: TopicSettings | None = None) -> list[str]:
    settings = settings or load(TopicSettings)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="seatcopilot-topics", request_timeout_ms=15000)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in ALL if t.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them meanwhile
                admin.create_topics([NewTopic(t.name, partitions, settings.replication_factor,
                                              topic_configs=topic_configs(t, settings)) for t in missing])
        present = [t for t in ALL if t.name in existing]
        if present:
            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t.name, topic_configs(t, settings))
                                 for t in present])
        return [t.name for t in missing]
    finally:
        admin.close()
