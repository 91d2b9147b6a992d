"""What the Kafka integration tests share: the broker `make test` started, with the pipeline's topics."""

import os

import pytest

from seatcopilot_cli.topics import create_topics
from tests.helpers import require_server

# Compliance signs and the console verifies verdicts; on a broker both need the key (make up makes one too).
os.environ.setdefault("VERDICT_KEYS", "integration:integration-verdict-key-0123456789")


@pytest.fixture(scope="module")
def bootstrap():
    require_server("SEATCOPILOT_KAFKA", "Kafka")
    address = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    create_topics(address)
    return address
