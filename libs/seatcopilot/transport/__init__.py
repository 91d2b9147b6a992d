"""Transports: Kafka (Faust) for the distributed mode, in-process for the embedded mode."""

from seatcopilot.transport.base import Handler, Message, StateTable, Transport
from seatcopilot.transport.inprocess import InProcessTransport

__all__ = ["Handler", "InProcessTransport", "Message", "StateTable", "Transport", "create"]


def create(kind: str, group: str, bootstrap: str, partitions: int = 6, replication: int = 1) -> Transport:
    if kind == "inprocess":
        return InProcessTransport()
    from seatcopilot.transport.kafka import KafkaTransport  # Faust is imported only when used

    return KafkaTransport(group, bootstrap, partitions=partitions, replication=replication)
