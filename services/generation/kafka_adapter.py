"""Generation on the bus: grounded customer utterances in, suggestion drafts out (to compliance); the
transcript too, for the call's recent turns, and compliance's published state of each call, for the
disclosures still owed (compliance owns that fact)."""

from __future__ import annotations

from seatcopilot import codec
from seatcopilot.calls import ref_identity
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.experiments import ARM_OFF
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import COMPLIANCE_STATE, DRAFTS, GROUNDED, TRANSCRIPT

from services.generation.logic import Generator


def attach(io: StageIO, generator: Generator) -> list[Background]:
    """Grounded utterances of different calls are drafted concurrently, up to the model calls the generator
    allows at once (GENERATION_MAX_CONCURRENT), each call's in order: one call's slow draft holds up no other
    call, and a call's drafts never overtake one another."""
    async def on_grounded(grounded: rt.GroundedEvent) -> None:
        if grounded.call.arm == ARM_OFF:
            return  # the experiment's holdout works without the copilot
        async for draft in generator.drafts(grounded):  # sentence by sentence, then whole
            if draft.text:  # empty: every line for this turn was offered already in the call
                await io.publish(DRAFTS, draft.call.call_id, draft)

    async def on_event(event: ev.CallEvent) -> None:
        generator.observe(event)

    async def on_compliance_state(state: cp.CallComplianceState) -> None:
        generator.observe_compliance(state)

    io.consume(COMPLIANCE_STATE, cp.CallComplianceState, on_compliance_state,
               identity=lambda s: (s.call.tenant, s.call.call_id, s.operator_turns, hash(codec.encode(s))))
    io.consume(TRANSCRIPT, ev.CallEvent, on_event, identity=lambda e: (e.tenant, e.call_id, e.seq))
    io.consume(GROUNDED, rt.GroundedEvent, on_grounded,
               identity=lambda g: ref_identity(g.call), batch=generator.config.max_concurrent)
    return []
