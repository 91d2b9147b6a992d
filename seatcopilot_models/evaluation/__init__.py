"""The evaluation harness: suites at three levels, a judge, a safety suite, latency by replay, reports
and a regression gate (see docs/model-construction.md)."""
