"""The intake service: platform adapters, webhooks, routing."""
