# Seat Copilot — every entry point a developer or CI needs.
SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help env protos check-protos lint run replay test test-unit up down infra-up infra-down infra-clean models model-chain bench faults clean images

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

# The heavy environment (torch, transformers, ...) is built once per machine by scripts/bootstrap.sh;
# .venv is this checkout's light layer on top of it, holding the project itself.
$(VENV)/.ready: requirements.lock requirements-native.lock scripts/bootstrap.sh scripts/make_env.sh pyproject.toml
	@scripts/make_env.sh "$(VENV)"

env: $(VENV)/.ready ## Install everything the project needs (once per machine; reused by every clone)

protos: $(VENV)/.ready ## Regenerate the Python code for protos/ into libs/
	@$(PY) scripts/gen_protos.py --out libs

check-protos: $(VENV)/.ready ## Fail when the generated code differs from what protos/ produce
	@$(PY) scripts/gen_protos.py --check libs

lint: $(VENV)/.ready ## ruff, and mypy over the hand-written code (settings in pyproject.toml)
	@$(VENV)/bin/ruff check .
	@$(PY) -m mypy

models: $(VENV)/.ready ## Build the local models the pipeline needs (outside git)
	@$(VENV)/bin/seatcopilot models build

images: $(VENV)/.ready models ## Every service image and the Triton CPU image, with podman (no registry needed)
	@scripts/build_images.sh

model-chain: $(VENV)/.ready ## Build and judge a copilot model on the CPU: data → 3 LoRA stages → export → report
	@$(VENV)/bin/seatcopilot modelkit chain --profile smoke

run: $(VENV)/.ready models ## The embedded demo: replays bundled calls, console on http://127.0.0.1:8080
	@$(VENV)/bin/seatcopilot demo

test: $(VENV)/.ready ## The whole suite: starts and stops Kafka, Neo4j and Triton itself
	@scripts/run_tests.sh

test-unit: $(VENV)/.ready models ## Unit tests only (in-process transport, no servers)
	@$(PY) -m pytest -m "not kafka and not neo4j and not triton and not e2e" -q

bench: $(VENV)/.ready ## Measure: prints tables (artifacts/bench/report.md); starts and stops the servers it needs
	@scripts/run_bench.sh

faults: $(VENV)/.ready ## Fault suite on make up's topology: prints its report (artifacts/faults/report.md)
	@scripts/run_faults.sh

up: $(VENV)/.ready ## Kafka, Neo4j, Triton and every service as its own process
	@scripts/up.sh start

down: ## Stop everything make up started
	@scripts/up.sh stop

infra-up: ## Start only Kafka and Neo4j
	@scripts/infra.sh start all

infra-down: ## Stop Kafka and Neo4j
	@scripts/infra.sh stop all

infra-clean: ## Stop Kafka and Neo4j and delete their data
	@scripts/infra.sh clean all

clean: down infra-clean ## Remove run state and the checkout's light environment
	rm -rf .run $(VENV)
