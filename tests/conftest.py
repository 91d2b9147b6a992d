"""Session-wide settings. Unit tests run on the in-process transport; integration and end-to-end tests need
the real servers that `make test` starts (scripts/run_tests.sh). Shared helpers are in tests/helpers/."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tests judge the base model's behaviour even in a checkout where the model kit built one (served by make run).
os.environ.setdefault("SEATCOPILOT_LLM", "base")
