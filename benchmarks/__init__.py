"""`make bench`: each `bench_*.py` module here measures one thing and returns tables to print.

A module defines `NEEDS` (the servers it needs: any of "kafka", "neo4j", "triton") and
`run() -> list[Table]`. Figures are printed, never asserted: speed targets live here, not in tests.
"""
