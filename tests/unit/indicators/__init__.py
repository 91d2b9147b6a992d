"""The indicators service: counters and windows, experiments and their impact."""
