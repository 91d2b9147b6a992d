"""Intake's own metrics. Labels are bounded sets (source, outcome, kind, action, platform, status):
never a call id, a tenant's customer data or any text."""

from __future__ import annotations

from prometheus_client import Counter

EVENTS = Counter("seatcopilot_intake_events_total", "Call events through intake, by source and outcome",
                 ["source", "outcome"])
REDACTIONS = Counter("seatcopilot_intake_redactions_total", "Personal data found and redacted, by kind and action",
                     ["kind", "action"])
ASSEMBLY = Counter("seatcopilot_intake_assembly_total",
                   "Call assembly actions: gaps skipped, partials merged or flushed, split numbers joined...",
                   ["action"])
WEBHOOKS = Counter("seatcopilot_intake_webhook_requests_total", "Webhook requests, by platform and HTTP status",
                   ["platform", "status"])
PLATFORM_PIECES = Counter("seatcopilot_intake_platform_pieces_total",
                          "Pieces of platform payloads (segments, transcripts, callbacks), by platform and outcome",
                          ["platform", "outcome"])
