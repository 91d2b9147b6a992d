from dataclasses import dataclass

import pytest
from seatcopilot.config import CommonConfig, ConfigError, env, load


def test_defaults_load():
    assert load(CommonConfig, {}).transport == "kafka"


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as error:
        load(CommonConfig, {"SEATCOPILOT_TRANSPORT": "carrier-pigeon", "GRPC_PORT": "abc", "DRAIN_SECONDS": "-1"})
    message = str(error.value)
    assert "SEATCOPILOT_TRANSPORT must be one of" in message
    assert "GRPC_PORT" in message
    assert "DRAIN_SECONDS must be at least 0" in message


def test_required_settings_are_named():
    @dataclass(frozen=True)
    class Needs:
        token: str = env("SOME_TOKEN", help="the token")

    with pytest.raises(ConfigError, match="SOME_TOKEN is required"):
        load(Needs, {})


def test_topic_partitions_and_replication_reach_the_kafka_transport():
    """The chart's kafka.topics values arrive as KAFKA_TOPIC_PARTITIONS / KAFKA_REPLICATION_FACTOR; the
    transport sizes the topics and changelogs it declares with them (6 and 1 by default)."""
    from seatcopilot import transport

    common = load(CommonConfig, {"KAFKA_TOPIC_PARTITIONS": "12", "KAFKA_REPLICATION_FACTOR": "3"})
    bus = transport.create("kafka", "g-test", "127.0.0.1:1", common.kafka_partitions, common.kafka_replication)
    assert (bus.partitions, bus.app.conf.topic_partitions, bus.app.conf.topic_replication_factor) == (12, 12, 3)
    default = load(CommonConfig, {})
    assert (default.kafka_partitions, default.kafka_replication) == (6, 1)
