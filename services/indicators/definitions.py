"""The business indicators, defined as data: each is a ratio of two event counters summed over a
window (or over an operator's calls in the impact report), with a unit and a direction.

The counters are what `logic.IndicatorEngine` derives from the event streams; their names are the
vocabulary of every formula below. Dispositions are the codes platforms send as the text of a
DISPOSITION event (see docs/indicators.md).
"""

from __future__ import annotations

from dataclasses import dataclass

HIGHER = "higher_is_better"
LOWER = "lower_is_better"

COUNTERS = (
    "calls", "sales_calls", "applications", "loans_booked", "application_amount",
    "service_calls", "service_resolved_first_contact", "service_handle_seconds", "service_dispositioned",
    "service_acw_seconds", "service_transfers",
    "collections_calls", "right_party_contacts", "promises", "promises_kept", "promises_resolved",
    "violations", "calls_disclosure_late",
    "suggestions_shown", "suggestions_accepted", "suggestions_edited", "suggestions_dismissed",
    "suggestions_acted_timed", "accept_seconds",
)


@dataclass(frozen=True)
class Indicator:
    name: str
    scenario: str
    numerator: str
    denominator: str
    unit: str
    direction: str
    scale: float = 1.0
    # The complement (1 - ratio): "on time" counted from the late ones.
    complement: bool = False
    # A guardrail must not get worse in the treatment arm.
    guardrail: bool = False

    @property
    def formula(self) -> str:
        ratio = f"{self.numerator} / {self.denominator}"
        if self.complement:
            ratio = f"1 - {ratio}"
        return f"{self.scale:g} × ({ratio})" if self.scale != 1 else ratio

    def value(self, counters: dict[str, float]) -> float | None:
        """None when the denominator is zero."""
        denominator = counters.get(self.denominator, 0.0)
        if denominator <= 0:
            return None
        ratio = counters.get(self.numerator, 0.0) / denominator
        return self.scale * ((1 - ratio) if self.complement else ratio)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("sales.contact_to_application", "SALES", "applications", "sales_calls", "ratio", HIGHER),
    Indicator("sales.conversion", "SALES", "loans_booked", "sales_calls", "ratio", HIGHER),
    Indicator("sales.average_amount", "SALES", "application_amount", "applications", "currency", HIGHER),
    Indicator("service.first_contact_resolution", "SERVICE", "service_resolved_first_contact", "service_calls",
              "ratio", HIGHER),
    Indicator("service.handle_time", "SERVICE", "service_handle_seconds", "service_calls", "seconds", LOWER),
    Indicator("service.after_call_work", "SERVICE", "service_acw_seconds", "service_dispositioned", "seconds",
              LOWER),
    Indicator("service.transfer_rate", "SERVICE", "service_transfers", "service_calls", "ratio", LOWER),
    Indicator("collections.right_party_contact", "COLLECTIONS", "right_party_contacts", "collections_calls",
              "ratio", HIGHER),
    Indicator("collections.promise_to_pay_rate", "COLLECTIONS", "promises", "right_party_contacts", "ratio",
              HIGHER),
    Indicator("collections.promises_kept", "COLLECTIONS", "promises_kept", "promises_resolved", "ratio", HIGHER),
    Indicator("compliance.violations_per_100_calls", "COMPLIANCE", "violations", "calls", "per 100 calls", LOWER,
              scale=100.0, guardrail=True),
    Indicator("compliance.disclosures_on_time", "COMPLIANCE", "calls_disclosure_late", "calls", "ratio", HIGHER,
              complement=True, guardrail=True),
    Indicator("copilot.suggestions_shown_per_call", "COPILOT", "suggestions_shown", "calls", "per call", HIGHER),
    Indicator("copilot.acceptance_rate", "COPILOT", "suggestions_accepted", "suggestions_shown", "ratio", HIGHER),
    Indicator("copilot.edit_rate", "COPILOT", "suggestions_edited", "suggestions_shown", "ratio", LOWER),
    Indicator("copilot.time_to_accept", "COPILOT", "accept_seconds", "suggestions_acted_timed", "seconds", LOWER),
)
BY_NAME = {indicator.name: indicator for indicator in INDICATORS}


def check_definitions() -> None:
    """Every formula names known counters (run at start and in the tests)."""
    for indicator in INDICATORS:
        unknown = {indicator.numerator, indicator.denominator} - set(COUNTERS)
        if unknown:
            raise ValueError(f"{indicator.name} uses unknown counters {sorted(unknown)}")
