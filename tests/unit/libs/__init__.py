"""The shared runtime (libs/seatcopilot): codec, config, contracts, transport, TLS, PII and redaction, telemetry."""
