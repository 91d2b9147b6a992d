"""What the call has established about the customer (products, state, amounts, income, debts, credit
score, term), as retrieval follows the graph and checks eligibility with it. The classifier stage owns
these facts (its dialogue state, carried on every classified event); the per-call memory here reads them
from the utterance only for gRPC requests that carry no dialogue state.

Only customer speech counts: an operator quoting "$24,000 a year" is stating a rule, not the
customer's income. Values are never logged.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.us_states import STATE_CODES
from seatcopilot.utterance_facts import asks_about_eligibility, customer_slots, mentioned_products

__all__ = ["STATE_CODES", "CallMemory", "CustomerAttributes", "asks_about_eligibility", "extract_attributes",
           "from_dialogue"]

@dataclass(frozen=True)
class CustomerAttributes:
    annual_income: float | None = None
    monthly_debt: float | None = None
    credit_score: int | None = None
    state: str = ""
    amount: float | None = None
    term_months: int | None = None
    debt_to_income: float | None = None
    products: tuple[str, ...] = ()

    def merged(self, newer: CustomerAttributes) -> CustomerAttributes:
        """What the call knows after `newer`: a value said later replaces the earlier one."""
        changes = {name: value for name, value in vars(newer).items() if value not in (None, "", ())}
        return replace(self, **changes)

    def to_proto(self) -> rt.CustomerAttributes:
        message = rt.CustomerAttributes(state=self.state, products=list(self.products))
        for name in ("annual_income", "monthly_debt", "credit_score", "amount", "term_months", "debt_to_income"):
            value = getattr(self, name)
            if value is not None:
                setattr(message, name, value)
        return message

    @classmethod
    def from_proto(cls, message: rt.CustomerAttributes) -> CustomerAttributes:
        def number(name: str) -> float | None:
            return float(getattr(message, name)) if message.HasField(name) else None

        def whole(name: str) -> int | None:
            return int(getattr(message, name)) if message.HasField(name) else None

        return cls(annual_income=number("annual_income"), monthly_debt=number("monthly_debt"),
                   credit_score=whole("credit_score"), state=message.state.upper(), amount=number("amount"),
                   term_months=whole("term_months"), debt_to_income=number("debt_to_income"),
                   products=tuple(message.products))


def extract_attributes(text: str) -> CustomerAttributes:
    """What one customer utterance says about the customer (unset when it says nothing)."""
    found = customer_slots(text)
    term = found.get("term_months")
    score = found.get("credit_score")
    return CustomerAttributes(
        annual_income=_number(found.get("annual_income")), monthly_debt=_number(found.get("monthly_debt")),
        credit_score=int(score) if score is not None else None, state=str(found.get("state", "")),
        amount=_number(found.get("amount")), term_months=int(term) if term is not None else None,
        debt_to_income=_number(found.get("debt_to_income")), products=tuple(mentioned_products(text)))


def _number(value: float | str | None) -> float | None:
    """A numeric slot's value (the slot readers give numbers for these; state is the only text slot)."""
    return None if value is None else float(value)


def from_dialogue(state: dg.DialogueState) -> CustomerAttributes:
    """The customer's attributes as the classifier stage's dialogue state holds them."""
    slots = {s.name: s for s in state.slots}

    def number(name: str) -> float | None:
        return slots[name].number if name in slots else None

    score, term = number("credit_score"), number("term_months")
    return CustomerAttributes(
        annual_income=number("annual_income"), monthly_debt=number("monthly_debt"),
        credit_score=int(score) if score is not None else None,
        state=slots["state"].text if "state" in slots else "", amount=number("amount"),
        term_months=int(term) if term is not None else None, debt_to_income=number("debt_to_income"),
        products=tuple(sorted(state.products)))


class CallMemory:
    """The attributes each live call has established, by call key (seatcopilot.calls.ref_key), bounded (least
    recently active calls go first)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._calls: OrderedDict[str, CustomerAttributes] = OrderedDict()
        self._capacity = capacity

    def learn(self, key: str, text: str) -> CustomerAttributes:
        known = self._calls.get(key, CustomerAttributes()).merged(extract_attributes(text))
        self._calls[key] = known
        self._calls.move_to_end(key)
        if len(self._calls) > self._capacity:
            self._calls.popitem(last=False)
        return known

    def known(self, key: str) -> CustomerAttributes:
        return self._calls.get(key, CustomerAttributes())

    def forget(self, key: str) -> None:
        self._calls.pop(key, None)

    def __len__(self) -> int:
        return len(self._calls)
