"""A call's state, built only from what was said, classified and alerted: the one source every
summary is composed from and verified against.

Applying an event is idempotent: an event at or below the last applied seq, or an alert already
counted, changes nothing, so a redelivery after a restart cannot double-count.
"""

from __future__ import annotations

import re
import time

from seatcopilot import sentiment
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm

from services.summarizer import facts
from services.summarizer.lexicon import Lexicon

PROMISE = re.compile(r"\b(?:i can|i'll|i will|i could|i'm able to|i am able to|i'm going to|let me)\s+"
                     r"(?:pay|make|send|do|put)\b", re.IGNORECASE)
PROMISE_INTENTS = frozenset({"promise_to_pay", "payment_arrangement"})
# A promise needs a payment cue besides the intent: "Send $1,630 to Amir" is a transfer, not a promise.
PAYMENT_CUE = re.compile(r"\b(?:pay|paying|paid|payment|payments)\b", re.IGNORECASE)
SCENARIO_ROLE = {ev.SCENARIO_SALES: ev.ROLE_SALES, ev.SCENARIO_SERVICE: ev.ROLE_SERVICE,
                 ev.SCENARIO_COLLECTIONS: ev.ROLE_COLLECTIONS}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Dates more years back than this are identity data (a date of birth), not facts of the call.
DATE_YEARS_BACK = 5


def new_state(call_id: str, tenant: str = "") -> sm.CallState:
    return sm.CallState(call_id=call_id, tenant=tenant)


def _fact_key(kind: str, value: str) -> tuple[str, str]:
    return kind, facts.canonical_number(value) if kind == "amount" else value.lower()


def _add_fact(state: sm.CallState, kind: str, value: str, event: ev.CallEvent) -> None:
    if any(_fact_key(f.kind, f.value) == _fact_key(kind, value) for f in state.facts):
        return
    state.facts.append(sm.Fact(kind=kind, value=value, seq=event.seq, speaker=event.speaker))


def _add_unique(values, new: list[str]) -> None:
    for value in new:
        if value not in values:
            values.append(value)


def _sentence_with(text: str, pattern: re.Pattern[str]) -> str:
    return next((s.strip() for s in _SENTENCE.split(text) if pattern.search(s)), text.strip())


def sentiment_score(text: str, lexicon: Lexicon) -> float | None:
    """Positive minus negative cues over all cues (the shared scoring the console's floor uses too)."""
    return sentiment.score(text, lexicon)


def _lifecycle(state: sm.CallState, event: ev.CallEvent) -> None:
    if event.type == ev.EVENT_TYPE_HOLD:
        state.on_hold = True
    elif event.type == ev.EVENT_TYPE_RESUME:
        state.on_hold = False
    elif event.type == ev.EVENT_TYPE_TRANSFER:
        state.transfers.append(event.transfer_to_role)
        state.current_role = event.transfer_to_role
    elif event.type == ev.EVENT_TYPE_CALL_ENDED:
        state.ended = True
        state.ended_at.CopyFrom(event.ts)
    elif event.type == ev.EVENT_TYPE_DISPOSITION:
        state.platform_disposition = event.text.strip().upper()


def _customer_turn(state: sm.CallState, event: ev.CallEvent, intent: str, lexicon: Lexicon,
                   amounts: list[str], dates: list[str]) -> None:
    state.customer_turns += 1
    if intent and intent != "unknown":
        _add_unique(state.intents, [intent])
        item = lexicon.follow_up_intents.get(intent)
        if item and not any(o.kind == "customer_request" and o.text == item for o in state.open_items):
            state.open_items.append(sm.OpenItem(kind="customer_request", text=item, seq=event.seq))
    if (PROMISE.search(event.text) or (intent in PROMISE_INTENTS and PAYMENT_CUE.search(event.text))) and amounts:
        date = facts.date_near(event.text, amounts[0], dates)
        amount = facts.canonical_number(amounts[0])
        if not any(facts.canonical_number(p.amount) == amount and p.date == date for p in state.promises):
            state.promises.append(sm.PromiseToPay(amount=amounts[0], date=date, seq=event.seq))
    score = sentiment_score(event.text, lexicon)
    if score is not None:
        state.sentiment.append(sm.SentimentPoint(seq=event.seq, score=score))


def _confirm_promise(state: sm.CallState, text: str, amounts: list[str], dates: list[str]) -> None:
    """An operator restating a promise with a calendar date ("$200 on December 1st") pins down a
    relative one ("the 1st of next month")."""
    for promise in state.promises:
        match = next((a for a in amounts if facts.canonical_number(a) == facts.canonical_number(promise.amount)), "")
        date = facts.date_near(text, match, dates) if match else ""
        if date and facts.calendar_words_in(date) and not facts.calendar_words_in(promise.date) \
                and date.lower() not in promise.date.lower():
            promise.date = f"{promise.date} ({date})" if promise.date else date


def _operator_turn(state: sm.CallState, event: ev.CallEvent, lexicon: Lexicon,
                   amounts: list[str], dates: list[str]) -> None:
    state.operator_turns += 1
    _confirm_promise(state, event.text, amounts, dates)
    if lexicon.operator_commitment.search(event.text):
        state.open_items.append(sm.OpenItem(kind="operator_commitment", seq=event.seq,
                                            text=_sentence_with(event.text, lexicon.operator_commitment)))


def _callback(state: sm.CallState, event: ev.CallEvent, lexicon: Lexicon, dates: list[str]) -> None:
    if lexicon.callback.search(event.text):
        state.callbacks.append(sm.Callback(when=dates[0] if dates else "", seq=event.seq,
                                           requested_by=event.speaker))


def _money(amount: float) -> str:
    return f"${amount:,.2f}".removesuffix(".00")


def adopt_dialogue(state: sm.CallState, dialogue: dg.DialogueState) -> None:
    """Promises, callbacks, amounts and dates as the classifier stage's dialogue state holds them."""
    state.dialogue.CopyFrom(dialogue)
    del state.promises[:]
    state.promises.extend(sm.PromiseToPay(amount=_money(p.amount), date=p.date, seq=p.seq, schedule=p.schedule)
                          for p in dialogue.promises)
    del state.callbacks[:]
    state.callbacks.extend(sm.Callback(when=c.when, seq=c.seq, requested_by=c.requested_by)
                           for c in dialogue.callbacks)
    kept = [f for f in state.facts if f.kind not in ("amount", "date")]
    del state.facts[:]
    state.facts.extend(kept)
    seen: set[tuple[str, str]] = set()
    for mention in dialogue.mentions:
        if (mention.name, mention.text) not in seen:
            seen.add((mention.name, mention.text))
            state.facts.append(sm.Fact(kind=mention.name, value=mention.text, seq=mention.seq,
                                       speaker=mention.speaker))


def apply_event(state: sm.CallState, event: ev.CallEvent, intent: str, lexicon: Lexicon,
                max_turns: int, dialogue: dg.DialogueState | None = None) -> bool:
    """Applies one transcript event; False (and nothing changed) for one already applied. With the
    classifier stage's dialogue state, promises, callbacks, amounts and dates come from it."""
    if state.last_seq and event.seq <= state.last_seq:
        return False
    state.last_seq = event.seq
    state.tenant = state.tenant or event.tenant
    state.scenario = state.scenario or event.scenario
    state.current_role = state.current_role or SCENARIO_ROLE.get(event.scenario, ev.ROLE_UNSPECIFIED)
    state.team_id = event.team_id or state.team_id
    if event.operator_id and event.operator_id not in state.operator_ids:
        state.operator_ids.append(event.operator_id)
    if not state.HasField("started_at") and event.HasField("ts"):
        state.started_at.CopyFrom(event.ts)
    _lifecycle(state, event)
    if event.type != ev.EVENT_TYPE_UTTERANCE:
        return True
    state.turns.append(sm.Turn(seq=event.seq, speaker=event.speaker, text=event.text, intent=intent))
    if len(state.turns) > max_turns:
        del state.turns[0]
        state.turns_dropped += 1
    owned = dialogue is not None and dialogue.last_seq > 0
    year = time.gmtime(event.ts.seconds if event.HasField("ts") else time.time()).tm_year
    amounts, dates = ([], []) if owned else (
        facts.amounts_in(event.text), facts.dates_in(event.text, oldest_year=year - DATE_YEARS_BACK))
    for kind, values in (("amount", amounts), ("date", dates), ("product", lexicon.products_in(event.text))):
        for value in values:
            _add_fact(state, kind, value, event)
    if event.speaker == ev.SPEAKER_CUSTOMER:
        _customer_turn(state, event, intent, lexicon, amounts, dates)
    else:
        _operator_turn(state, event, lexicon, amounts, dates)
    if dialogue is not None and owned:
        adopt_dialogue(state, dialogue)
    else:
        _callback(state, event, lexicon, dates)
    return True


def apply_compliance_state(state: sm.CallState, compliance: cp.CallComplianceState) -> bool:
    """Obligations compliance reports given join the call's disclosures given. Compliance owns that fact
    (it recognises a disclosure in any wording); a redelivered or older state adds nothing."""
    given = [o.id for o in compliance.obligations
             if o.status == cp.OBLIGATION_STATUS_GIVEN and o.id not in state.disclosures_given]
    _add_unique(state.disclosures_given, given)
    state.tenant = state.tenant or compliance.call.tenant
    state.scenario = state.scenario or compliance.call.scenario
    return bool(given)


def alert_key(alert: cp.Alert) -> str:
    return f"{alert.call.seq}:{','.join(sorted(alert.rule_ids))}"


def apply_alert(state: sm.CallState, alert: cp.Alert) -> bool:
    """Counts a compliance alert once; False for one already counted."""
    key = alert_key(alert)
    if key in state.alert_keys:
        return False
    state.alert_keys.append(key)
    state.compliance_events.append(sm.ComplianceEvent(
        rule_ids=list(alert.rule_ids), severity=bare_enum_name(cp.Severity.DESCRIPTOR, alert.severity),
        seq=alert.call.seq, operator_id=alert.call.operator_id))
    state.tenant = state.tenant or alert.call.tenant
    state.scenario = state.scenario or alert.call.scenario
    return True


def compliance_rule_ids(state: sm.CallState) -> list[str]:
    ids: list[str] = []
    for event in state.compliance_events:
        _add_unique(ids, list(event.rule_ids))
    return ids


def sentiment_trend(state: sm.CallState) -> str:
    """Later customer turns against earlier ones: improving, worsening, steady; unknown below 2 points."""
    scores = [p.score for p in state.sentiment]
    if len(scores) < 2:
        return "unknown"
    third = max(1, len(scores) // 3)
    change = sum(scores[-third:]) / third - sum(scores[:third]) / third
    return "improving" if change > 0.25 else "worsening" if change < -0.25 else "steady"


def role_name(role: int) -> str:
    return bare_enum_name(ev.Role.DESCRIPTOR, role)


def scenario_name(scenario: int) -> str:
    return bare_enum_name(ev.Scenario.DESCRIPTOR, scenario)


def handle_time_s(state: sm.CallState) -> float:
    if not (state.HasField("started_at") and state.HasField("ended_at")):
        return 0.0
    return max(0.0, (state.ended_at.ToNanoseconds() - state.started_at.ToNanoseconds()) / 1e9)


def compact(state: sm.CallState) -> None:
    """An ended call keeps its facts but not its transcript (the summaries are written by then)."""
    state.turns_dropped += len(state.turns)
    del state.turns[:]
