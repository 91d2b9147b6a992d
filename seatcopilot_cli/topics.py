"""Creates the pipeline's Kafka topics with a plain admin client (idempotent)."""

from __future__ import annotations

import contextlib

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from seatcopilot.topics import ALL


def create_topics(bootstrap: str, partitions: int = 6, replication: int = 1) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="seatcopilot-topics", request_timeout_ms=15000)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in ALL if t.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them meanwhile
                admin.create_topics([NewTopic(t.name, partitions, replication, topic_configs=dict(t.config))
                                     for t in missing])
        return [t.name for t in missing]
    finally:
        admin.close()
