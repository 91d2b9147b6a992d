"""Platform adapters: each maps one platform's real-time transcript events to the call event contract."""

from __future__ import annotations

from services.intake.adapters.amazon_connect import AmazonConnectAdapter
from services.intake.adapters.base import Adapter, Mapped, PayloadRejected, Piece, Source
from services.intake.adapters.generic import GenericAdapter
from services.intake.adapters.genesys_cloud import GenesysCloudAdapter
from services.intake.adapters.twilio import TwilioAdapter

__all__ = ["Adapter", "Mapped", "PayloadRejected", "Piece", "Source", "build_adapters"]


def build_adapters(adopt_window_s: float) -> dict[str, Adapter]:
    """One adapter per platform, keyed by the name used in webhook paths."""
    adapters: list[Adapter] = [AmazonConnectAdapter(adopt_window_s), GenesysCloudAdapter(adopt_window_s),
                               TwilioAdapter(adopt_window_s), GenericAdapter()]
    return {adapter.platform: adapter for adapter in adapters}
