"""The dialogue state: what a call has established, by speaker and turn, owned by this stage.

Each transcript event updates its call's state (a later value or a correction replaces an earlier one,
which is kept in `replaced`), and the classified event carries the state after it, so retrieval,
generation and the summarizer read the facts instead of re-extracting them. The states live in the
transport's state table (on Kafka a Faust table restored from its changelog after a restart).
Applying an event is idempotent: one at or below the last applied seq changes nothing.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import UTC, date, datetime

from seatcopilot import codec
from seatcopilot import utterance_facts as extraction
from seatcopilot.calls import call_key
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.transport.base import StateTable

from services.classifier import spoken

MONEY_SLOTS = ("amount", "annual_income", "monthly_debt")


def slot_text(name: str, value: float | str) -> str:
    if name in MONEY_SLOTS:
        return f"${value:,.2f}".removesuffix(".00")
    if name == "term_months":
        return f"{int(value)} months"
    if name in ("apr", "debt_to_income"):
        return f"{value * 100 if name == 'debt_to_income' else value:g}%"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def current(state: dg.DialogueState, name: str) -> dg.Slot | None:
    return next((s for s in state.slots if s.name == name), None)


def set_slot(state: dg.DialogueState, name: str, value: float | str, event: ev.CallEvent) -> None:
    """Sets a slot; an earlier, different value moves to `replaced` (a correction or a newer statement)."""
    number = value if isinstance(value, float | int) else 0.0
    new = dg.Slot(name=name, number=float(number), text=slot_text(name, value), seq=event.seq, speaker=event.speaker)
    old = current(state, name)
    if old is not None:
        if old.text == new.text:
            return
        state.replaced.append(old)
        state.slots.remove(old)
    state.slots.append(new)


def _event_day(event: ev.CallEvent) -> date:
    seconds = event.ts.seconds if event.HasField("ts") else datetime.now(UTC).timestamp()
    return datetime.fromtimestamp(seconds, UTC).date()


def _date_text(said: str, resolved: date) -> str:
    return f"{resolved.isoformat()} ({said})"


def _mentions(state: dg.DialogueState, text: str, event: ev.CallEvent,
              dates: list[tuple[str, date, int]]) -> None:
    for match in extraction._MONEY.finditer(text):
        value = extraction._dollars(match)
        state.mentions.append(dg.Slot(name="amount", number=value, text=slot_text("amount", value), seq=event.seq,
                                      speaker=event.speaker))
    for said, resolved, _ in dates:
        state.mentions.append(dg.Slot(name="date", text=_date_text(said, resolved), seq=event.seq,
                                      speaker=event.speaker))


def _date_after(position: int, dates: list[tuple[str, date, int]]) -> str:
    """The date said closest after a position (an amount: "350 on the 1st"), else closest before it."""
    after = [d for d in dates if d[2] >= position]
    chosen = min(after, key=lambda d: d[2]) if after else (max(dates, key=lambda d: d[2]) if dates else None)
    return _date_text(chosen[0], chosen[1]) if chosen else ""


def _correction(state: dg.DialogueState, text: str, found: dict[str, float | str], event: ev.CallEvent) -> None:
    corrected = extraction.corrected_value(text)
    if corrected is None:
        return
    name, value = corrected
    same_kind = {"money": MONEY_SLOTS, "term_months": ("term_months",)}.get(name, tuple(found))
    if any(slot in found for slot in same_kind):  # the turn names the slot itself ("I'd rather borrow $15,000")
        return
    if name in ("money", "number"):  # the slot last set that can hold such a value
        fits = MONEY_SLOTS if name == "money" else ("credit_score",) if 300 <= value <= 850 else (
            ("term_months",) if 6 <= value <= 120 else ())  # "how about 3 o'clock" corrects nothing
        candidates = [s for s in state.slots if s.name in fits]
        if not candidates:
            return
        name = max(candidates, key=lambda s: s.seq).name
    set_slot(state, name, int(value) if name in ("credit_score", "term_months") else value, event)


def _customer_turn(state: dg.DialogueState, text: str, event: ev.CallEvent,
                   dates: list[tuple[str, date, int]]) -> None:
    found = extraction.customer_slots(text)
    for name, value in found.items():
        set_slot(state, name, value, event)
    _correction(state, text, found, event)
    for product in extraction.mentioned_products(text):
        if product not in state.products:
            state.products.append(product)
    promised = extraction.promised_amount(text)
    if promised is not None:
        amount, position = promised
        state.promises.append(dg.PaymentPromise(amount=amount, date=_date_after(position, dates),
                                                schedule=extraction.schedule(text), seq=event.seq))
    state.hardship = state.hardship or bool(extraction.HARDSHIP.search(text))
    if extraction.THIRD_PARTY.search(text):
        state.third_party, state.third_party_seq = True, event.seq
    if extraction.CARD_OFFER.search(text):
        state.card_details_offered, state.card_details_seq = True, event.seq


def _operator_turn(state: dg.DialogueState, text: str, event: ev.CallEvent,
                   dates: list[tuple[str, date, int]]) -> None:
    if extraction.IDENTITY_CONFIRMED.search(text):
        state.identity_verified = True
    for promise in state.promises:  # an operator restating a promise with a calendar date pins a relative one
        if promise.date and dates and f"${promise.amount:,.0f}" in text:
            said, resolved, _ = dates[0]
            if promise.date.startswith(resolved.isoformat()) and said.lower() not in promise.date.lower():
                promise.date = f"{promise.date[:-1]}, {said})"


def apply(state: dg.DialogueState, event: ev.CallEvent) -> bool:
    """Applies one transcript event; False (nothing changed) for one already applied or not an utterance."""
    if state.last_seq and event.seq <= state.last_seq:
        return False
    state.last_seq = event.seq
    if event.type != ev.EVENT_TYPE_UTTERANCE:
        return True
    text = spoken.normalize(event.text)
    dates = spoken.dates_in(text, _event_day(event))
    _mentions(state, text, event, dates)
    if event.speaker == ev.SPEAKER_CUSTOMER:
        _customer_turn(state, text, event, dates)
    else:
        _operator_turn(state, text, event, dates)
    if extraction.CALLBACK.search(text):
        state.callbacks.append(dg.Callback(when=_date_after(0, dates), seq=event.seq, requested_by=event.speaker))
    return True


class DialogueStates:
    """Dialogue states by (tenant, call_id), serialized into the transport's state table (or a dict in tests):
    two tenants' calls with the same id never share a state."""

    def __init__(self, table: StateTable | MutableMapping[str, bytes] | None = None) -> None:
        self.table: StateTable | MutableMapping[str, bytes] = {} if table is None else table

    def get(self, tenant: str, call_id: str) -> dg.DialogueState:
        raw = self.table.get(call_key(tenant, call_id))
        return dg.DialogueState(call_id=call_id) if raw is None else codec.decode(raw, dg.DialogueState)

    def observe(self, event: ev.CallEvent) -> dg.DialogueState:
        """The call's state after the event; an ended call's state is dropped once published."""
        key = call_key(event.tenant, event.call_id)
        state = self.get(event.tenant, event.call_id)
        if apply(state, event) and event.type != ev.EVENT_TYPE_CALL_ENDED:
            self.table[key] = codec.encode(state)
        elif event.type == ev.EVENT_TYPE_CALL_ENDED and key in self.table:
            del self.table[key]
        return state
