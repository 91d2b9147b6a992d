"""What the summarizer remembers of a call: built only from what was said and classified."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from seatcopilot.codec import bare_enum_name
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.policy import Policy

AMOUNT = re.compile(r"\$\s?\d[\d,]*(?:\.\d{2})?|\b\d[\d,]*(?:\.\d{2})?\s+dollars\b", re.IGNORECASE)
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE = re.compile(
    rf"\b(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+of\s+(?:{MONTHS}|next month|"
    r"this month)|the\s+\d{1,2}(?:st|nd|rd|th)\s+of\s+(?:next|this)\s+month|(?:next\s+)?(?:monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)|tomorrow|next week|end of the month)\b",
    re.IGNORECASE,
)
PROMISE = re.compile(r"\b(?:i can|i'll|i will|i could|i'm able to|i am able to)\s+(?:pay|make|send|do)\b",
                     re.IGNORECASE)
PROMISE_INTENTS = {"promise_to_pay", "payment_arrangement"}


@dataclass
class CallState:
    call_id: str
    tenant: str = ""
    scenario: str = ""
    operator_ids: list[str] = field(default_factory=list)
    team_id: str = ""
    intents: list[str] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)
    disclosures_given: list[str] = field(default_factory=list)
    compliance_rule_ids: list[str] = field(default_factory=list)
    transfers: list[str] = field(default_factory=list)
    customer_turns: int = 0
    operator_turns: int = 0
    on_hold: bool = False
    ended: bool = False

    def add_unique(self, values: list[str], new: list[str]) -> None:
        for value in new:
            if value not in values:
                values.append(value)

    def observe(self, event: ev.CallEvent, intent: str, policy: Policy) -> None:
        self.tenant = self.tenant or event.tenant
        self.scenario = self.scenario or bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario)
        self.team_id = event.team_id or self.team_id
        if event.operator_id:
            self.add_unique(self.operator_ids, [event.operator_id])
        if event.type == ev.EVENT_TYPE_HOLD:
            self.on_hold = True
        elif event.type == ev.EVENT_TYPE_RESUME:
            self.on_hold = False
        elif event.type == ev.EVENT_TYPE_TRANSFER:
            self.transfers.append(bare_enum_name(ev.Role.DESCRIPTOR, event.transfer_to_role))
        elif event.type == ev.EVENT_TYPE_CALL_ENDED:
            self.ended = True
        if event.type != ev.EVENT_TYPE_UTTERANCE:
            return
        amounts = [a.strip() for a in AMOUNT.findall(event.text)]
        dates = [d.strip() for d in DATE.findall(event.text)]
        self.add_unique(self.amounts, amounts)
        self.add_unique(self.dates, dates)
        if event.speaker == ev.SPEAKER_CUSTOMER:
            self.customer_turns += 1
            if intent and intent != "unknown":
                self.add_unique(self.intents, [intent])
            if (intent in PROMISE_INTENTS or PROMISE.search(event.text)) and amounts:
                when = f" on {dates[0]}" if dates else ""
                self.add_unique(self.commitments, [f"promise to pay {amounts[0]}{when}"])
        else:
            self.operator_turns += 1
            self.add_unique(self.disclosures_given,
                            [o.id for o in policy.obligations if o.satisfied(event.text)])
