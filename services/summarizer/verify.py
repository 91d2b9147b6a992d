"""Checking a summary sentence by sentence against the call it summarizes.

A model-written sentence is shown only if it states at least one fact of this call that the call supports
and repeats nothing (neither itself nor a sentence kept before it).

A sentence is supported when every number, calendar word (month, weekday) and product it names was
said in the call, it claims a promise to pay only if the call holds one, and most of its content
words come from the call. The model's sentences that fail are removed from what operators see and
kept apart as unverified; the evaluation's faithfulness score is the share that pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm

from services.summarizer import facts
from services.summarizer.lexicon import Lexicon

MIN_CONTENT_SUPPORT = 0.5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z][a-z']+")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_TRANSCRIPT_LINE = re.compile(r"^\s*(?:the\s+)?(?:customer|operator|agent|caller|user)\s*:", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[(?:CARD|SSN|PHONE|EMAIL)\]")
_SPEECH = re.compile(r"\b(?:i|i'm|i've|i'll|i'd|me|my|we|we're|we'll|we've|our|us|you|you're|you'll|your)\b",
                     re.IGNORECASE)
_PROMISE_CLAIM = re.compile(r"\bpromis\w*|\bagreed to pay\b|\bcommit\w* to pay\b|\bpledged?\b", re.IGNORECASE)
# Words any summary uses to report a conversation; they need not occur in the call itself.
_REPORTING = frozenset("""
customer customers caller user agent operator representative advisor assistant system bank lender company
call called calling calls conversation asked asks asking said says told tells wanted wants would like
explained explains mentioned mentions discussed discusses agreed agrees promised promises requested requests
confirmed confirms stated states raised raises transferred transfer handover summary team also then their
they them about that this with from have will which were been into after before during later again still
following follow well there these those some more other while because since when what where whether
informed informs offered offers provided provides noted notes inquired inquires reported reports gave give
amount amounts figure figures quoted line agreed arranged
""".split())
_STOPWORDS = frozenset("""
that this with have from your you'll you're we'll we're there their they what when which will would could
should about been were into just like also some than then them these those here very more most much only
over such sure okay well does doesn't didn't isn't wasn't hasn't haven't being each both
""".split())


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _stem(word: str) -> str:
    word = word.lower().removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())
            if len(w) > 3 and w not in _STOPWORDS and w not in _REPORTING}


@dataclass
class Evidence:
    """What a call contains, in the forms sentences are compared in."""

    numbers: set[str] = field(default_factory=set)
    calendar: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    has_promise: bool = False
    # Stems of what the state holds about this call (intents, open items, facts): a sentence naming one
    # says something about this call, not about calls in general.
    fact_stems: set[str] = field(default_factory=set)

    def add_text(self, text: str, lexicon: Lexicon) -> None:
        self.numbers |= facts.numbers_in(text)
        self.calendar |= facts.calendar_words_in(text) | facts.iso_month_words(text)
        self.products |= set(lexicon.products_in(text))
        self.stems |= content_stems(text)


def evidence_from_texts(texts: Iterable[str], lexicon: Lexicon, has_promise: bool | None = None) -> Evidence:
    evidence = Evidence()
    texts = list(texts)
    for text in texts:
        evidence.add_text(text, lexicon)
    evidence.has_promise = (bool(facts.amounts_in(" ".join(texts))) if has_promise is None else has_promise)
    return evidence


def evidence_from_state(state: sm.CallState, lexicon: Lexicon) -> Evidence:
    """The call's transcript (what is kept of it) and every fact, intent and item its state holds."""
    texts = [t.text for t in state.turns]
    texts += [f.value for f in state.facts] + [i.replace("_", " ") for i in state.intents]
    texts += [o.text for o in state.open_items] + [f"{p.amount} {p.date}" for p in state.promises]
    texts += [c.when for c in state.callbacks]
    texts += [ev.Role.Name(r).removeprefix("ROLE_").lower() for r in state.transfers]
    texts.append(ev.Scenario.Name(state.scenario).removeprefix("SCENARIO_").lower())
    evidence = evidence_from_texts(texts, lexicon, has_promise=bool(state.promises))
    state_facts = [i.replace("_", " ") for i in state.intents] + [o.text for o in state.open_items]
    for text in state_facts + [f.value for f in state.facts]:
        evidence.fact_stems |= content_stems(text)
    return evidence


def repeats_itself(sentence: str) -> bool:
    """A phrase of four words said twice in one sentence ("pleased with the customer service of ...")."""
    words = _WORD.findall(sentence.lower())
    grams = [tuple(words[i:i + 4]) for i in range(len(words) - 3)]
    return len(grams) != len(set(grams))


def states_call_fact(sentence: str, evidence: Evidence, lexicon: Lexicon) -> bool:
    """At least one fact of this call: a number, date, product, or something the state holds."""
    return bool(facts.numbers_in(sentence) & evidence.numbers
                or facts.calendar_words_in(sentence) & evidence.calendar
                or set(lexicon.products_in(sentence)) & evidence.products
                or content_stems(sentence) & evidence.fact_stems)


def _repeats(sentence: str, kept: list[str]) -> bool:
    stems = content_stems(sentence)
    return sentence in kept or repeats_itself(sentence) or any(
        stems and len(stems & content_stems(k)) / len(stems) >= 0.8 for k in kept)


def problem(sentence: str, evidence: Evidence, lexicon: Lexicon) -> str:
    """Why the sentence is not supported by the call, or '' when it is."""
    if facts.numbers_in(sentence) - evidence.numbers:
        return "number_not_in_call"
    if facts.calendar_words_in(sentence) - evidence.calendar:
        return "date_not_in_call"
    if set(lexicon.products_in(sentence)) - evidence.products:
        return "product_not_in_call"
    if _PROMISE_CLAIM.search(sentence) and not evidence.has_promise:
        return "promise_not_in_call"
    stems = content_stems(sentence)
    if stems and len(stems & evidence.stems) / len(stems) < MIN_CONTENT_SUPPORT:
        return "words_not_in_call"
    return ""


def speaks_instead_of_reporting(sentence: str) -> bool:
    """Not a report of the call: first or second person outside quotes (the model talking as the
    operator), a transcript line ("Customer: ..."), or a redaction placeholder."""
    return bool(_SPEECH.search(_QUOTED.sub(" ", sentence)) or _TRANSCRIPT_LINE.search(sentence)
                or _PLACEHOLDER.search(sentence))


@dataclass
class Verification:
    kept: list[str]
    removed: list[tuple[str, str]]  # (sentence, reason)


def verify(text: str, evidence: Evidence, lexicon: Lexicon, reports_only: bool = False) -> Verification:
    """Each sentence kept or removed with the reason; `reports_only` also removes sentences that
    speak to or as someone instead of reporting the call."""
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for sentence in split_sentences(text):
        sentence = sentence.strip("\"“” ")
        if not sentence:
            continue
        reason = "not_a_report" if reports_only and speaks_instead_of_reporting(sentence) else ""
        reason = reason or ("repeated" if _repeats(sentence, kept) else "") or problem(sentence, evidence, lexicon)
        if not reason and reports_only and not states_call_fact(sentence, evidence, lexicon):
            reason = "no_call_fact"
        if reason:
            removed.append((sentence, reason))
        else:
            kept.append(sentence)
    return Verification(kept, removed)


def faithfulness(summary: str, source_texts: Iterable[str], lexicon: Lexicon) -> float:
    """The share of the summary's sentences the source supports (1.0 for an empty summary)."""
    sentences = split_sentences(summary)
    if not sentences:
        return 1.0
    evidence = evidence_from_texts(source_texts, lexicon)
    return sum(not problem(s, evidence, lexicon) for s in sentences) / len(sentences)
