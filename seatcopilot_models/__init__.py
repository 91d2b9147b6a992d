"""Model construction and evaluation: data engineering, three-stage LoRA training, export to the Triton
model repository, and an evaluation harness with reports and a regression gate.

One module per concern; `seatcopilot data|train|eval|modelkit` drive them (see docs/model-construction.md).
Independent of the running services: it uses the shared libs (redaction, policy packs, model backends)
and the compliance engine to score drafts.
"""
