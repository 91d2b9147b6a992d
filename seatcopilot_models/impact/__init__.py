"""The impact of an experiment arm: its statistics (stats), the report an experiment gets (report), and a
simulator with a known injected effect that validates both (simulation)."""
