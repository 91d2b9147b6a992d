"""Intake: validate, assemble each call (order, de-duplicate, merge partials, lifecycle), redact PII.

Nothing leaves this stage with raw text: every event it releases has passed the redactor, with the
tenant's policy (mask, keyed hash or drop).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.experiments import Experiment, load_experiment
from seatcopilot.stage_io import Rejected

from services.intake.assembly import CallAssembler, Rejection
from services.intake.config import IntakeConfig
from services.intake.redactor import Redactor
from services.intake.tenants import Tenant, Tenants

# An identifier that is itself a phone number or an e-mail address would carry PII into keys and logs.
_PERSONAL_ID = re.compile(r"^\+?[\d\s().-]{10,16}$|@")


@dataclass
class Outcome:
    ready: list[ev.CallEvent] = field(default_factory=list)
    """Events to publish, in order, redacted."""
    rejected: list[Rejection] = field(default_factory=list)
    """Events refused while draining (not the submitted one: that raises Rejected)."""
    duplicate: bool = False


def validate(event: ev.CallEvent, max_text_chars: int) -> None:
    problems = []
    if not event.call_id or len(event.call_id) > 128:
        problems.append("call_id must be 1-128 characters")
    for name in ("call_id", "operator_id", "team_id"):
        if _PERSONAL_ID.search(getattr(event, name)):
            problems.append(f"{name} looks like a phone number or e-mail address; use an opaque id")
    if event.seq < 1:
        problems.append("seq must be >= 1")
    if not event.tenant:
        problems.append("tenant is required")
    if event.scenario == ev.SCENARIO_UNSPECIFIED:
        problems.append("scenario is required (SALES, SERVICE or COLLECTIONS)")
    if event.type == ev.EVENT_TYPE_UNSPECIFIED:
        problems.append("type is required")
    if event.type == ev.EVENT_TYPE_UTTERANCE:
        if event.speaker == ev.SPEAKER_UNSPECIFIED:
            problems.append("an utterance needs a speaker (CUSTOMER or OPERATOR)")
        if not event.text.strip():
            problems.append("an utterance needs text")
    if len(event.text) > max_text_chars:
        problems.append(f"text longer than {max_text_chars} characters")
    if event.type == ev.EVENT_TYPE_TRANSFER and event.transfer_to_role == ev.ROLE_UNSPECIFIED:
        problems.append("a transfer needs transfer_to_role")
    if event.type == ev.EVENT_TYPE_PLATFORM_CATEGORIES and not event.categories:
        problems.append("PLATFORM_CATEGORIES needs categories")
    if problems:
        raise Rejected("schema_violation", "; ".join(problems))


class IntakeStage:
    """Not thread-safe: the gateway serializes events of one call."""

    def __init__(self, config: IntakeConfig, tenants: Tenants | None = None, started_at: float | None = None) -> None:
        self.config = config
        self.tenants = tenants or Tenants({}, Tenant(id=""))
        self.assembler = CallAssembler(config, started_at)
        self.redactor = Redactor(config, self.tenants)
        self.experiment: Experiment | None = (load_experiment(config.experiment_path)
                                              if config.experiment_path else None)

    @property
    def gaps_skipped(self) -> int:
        return self.assembler.gaps_skipped

    def accept(self, event: ev.CallEvent, now: float | None = None) -> Outcome:
        """Takes one raw event; raises Rejected when that event is refused."""
        now = time.monotonic() if now is None else now
        validate(event, self.config.max_text_chars)
        assembled = self.assembler.accept(event, now)
        return Outcome(self._stamped(self.redactor.process(assembled.ordered, now)), assembled.rejected,
                       assembled.duplicate)

    def due(self, now: float | None = None) -> list[str]:
        """Calls with something timing releases: a gap past its timeout, a stale partial, a held utterance."""
        now = time.monotonic() if now is None else now
        return sorted(set(self.assembler.due(now)) | set(self.redactor.due(now)))

    def expire_call(self, key: str, now: float | None = None) -> Outcome:
        now = time.monotonic() if now is None else now
        assembled = self.assembler.expire(key, now)
        ready = self.redactor.expire(key, now) + self.redactor.process(assembled.ordered, now)
        return Outcome(self._stamped(ready), assembled.rejected)

    def _stamped(self, events: list[ev.CallEvent]) -> list[ev.CallEvent]:
        """Exposure is recorded on every event from intake on, when an experiment runs."""
        if self.experiment is not None:
            for event in events:
                event.experiment_id = self.experiment.design.experiment_id
                event.arm = self.experiment.arm(event.operator_id)
        return events

    def expire(self, now: float | None = None) -> Outcome:
        """What timing releases across all calls (tests and the embedded mode; the gateway goes call by call)."""
        now = time.monotonic() if now is None else now
        total = Outcome()
        for call_id in self.due(now):
            outcome = self.expire_call(call_id, now)
            total.ready += outcome.ready
            total.rejected += outcome.rejected
        return total
