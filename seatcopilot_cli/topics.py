"""Creates the pipeline's Kafka topics with a plain admin client (idempotent), with the retention,
replication and min.insync.replicas the settings give; on topics that exist, retention and
min.insync.replicas are brought in line (a shorter raw-event retention takes effect without a rebuild)."""

from __future__ import annotations

import contextlib

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from seatcopilot.config import load
from seatcopilot.topics import ALL, FEEDBACK, RAW_TOPICS, Topic, TopicSettings
from seatcopilot.transport.kafka_security import KafkaSecurity, client_options

HOUR_MS = 3_600_000
__all__ = ["TopicSettings", "create_topics", "topic_configs"]


def topic_configs(topic: Topic, settings: TopicSettings) -> dict[str, str]:
    configs = {**topic.config, "min.insync.replicas": str(min(settings.min_insync_replicas,
                                                                settings.replication_factor))}
    if topic in RAW_TOPICS:
        configs["retention.ms"] = str(int(settings.raw_retention_hours * HOUR_MS))
    if topic is FEEDBACK:
        days = settings.feedback_retention_days
        configs["retention.ms"] = "-1" if days < 0 else str(int(days * 24 * HOUR_MS))
    return configs


def create_topics(bootstrap: str, partitions: int = 6, settings: TopicSettings | None = None,
                  security: KafkaSecurity | None = None) -> list[str]:
    settings = settings or load(TopicSettings)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="seatcopilot-topics", request_timeout_ms=15000,
                             **client_options(security))
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
