"""Kafka transport: Faust agents consume, the Faust producer publishes with acks=all.

Offsets are committed only for events whose handler returned (Faust acks an event when the agent
moves past it); handlers never raise — the stage adapters dead-letter what they cannot process —
so delivery is at-least-once and consumers are idempotent on (call_id, seq).

State tables are Faust tables with a changelog topic (`<group>-<name>-changelog`): Faust restores
them from it before the agents start consuming again, so a restarted or rebalanced stage finds the
state of the keys it owns. Table keys are the topics' keys (call_id) and the changelog partition is
chosen by the same partitioner as the source topics', so a key's state sits in the partition its
messages arrive on (co-partitioned: the changelog has as many partitions as the source topics).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaClient, AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2
from prometheus_client import Gauge

from seatcopilot.config import load
from seatcopilot.topics import TopicSettings
from seatcopilot.transport.base import Handler, Message, run_keyed
from seatcopilot.transport.kafka_security import KafkaSecurity, client_options, faust_options, kafka_security
from seatcopilot.transport.quiet_stream import QuietStream

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


def key_partition(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (murmur2, as in the Java client) gives a key."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


class KeyedTable(faust.Table):
    """Changelog partition from the key itself, as the source topics' producers chose it: writes
    need no stream event in context (timers, gRPC) and never wait for topic metadata."""

    def partition_for_key(self, key: Any) -> int:
        return key_partition(key, self.partitions or self.app.conf.topic_partitions)


class FaustTable:
    """A Faust table of bytes keyed by str, behind the transport's StateTable interface."""

    def __init__(self, name: str, table: Any) -> None:
        self.name = name
        self.faust_table = table

    def get(self, key: str) -> bytes | None:
        return self.faust_table.get(key.encode())

    def __setitem__(self, key: str, value: bytes) -> None:
        self.faust_table[key.encode()] = value  # written to the changelog as it is set

    def __delitem__(self, key: str) -> None:
        if key.encode() in self.faust_table:
            del self.faust_table[key.encode()]  # a tombstone in the changelog

    def __contains__(self, key: str) -> bool:
        return key.encode() in self.faust_table

    def items(self) -> Iterator[tuple[str, bytes]]:
        for key, value in list(self.faust_table.items()):
            if value is not None:
                yield (key.decode() if isinstance(key, bytes) else str(key)), value


def _faust_datadir(group: str) -> str:
    # Faust's default is "<app id>-data" in the working directory; with memory stores it only holds
    # bookkeeping, so it lives with the rest of the run state instead of littering the checkout.
    root = os.environ.get("SEATCOPILOT_STATE_DIR") or os.path.join(tempfile.gettempdir(), "seatcopilot-state")
    path = os.path.join(root, "faust", group)
    os.makedirs(path, exist_ok=True)  # Faust creates only the last level itself
    return path


class KafkaTransport:
    def __init__(self, group: str, bootstrap: str, *, commit_interval: float = 1.0, partitions: int = 6,
                 replication: int = 1, security: KafkaSecurity | None = None) -> None:
        self.bootstrap = bootstrap
        self.security = security or kafka_security()  # every client below connects with it
        self.partitions = partitions
        self.topic_settings = load(TopicSettings)
        self.app = faust.App(
            group,
            broker=f"kafka://{bootstrap}",
            producer_acks=-1,
            store="memory://",
            web_enabled=False,
            consumer_auto_offset_reset="earliest",
            broker_commit_interval=commit_interval,
            Stream=QuietStream,  # micro-batches without a timer while nothing is waiting
            key_serializer="raw",
            value_serializer="raw",
            topic_partitions=partitions,
            topic_replication_factor=replication,
            autodiscover=False,
            datadir=_faust_datadir(group),
            **faust_options(self.security),
        )
        self._subscriptions = 0
        self._topics: list[str] = []
        self._health_client: AIOKafkaClient | None = None
        self._started = False
        self._follows: list[tuple[str, Handler, float]] = []
        self._changelogs: dict[str, dict[str, str]] = {}
        self._followers: list[tuple[AIOKafkaConsumer, asyncio.Task[None]]] = []

    def subscribe(self, topic: str, handler: Handler, batch: int = 1, within_s: float = 0.0) -> None:
        channel = self.app.topic(topic, key_type=bytes, value_type=bytes,
                                 key_serializer="raw", value_serializer="raw")

        def message(event: Any) -> Message:
            key = event.key.decode() if isinstance(event.key, bytes) else str(event.key or "")
            return Message(topic, key, event.value, _headers(event.headers))

        async def consume(stream: Any) -> None:  # a QuietStream (the app's Stream class)
            if batch > 1:  # the batch's offsets are acknowledged after it is handled: still at-least-once
                async for events in stream.batches(batch, within=within_s):
                    await run_keyed([message(event) for event in events], handler)
                return
            async for event in stream.events():
                await handler(message(event))

        self._subscriptions += 1
        self._topics.append(topic)
        self.app.agent(channel, name=f"{self.app.conf.id}-{self._subscriptions}-{topic}")(consume)

    def follow(self, topic: str, handler: Handler, since_s: float) -> None:
        self._follows.append((topic, handler, since_s))

    async def _start_follower(self, topic: str, handler: Handler, since_s: float) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="latest", **client_options(self.security))
        await consumer.start()
        # topics() fetches metadata into a copy that partitions_for_topic() does not read: ask the client to
        # track the topic and refresh its own metadata instead (otherwise a follower silently reads nothing).
        consumer._client.add_topic(topic)
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            log.warning("cannot follow %s: the topic does not exist", topic)
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        since_ms = int((time.time() - since_s) * 1000)
        offsets = await consumer.offsets_for_times({tp: since_ms for tp in assigned}) if assigned else {}
        for tp in assigned:
            found = offsets.get(tp)
            if found is None:
                await consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, found.offset)

        async def run() -> None:
            async for record in consumer:
                key = record.key.decode() if isinstance(record.key, bytes) else ""
                await handler(Message(topic, key, record.value or b"", _headers(record.headers)))

        self._followers.append((consumer, asyncio.create_task(run())))

    def table(self, name: str, *, retention_s: float = 0) -> FaustTable:
        configs = {"cleanup.policy": "compact"}
        if retention_s:
            configs = {"cleanup.policy": "compact,delete", "retention.ms": str(int(retention_s * 1000))}
        table = KeyedTable(self.app, name=name, default=None, key_type=bytes, value_type=bytes,
                           partitions=self.partitions, beacon=self.app.tables.beacon, extra_topic_configs=configs,
                           help=f"state table {name}")
        self.app.tables.add(table)
        self._changelogs[table.changelog_topic.get_topic_name()] = configs
        return FaustTable(name, table)

    def _create_changelogs(self) -> None:
        """Creates the tables' changelog topics before the app starts (blocking): a first write must not
        race Faust's own declaration and find a changelog with no partitions yet."""
        from kafka.admin import KafkaAdminClient, NewTopic
        from kafka.errors import TopicAlreadyExistsError

        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=10_000,
                                 **client_options(self.security))
        try:
            missing = sorted(set(self._changelogs) - set(admin.list_topics()))
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica created it meanwhile
                if missing:
                    insync = str(min(self.topic_settings.min_insync_replicas, self.topic_settings.replication_factor))
                    admin.create_topics([NewTopic(name, self.partitions, self.app.conf.topic_replication_factor,
                                                  topic_configs={**self._changelogs[name],
                                                                 "min.insync.replicas": insync})
                                         for name in missing])
        finally:
            admin.close()

    async def publish(self, topic: str, key: str, value: bytes,
                      headers: Mapping[str, bytes] | None = None) -> None:
        await self.app.producer.send_and_wait(
            topic, key.encode(), value, partition=None, timestamp=None,
            headers=list((headers or {}).items()),
        )

    async def start(self) -> None:
        if self._changelogs:
            await asyncio.to_thread(self._create_changelogs)
        await self.app.start()
        for topic, handler, since_s in self._follows:
            await self._start_follower(topic, handler, since_s)
        self._health_client = AIOKafkaClient(bootstrap_servers=self.bootstrap, request_timeout_ms=3000,
                                             **client_options(self.security))
        await self._health_client.bootstrap()
        self._started = True

    async def stop(self) -> None:
        """Faust stops the agents (in-flight events finish), commits offsets and flushes the producer."""
        for consumer, task in self._followers:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await consumer.stop()
        self._followers.clear()
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
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000,
                                 **client_options(self.security))
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
