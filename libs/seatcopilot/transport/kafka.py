"""Kafka transport: Faust agents consume, the Faust producer publishes with acks=all.

Offsets are committed only for events whose handler returned (Faust acks an event when the agent
moves past it); handlers never raise — the stage adapters dead-letter what they cannot process —
so delivery is at-least-once and consumers are idempotent on (call_id, seq).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaClient
from prometheus_client import Gauge

from seatcopilot.transport.base import Handler, Message

log = logging.getLogger(__name__)

CONSUMER_LAG = Gauge("seatcopilot_consumer_lag_messages", "Messages not yet consumed by a stage, per topic",
                     ["group", "topic"])


def _headers(raw: Any) -> dict[str, bytes]:
    if raw is None:
        return {}
    items: Iterable[tuple[str, Any]] = raw.items() if isinstance(raw, Mapping) else raw
    return {str(k): (v if isinstance(v, bytes) else str(v).encode()) for k, v in items if v is not None}


def _offset(value: Any) -> int:
    return int(getattr(value, "offset", value) or 0)


class KafkaTransport:
    def __init__(self, group: str, bootstrap: str, *, commit_interval: float = 1.0) -> None:
        self.bootstrap = bootstrap
        self.app = faust.App(
            group,
            broker=f"kafka://{bootstrap}",
            producer_acks=-1,
            store="memory://",
            web_enabled=False,
            consumer_auto_offset_reset="earliest",
            broker_commit_interval=commit_interval,
            key_serializer="raw",
            value_serializer="raw",
            topic_partitions=6,
            autodiscover=False,
        )
        self._subscriptions = 0
        self._topics: list[str] = []
        self._health_client: AIOKafkaClient | None = None
        self._started = False

    def subscribe(self, topic: str, handler: Handler) -> None:
        channel = self.app.topic(topic, key_type=bytes, value_type=bytes,
                                 key_serializer="raw", value_serializer="raw")

        async def consume(stream: faust.StreamT) -> None:
            async for event in stream.events():
                key = event.key.decode() if isinstance(event.key, bytes) else str(event.key or "")
                await handler(Message(topic, key, event.value, _headers(event.headers)))

        self._subscriptions += 1
        self._topics.append(topic)
        self.app.agent(channel, name=f"{self.app.conf.id}-{self._subscriptions}-{topic}")(consume)

    async def publish(self, topic: str, key: str, value: bytes,
                      headers: Mapping[str, bytes] | None = None) -> None:
        await self.app.producer.send_and_wait(
            topic, key.encode(), value, partition=None, timestamp=None,
            headers=list((headers or {}).items()),
        )

    async def start(self) -> None:
        await self.app.start()
        self._health_client = AIOKafkaClient(bootstrap_servers=self.bootstrap, request_timeout_ms=3000)
        await self._health_client.bootstrap()
        self._started = True

    async def stop(self) -> None:
        """Faust stops the agents (in-flight events finish), commits offsets and flushes the producer."""
        if self._started:
            await self.app.stop()
        if self._health_client is not None:
            await self._health_client.close()
        self._started = False

    async def healthy(self) -> bool:
        if not self._started or self._health_client is None:
            return False
        try:
            await asyncio.wait_for(self._health_client.fetch_all_metadata(), timeout=3)
            return True
        except Exception:  # any failure means the broker is not reachable
            return False

    def consumer_lag(self) -> dict[str, int]:
        """Per topic: end offsets minus the group's committed offsets (blocking: run it in a thread)."""
        from kafka.admin import KafkaAdminClient, OffsetSpec

        group = self.app.conf.id
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000)
        try:
            committed = admin.list_group_offsets({group: None}).get(group, {})
            partitions = [tp for tp in committed if tp.topic in self._topics]
            ends = admin.list_partition_offsets(dict.fromkeys(partitions, OffsetSpec.LATEST)) if partitions else {}
            lag: dict[str, int] = dict.fromkeys(self._topics, 0)
            for tp in partitions:
                lag[tp.topic] += max(0, _offset(ends.get(tp)) - committed[tp].offset)
            return lag
        finally:
            admin.close()

    async def export_lag(self, interval: float = 15.0) -> None:
        """Keeps the consumer-lag gauge current (a background task of the service)."""
        while True:
            try:
                for topic, lag in (await asyncio.to_thread(self.consumer_lag)).items():
                    CONSUMER_LAG.labels(self.app.conf.id, topic).set(lag)
            except Exception as error:  # the broker being away shows in health, not here
                log.debug("consumer lag not read: %s", type(error).__name__)
            await asyncio.sleep(interval)
