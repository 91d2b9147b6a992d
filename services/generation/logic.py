"""Generation: the next operator line, streamed from the model and checked before it leaves.

A draft the model cannot produce in time, that repeats itself, or that states a number found in
neither the knowledge nor the customer's words is replaced by the best knowledge-grounded script
line, marked as scripted with the reason. Drafts still go to compliance either way.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from google.protobuf import timestamp_pb2
from prometheus_client import Counter, Histogram
from seatcopilot import telemetry
from seatcopilot.calls import call_key, ref_key
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.experiments import ARM_OFF
from seatcopilot.policy import Obligation, Policy

from services.generation import prompts
from services.generation.backends import GenerationRequest, ModelBackend
from services.generation.config import GenerationConfig

log = logging.getLogger(__name__)

MODEL_SECONDS = Histogram("seatcopilot_model_seconds", "Model time per draft", ["backend"],
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
MODEL_FIRST_TOKEN = Histogram("seatcopilot_model_first_token_seconds", "Time to the model's first token",
                              ["backend"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8))
MODEL_TOKENS = Counter("seatcopilot_model_tokens_total", "Streamed pieces (about one token each)", ["backend"])
DRAFTS = Counter("seatcopilot_drafts_total", "Drafts by backend and fallback reason", ["backend", "reason"])
HISTORY_TURNS = 8
MAX_CALLS = 50_000
ROLE_SCENARIO = {ev.ROLE_SALES: "SALES", ev.ROLE_SERVICE: "SERVICE", ev.ROLE_COLLECTIONS: "COLLECTIONS"}
DEFAULT_TEMPLATE = "operator_suggestion"
# Compliance owns which obligations are given: generation reads its published state of the call.
OWED_STATUSES = frozenset({cp.OBLIGATION_STATUS_OWED, cp.OBLIGATION_STATUS_OVERDUE})


@dataclass
class CallContext:
    """What generation remembers of a call: its recent turns and, from compliance's published state,
    the disclosures still owed (None until compliance has published one for the call's segment)."""

    scenario: str
    owed_ids: list[str] | None = None
    history: deque[str] = field(default_factory=lambda: deque(maxlen=HISTORY_TURNS))
    # Lines already offered in this call: a script line is never offered twice (a planned answer is, when
    # the question is asked again).
    offered: set[str] = field(default_factory=set)

SCRIPT_KINDS = ("SCRIPT", "OBJECTION_HANDLER", "FAQ")
HOLDING_LINE = "Let me check that for you — one moment, please."
_NUMBER = re.compile(r"\d[\d,.]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z']+")
_MIN_LINE_WORDS = 4
REWORD_SENTENCES = 2  # a reworded planned answer keeps at most this many sentences
_IDENTIFIER = re.compile(r"\b[A-Za-z]+_[A-Za-z_]+\b")  # a label or field name, not speech
_NARRATION = re.compile(r"\b(?:the|an?)\s+(?:agent|operator|assistant|representative)\b|\bcustomer said\b",
                        re.IGNORECASE)
_STOPWORDS = frozenset(
    "that this with have from your you'll you're we'll we're there their they what when which will would could "
    "should about been were into just like also some than then them these those here very more most much only "
    "over such sure okay well".split()
)
MIN_GROUNDED_SHARE = 0.5
_LEAD = re.compile(r'^\s*(?:agent|operator|assistant)\s*:\s*|^\s*["“]|["”]\s*$', re.IGNORECASE)


def first_sentences(text: str, count: int = 2) -> str:
    return " ".join(_SENTENCE_END.split(text.strip())[:count]).strip()


def sentences_complete(text: str, count: int) -> bool:
    """Whether the first `count` sentences of streamed text are final: a later piece can no longer change what
    clean_model_text keeps (a sentence is final once whitespace follows its end mark), so decoding can stop."""
    return len(_SENTENCE_END.split(text.lstrip())) > count


async def until_sentences(pieces: AsyncIterator[str], count: int) -> AsyncIterator[str]:
    """The stream's pieces until its first `count` sentences are complete; leaving early closes the stream, which
    stops the model (the rest would be cut by clean_model_text anyway, and the next call waits for the model)."""
    text = ""
    try:
        async for piece in pieces:
            yield piece
            text += piece
            if sentences_complete(text, count):
                return
    finally:
        close = getattr(pieces, "aclose", None)
        if close is not None:  # at once, not when garbage collected: the backend stops decoding now
            await close()


def clean_model_text(text: str, sentences: int = 2) -> str:
    return _LEAD.sub("", first_sentences(_LEAD.sub("", text.strip()), sentences)).strip()


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 3 and w not in _STOPWORDS}


def grounding_problem(text: str, grounded: rt.GroundedEvent) -> str:
    """Why a model draft must not be shown as it is, or '' when it may go on to compliance.

    A small model drifts: it narrates ("the agent says"), repeats itself, or invents. A draft must
    speak to the customer, state no number the knowledge or the customer did not, and share most
    of its content words with them.
    """
    words = text.lower().split()
    if len(words) < 3:
        return "draft_too_short"
    grams = [" ".join(words[i:i + 4]) for i in range(len(words) - 3)]
    if len(grams) != len(set(grams)):
        return "draft_repetitive"
    if _NARRATION.search(text):
        return "draft_not_addressed_to_customer"
    source = grounded.classified.event.text + " " + " ".join(f"{i.title} {i.text}" for i in grounded.items)
    if _numbers(text) - _numbers(source):
        return "draft_not_grounded"
    content = _content_words(text)
    if content and len(content & _content_words(source)) / len(content) < MIN_GROUNDED_SHARE:
        return "draft_not_grounded"
    return ""


def scripted_line(items: list[rt.KnowledgeItem], sentences: int = 2,
                  offered: frozenset[str] | set[str] = frozenset()) -> tuple[str, list[rt.KnowledgeItem]]:
    """The best script line not yet offered in the call. Regulation text is never a line to say (the
    planner shows it as guidance); '' when every line was offered already."""
    lines = [i for i in sorted(items, key=lambda i: i.kind not in SCRIPT_KINDS) if i.kind != "REGULATION"]
    for item in lines:
        text = first_sentences(item.text, sentences)
        if text not in offered:
            return text, [item]
    return ("" if lines else HOLDING_LINE), []  # no knowledge (store down): the holding line, every time


CARD_KINDS = {"answer": gen.CARD_KIND_ANSWER, "next_action": gen.CARD_KIND_NEXT_ACTION,
              "warning": gen.CARD_KIND_WARNING, "guidance": gen.CARD_KIND_GUIDANCE}


def planned(draft: gen.SuggestionDraft, plan: rt.AnswerPlan) -> None:
    """The planner's card as the draft: its wording, facts and sources (grounded and computed by retrieval)."""
    draft.text = plan.text
    draft.card_kind = CARD_KINDS.get(plan.card_kind, gen.CARD_KIND_ANSWER)
    draft.answer_type = plan.answer_type
    draft.answer_facts.extend(plan.facts)
    draft.sources.extend(plan.sources)
    draft.backend = gen.BACKEND_SCRIPTED
    draft.fallback_reason = "planned"


def plan_wording_problem(text: str, plan: rt.AnswerPlan) -> str:
    """Why a model's wording of a planned answer cannot replace the planner's, or '' when it can: every planned
    fact in it, in the planned order (the APR before the payment), no figure the plan does not have, and a
    line to say rather than a narration or a label ("preliminary_check" holds the fact "preliminary" but is no
    line)."""
    lowered = text.lower()
    found = [re.search(rf"(?<!\w){re.escape(fact.lower())}(?!\w)", lowered) for fact in plan.facts]
    if not text or None in found:
        return "fact_missing"
    if len(_WORD.findall(lowered)) < _MIN_LINE_WORDS or _IDENTIFIER.search(text):
        return "not_a_line"
    positions = [match.start() for match in found if match is not None]
    if positions != sorted(positions):
        return "fact_order"
    if _numbers(text) - _numbers(" ".join([plan.text, *plan.facts])):
        return "number_not_planned"
    if _NARRATION.search(text):
        return "narration"
    return ""


def arm_templates(spec: str) -> dict[str, str]:
    """'arm=template,...' → {arm: template}. Every template is read now, so a typo fails at start."""
    mapping = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        arm, sep, name = (x.strip() for x in part.partition("="))
        if not sep or not arm or not name:
            raise ValueError(f"GENERATION_ARM_TEMPLATES: {part!r} is not arm=template")
        if arm == ARM_OFF:
            raise ValueError(f"GENERATION_ARM_TEMPLATES: arm {ARM_OFF!r} is the holdout: it gets no suggestions")
        if not (prompts.TEMPLATES / f"{name}.yaml").is_file():
            raise ValueError(f"GENERATION_ARM_TEMPLATES: no template {name!r} in {prompts.TEMPLATES}")
        prompts.template(name)
        mapping[arm] = name
    return mapping


def _timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


class Generator:
    def __init__(self, backend: ModelBackend | None, policy: Policy, config: GenerationConfig) -> None:
        self.backend = backend
        self.policy = policy
        self.config = config
        self._slots = asyncio.Semaphore(config.max_concurrent)
        self._calls: OrderedDict[str, CallContext] = OrderedDict()
        self.arm_templates = arm_templates(config.arm_templates)

    def template_for(self, arm: str) -> prompts.Template:
        """An experiment's variant arm gets its own template (its style and wording); every other arm the default."""
        return prompts.template(self.arm_templates.get(arm, DEFAULT_TEMPLATE))

    def context(self, tenant: str, call_id: str, scenario: str) -> CallContext:
        """A call's memory, by tenant and call id (two tenants' calls with one id never share it)."""
        key = call_key(tenant, call_id)
        context = self._calls.get(key)
        if context is None:
            context = self._calls[key] = CallContext(scenario)
            if len(self._calls) > MAX_CALLS:
                self._calls.popitem(last=False)
        return context

    def observe(self, event: ev.CallEvent) -> None:
        """Follows the transcript, so prompts carry the recent turns and what is still owed."""
        context = self.context(event.tenant, event.call_id, bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario))
        if event.type == ev.EVENT_TYPE_TRANSFER:
            context.scenario = ROLE_SCENARIO.get(event.transfer_to_role, context.scenario)
            context.owed_ids = None  # a new segment: its obligations start over (compliance will say)
        elif event.type == ev.EVENT_TYPE_CALL_ENDED:
            self._calls.pop(call_key(event.tenant, event.call_id), None)
        elif event.type == ev.EVENT_TYPE_UTTERANCE:
            speaker = "Customer" if event.speaker == ev.SPEAKER_CUSTOMER else "Agent"
            context.history.append(f"{speaker}: {event.text[:200]}")

    def observe_compliance(self, state: cp.CallComplianceState) -> None:
        """Compliance's live state of a call (the compliance-state topic): the obligations still owed,
        recognised in any wording by compliance's detector, which generation does not run itself."""
        if state.ended:
            self._calls.pop(ref_key(state.call), None)
            return
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, state.call.scenario)
        context = self.context(state.call.tenant, state.call.call_id, scenario)
        if scenario != context.scenario:
            return  # the state of a segment generation has already left (a transfer came first)
        context.owed_ids = [o.id for o in state.obligations if o.status in OWED_STATUSES]

    def owed(self, context: CallContext) -> list[Obligation]:
        """The disclosures still owed: compliance's latest word, or, before it has any, the segment's
        untriggered obligations (nothing can have been given before the operator spoke)."""
        by_id = {o.id: o for o in (*self.policy.obligations, *self.policy.triggered_obligations)}
        if context.owed_ids is None:
            return [o for o in self.policy.obligations if context.scenario in o.scenarios]
        return [by_id[i] for i in context.owed_ids if i in by_id]

    def _base_draft(self, grounded: rt.GroundedEvent) -> gen.SuggestionDraft:
        label = grounded.classified.classification
        now = time.time()
        return gen.SuggestionDraft(
            call=grounded.call, intent=label.intent or "unknown",
            task=label.task or "answer", degraded=grounded.degraded, created_at=_timestamp(now),
            deadline=_timestamp(now + self.config.draft_ttl_s),
            prompt_version=self.template_for(grounded.call.arm).label,
        )

    def suggestion_prompt(self, grounded: rt.GroundedEvent) -> tuple[prompts.Prompt, GenerationRequest]:
        """The prompt for a turn without a planned answer (facts, recent turns, what is owed)."""
        event, label, call = grounded.classified.event, grounded.classified.classification, grounded.call
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, call.scenario)
        context = self.context(call.tenant, call.call_id, scenario)
        history = [turn for turn in context.history if not turn.endswith(event.text[:200])]
        name = self.arm_templates.get(call.arm, DEFAULT_TEMPLATE)
        prompt = prompts.operator_suggestion(
            context.scenario, label.stage, label.intent or "unknown", label.task or "answer", event.text,
            list(grounded.items), history, [o.disclosure_text for o in self.owed(context)], name,
        )
        request = GenerationRequest(prompt.messages, prompts.template(name).max_new_tokens or self.config.max_tokens,
                                    self.policy.banned_phrases(context.scenario),
                                    stop_words=["\nCustomer:", "\nAgent:"])
        return prompt, request

    def _fallback(self, draft: gen.SuggestionDraft, grounded: rt.GroundedEvent, reason: str) -> None:
        style = self.template_for(grounded.call.arm)
        known = self._calls.get(ref_key(grounded.call))
        offered = known.offered if known is not None else set()
        text, sources = scripted_line(list(grounded.items), style.sentences, offered)
        draft.text = text
        del draft.sources[:]
        draft.sources.extend(sources)
        draft.backend = gen.BACKEND_SCRIPTED
        draft.fallback_reason = "knowledge_unavailable" if grounded.degraded and not sources else reason

    def _waited_too_long(self) -> bool:
        """On Kafka a stage takes one message at a time, so under load utterances queue in front of the model:
        one that already waited longer than the model may take would only be answered after the moment it was
        for, and would hold up the ones behind it. It gets the scripted line at once instead."""
        waited = telemetry.since_ingest()
        return waited is not None and waited > self.config.model_deadline_s

    async def stream(self, grounded: rt.GroundedEvent) -> AsyncIterator[gen.GenerateChunk]:
        """Text pieces as the model writes them and the draft's parts, then the complete draft: the part after the
        last one sent (a draft sent whole is part 1)."""
        draft = self._base_draft(grounded)
        last_part = 0
        async for chunk in self._chunks(draft, grounded):
            if chunk.HasField("partial_draft"):
                last_part = chunk.partial_draft.part
            yield chunk
        if not draft.card_kind:
            draft.card_kind = gen.CARD_KIND_ANSWER
        draft.partial, draft.part = False, last_part + 1
        self._remember(draft, grounded)
        DRAFTS.labels(bare_enum_name(gen.Backend.DESCRIPTOR, draft.backend), draft.fallback_reason or "none").inc()
        yield gen.GenerateChunk(draft=draft)

    async def _chunks(self, draft: gen.SuggestionDraft,
                      grounded: rt.GroundedEvent) -> AsyncIterator[gen.GenerateChunk]:
        """Fills `draft` by the turn's path (planned, shed, scripted or the model's), yielding pieces and parts."""
        if grounded.plan.answer_type:
            planned(draft, grounded.plan)
            if self._model_words(grounded.plan):
                if self.config.partial_drafts:  # the planner's line now; the model's wording replaces it if faithful
                    yield gen.GenerateChunk(partial_draft=self._as_part(draft))
                await self._reword(draft, grounded)
        elif self.backend is None:
            self._fallback(draft, grounded, "model_disabled")
        elif self._slots.locked() or self._waited_too_long():
            self._fallback(draft, grounded, "overloaded")  # shed rather than queue past the deadline
        else:
            async with self._slots:
                async for chunk in self._model_draft(draft, grounded):
                    yield chunk

    async def _model_draft(self, draft: gen.SuggestionDraft,
                           grounded: rt.GroundedEvent) -> AsyncIterator[gen.GenerateChunk]:
        """The model's draft into `draft`, yielding its pieces and its parts: the scripted line first
        (`script_first`), or else the model's sentences so far as each completes. Once a part is out, a whole draft
        that fails (too slow, ungrounded, the model gone) is cut to the last part out rather than replaced: the
        operator may be reading it already, and compliance has cleared it."""
        backend = self.backend
        assert backend is not None  # stream() checked
        pieces: list[str] = []
        draft.card_kind = gen.CARD_KIND_ANSWER  # its parts are lines to say too
        shown = self._script_part(draft, grounded)  # the last part sent
        if shown is not None:
            yield gen.GenerateChunk(partial_draft=shown)
        decided = 0  # the sentences already complete when last looked (each decided on once)
        prompt, request = self.suggestion_prompt(grounded)
        draft.prompt_version = prompt.version
        sentences = self.template_for(grounded.call.arm).sentences
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.config.model_deadline_s):
                async for piece in until_sentences(backend.stream(request), sentences):
                    if not pieces:
                        MODEL_FIRST_TOKEN.labels(backend.name).observe(time.perf_counter() - started)
                    pieces.append(piece)
                    yield gen.GenerateChunk(text_delta=piece)
                    text = "".join(pieces)
                    if self._sentence_parts(shown) and decided + 1 < sentences and sentences_complete(
                            text, decided + 1):
                        decided += 1  # the last sentence comes as the whole draft, never as a part
                        part = self._part(draft, grounded, prompt, text, decided)
                        if part is not None:
                            shown = part
                            yield gen.GenerateChunk(partial_draft=part)
            MODEL_SECONDS.labels(backend.name).observe(time.perf_counter() - started)
            MODEL_TOKENS.labels(backend.name).inc(len(pieces))
            self._model_text(draft, prompt, clean_model_text("".join(pieces), sentences))
            problem = grounding_problem(draft.text, grounded)
        except TimeoutError:
            problem = "model_deadline"
        except Exception as error:  # a model outage must not empty the panel
            log.warning("model backend failed (%s): scripted line instead", type(error).__name__)
            problem = "model_unavailable"
        if problem and shown is not None:  # the scripted part stays the line; after a model's part, cut to it
            draft.CopyFrom(shown)
            draft.fallback_reason = problem if shown.backend == gen.BACKEND_SCRIPTED else f"cut_{problem}"
        elif problem:
            self._fallback(draft, grounded, problem)

    def _sentence_parts(self, shown: gen.SuggestionDraft | None) -> bool:
        """Whether the model's sentences go out as parts: not after the scripted line, which only a whole draft
        replaces."""
        return self.config.partial_drafts and (shown is None or shown.backend != gen.BACKEND_SCRIPTED)

    def _script_part(self, draft: gen.SuggestionDraft, grounded: rt.GroundedEvent) -> gen.SuggestionDraft | None:
        """The scripted line as the draft's first part, sent before the model starts (`script_first`), or None.
        Offered once in the call, whether the model's draft replaces it or not."""
        if not (self.config.partial_drafts and self.config.script_first):
            return None
        part = self._as_part(draft)
        self._fallback(part, grounded, "script_first")
        if not part.text:
            return None
        self._remember(part, grounded)
        return part

    def _model_text(self, draft: gen.SuggestionDraft, prompt: prompts.Prompt, text: str) -> None:
        """The model's cleaned text in the draft, with the facts it cites (all the prompt's when it cites none)."""
        assert self.backend is not None
        draft.text, sources = prompts.cited(text, prompt.facts)
        del draft.sources[:]
        draft.sources.extend(sources or prompt.facts)
        draft.backend = gen.BACKEND_TRITON if self.backend.name == "triton" else gen.BACKEND_LOCAL

    @staticmethod
    def _as_part(draft: gen.SuggestionDraft) -> gen.SuggestionDraft:
        """A copy of the draft as its first part, while more may follow."""
        part = gen.SuggestionDraft()
        part.CopyFrom(draft)
        part.partial, part.part = True, 1
        return part

    def _part(self, draft: gen.SuggestionDraft, grounded: rt.GroundedEvent, prompt: prompts.Prompt, text: str,
              count: int) -> gen.SuggestionDraft | None:
        """The draft's first `count` sentences as part `count`, or None when they fail the grounding check."""
        part = self._as_part(draft)
        self._model_text(part, prompt, clean_model_text(text, count))
        part.part = count
        return None if grounding_problem(part.text, grounded) else part

    def _model_words(self, plan: rt.AnswerPlan) -> bool:
        """Only answer cards are reworded: a warning or guidance card is a note to the operator, not a line."""
        return (self.config.plan_wording == "model" and self.backend is not None and plan.card_kind == "answer"
                and not self._slots.locked() and not self._waited_too_long())

    def reword_prompt(self, grounded: rt.GroundedEvent) -> tuple[prompts.Prompt, GenerationRequest]:
        """The short prompt for a planned answer: the customer's words, the planner's text and its facts, no
        history (the plan already carries what the call said)."""
        event, plan = grounded.classified.event, grounded.plan
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, grounded.call.scenario)
        prompt = prompts.planned_reply(scenario, event.text, plan.text, list(plan.facts))
        request = GenerationRequest(prompt.messages, self.config.max_tokens, self.policy.banned_phrases(scenario),
                                    stop_words=["\nCustomer:", "\nAgent:"])
        return prompt, request

    async def _reword(self, draft: gen.SuggestionDraft, grounded: rt.GroundedEvent) -> None:
        """The model's wording of the planned answer when it keeps every planned fact; the planner's otherwise,
        with the reason (`planned_<problem>`)."""
        plan, backend = grounded.plan, self.backend
        if backend is None:  # _model_words() said no already; kept for the type checker
            return
        prompt, request = self.reword_prompt(grounded)
        try:
            async with self._slots, asyncio.timeout(self.config.model_deadline_s):
                pieces = until_sentences(backend.stream(request), REWORD_SENTENCES)
                text = clean_model_text("".join([p async for p in pieces]), REWORD_SENTENCES)
        except TimeoutError:
            draft.fallback_reason = "planned_model_deadline"
            return
        except Exception as error:  # a model outage keeps the planner's wording
            log.warning("model backend failed (%s): planner's wording", type(error).__name__)
            draft.fallback_reason = "planned_model_unavailable"
            return
        problem = plan_wording_problem(text, plan)
        if problem:
            draft.fallback_reason = f"planned_{problem}"
            return
        draft.text, draft.prompt_version = text, prompt.version
        draft.backend = gen.BACKEND_TRITON if backend.name == "triton" else gen.BACKEND_LOCAL
        draft.fallback_reason = ""

    def _remember(self, draft: gen.SuggestionDraft, grounded: rt.GroundedEvent) -> None:
        """A line offered once is not offered again in the call (see scripted_line)."""
        if not draft.text:
            return
        call = grounded.call
        self.context(call.tenant, call.call_id, bare_enum_name(ev.Scenario.DESCRIPTOR, call.scenario)).offered.add(
            draft.text)

    async def drafts(self, grounded: rt.GroundedEvent) -> AsyncIterator[gen.SuggestionDraft]:
        """The draft's parts as they are written (see `partial_drafts`), then the whole draft."""
        async for chunk in self.stream(grounded):
            if chunk.HasField("partial_draft"):
                yield chunk.partial_draft
            elif chunk.HasField("draft"):
                yield chunk.draft

    async def draft(self, grounded: rt.GroundedEvent) -> gen.SuggestionDraft:
        async for chunk in self.stream(grounded):
            if chunk.HasField("draft"):
                return chunk.draft
        raise RuntimeError("generation ended without a draft")
