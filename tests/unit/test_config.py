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
