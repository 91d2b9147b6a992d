"""The distributed mode's window store: a tumbling-window Faust table, backed by a changelog topic,
so the sums survive a restart and move with their partitions on a rebalance.

Increments are written inside the consuming agent's stream iteration (Faust needs the current event
to route the changelog). Keys carry the source partition: two partitions never write one key, so a
changelog replay restores each partition's own sums; reads add the partitions up.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, cast

import faust
from seatcopilot.transport.kafka_security import KafkaSecurity, client_options

from services.indicators.logic import GroupKey, Increment, group_of

TABLE = "seatcopilot-indicators-counters"


def ensure_changelogs(bootstrap: str, names: list[str], partitions: int, replication: int,
                      security: KafkaSecurity | None = None) -> None:
    """Creates the changelog topics before the app starts (blocking, once at setup): otherwise the first
    writes can race Faust's own declaration and find a changelog with no partitions yet."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000, **client_options(security))
    try:
        missing = sorted(set(names) - set(admin.list_topics()))
        compacted = {"cleanup.policy": "compact"}
        with contextlib.suppress(TopicAlreadyExistsError):  # another replica created it meanwhile
            if missing:
                admin.create_topics([NewTopic(name, partitions, replication, topic_configs=compacted)
                                     for name in missing])
    finally:
        admin.close()


class FaustWindows:
    def __init__(self, app: faust.App, bootstrap: str, window_s: float, keep: int,
                 security: KafkaSecurity | None = None) -> None:
        self.window_s = window_s
        # Any: faust's WindowWrapperT stub lacks relative_to and key_index_table, which WindowWrapper has
        self.table: Any = cast(Any, app.Table(TABLE, default=float, partitions=app.conf.topic_partitions
                               ).tumbling(window_s, expires=window_s * keep, key_index=True))
        self._latest = 0.0
        tables = (self.table.table, self.table.key_index_table)
        changelogs = [t.changelog_topic.get_topic_name() for t in tables]
        ensure_changelogs(bootstrap, changelogs, app.conf.topic_partitions, app.conf.topic_replication_factor,
                          security)

    def add(self, increment: Increment) -> None:
        event = faust.current_event()
        if event is None:
            raise RuntimeError("indicator increments must be written while consuming an event")
        partition = event.message.partition
        at_event_time = self.table.relative_to(increment.ts)
        group = list(group_of(increment.who))
        for name, value in increment.counters.items():
            at_event_time[json.dumps([partition, *group, name])] += value
        self._latest = max(self._latest, increment.ts - increment.ts % self.window_s)

    def current(self) -> tuple[float, dict[GroupKey, dict[str, float]]]:
        sums: dict[GroupKey, dict[str, float]] = {}
        if not self._latest:
            return self._latest, sums
        at_window = self.table.relative_to(self._latest)
        for key in list(self.table.key_index_table.keys()):  # every key ever written (not yet expired)
            value: Any = at_window[key].value()  # the window holding _latest (relative_to)
            if not value:
                continue
            _, tenant, team, experiment, arm, name = json.loads(key)
            counters = sums.setdefault((tenant, team, experiment, arm), {})
            counters[name] = counters.get(name, 0.0) + float(value)
        return self._latest, sums
