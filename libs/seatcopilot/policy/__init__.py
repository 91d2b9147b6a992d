"""Compliance policy packs (YAML): loaded here because compliance enforces them, generation passes
their banned phrases to the model as bad words, and the summarizer reports the disclosures owed.

A pack is one tenant's rules. It is a single YAML file, or a directory holding `pack.yaml` (id,
version, tenant, settings) and one file per scenario (`sales.yaml`, `collections.yaml`, ...) whose
top-level `scenarios` is the default of every entry in it. A pack may `extends` a sibling pack:
it inherits its entries, replaces those with the same id and drops the ids it lists as `disabled`.
A directory of pack directories is a catalog: one pack per tenant (`load_policies`).

One module per job: `model` (the pack's rules, signals, obligations and calling hours, and how each
matches text), `matching` (phrases and patterns to compiled matchers), `entries` (one YAML entry to a
checked model object), `packs` (files, `extends` and `disabled` to a Policy; catalogs of packs).
"""

from seatcopilot.policy.entries import SEVERITIES, PolicyError
from seatcopilot.policy.matching import compile_matchers, phrase_pattern
from seatcopilot.policy.model import CallingHours, Obligation, Policy, Rule, Signal
from seatcopilot.policy.packs import DEFAULT_POLICIES, DEFAULT_POLICY, POLICIES_ROOT, load_policies, load_policy

__all__ = ["DEFAULT_POLICIES", "DEFAULT_POLICY", "POLICIES_ROOT", "SEVERITIES", "CallingHours", "Obligation",
           "Policy", "PolicyError", "Rule", "Signal", "compile_matchers", "load_policies", "load_policy",
           "phrase_pattern"]
