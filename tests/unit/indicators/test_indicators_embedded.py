"""The indicators in the embedded pipeline (what `make run` runs) over the bundled calls, with an
experiment whose holdout gets no suggestions and whose variant arm gets its own suggestion style."""

import asyncio

from seatcopilot import codec
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.experiments import ARM_OFF, Design, Experiment, Operator, save
from seatcopilot.topics import SUGGESTIONS

from seatcopilot_cli.embedded import EmbeddedPipeline
from services.indicators import kafka_adapter
from tests.helpers import CALLS, load_call

OPERATORS = [Operator("op-ava", "team-sales-east", 3), Operator("op-ben", "team-service-west", 30),
             Operator("op-dan", "team-collections-1", 14), Operator("op-cara", "team-collections-1", 2)]


def run_bundled(experiment_path):
    async def scenario():
        pipeline = EmbeddedPipeline({"GENERATION_BACKEND": "scripted", "EXPERIMENT_FILE": str(experiment_path),
                                     "INDICATORS_WINDOW_S": str(365 * 86_400)})  # the files span days
        shown = pipeline.bus.tap(SUGGESTIONS.name)
        await pipeline.start()
        for path in sorted(CALLS.glob("*.jsonl")):
            for event in load_call(path.name):  # one at a time, as replay does: the copilot answers in the call
                await pipeline.publish(event)
                await pipeline.drain()
        stage = pipeline.stages["indicators"]
        snapshots = stage.snapshots()
        await pipeline.stop()
        return snapshots, [shown.get_nowait() for _ in range(shown.qsize())]

    return asyncio.run(scenario())


def test_bundled_calls_reach_the_indicators_by_team_and_arm_and_the_holdout_sees_no_suggestions(tmp_path):
    experiment = Experiment.create(Design("embedded-exp", ("on", "brief"), holdout_share=0.5), OPERATORS)
    experiment.arms.update({"op-ava": ARM_OFF, "op-ben": "brief", "op-dan": "on", "op-cara": "on"})  # fixed here
    save(experiment, tmp_path / "experiment.json")
    snapshots, suggestions = run_bundled(tmp_path / "experiment.json")
    by_team = {(s.team_id, s.arm): {v.name: v for v in s.values} for s in snapshots}
    assert ("team-sales-east", ARM_OFF) in by_team and ("team-collections-1", "on") in by_team
    assert all(s.experiment_id == "embedded-exp" for s in snapshots)
    sales = by_team[("team-sales-east", ARM_OFF)]
    assert not sales["copilot.suggestions_shown_per_call"].value  # holdout: exposure off, nothing drafted
    assert not any(m.key == "call-sales-0001" for m in suggestions)
    drafts = [codec.decode(m.value, cp.SteeredSuggestion).draft for m in suggestions]
    versions = {(d.call.operator_id, d.prompt_version) for d in drafts}
    assert {v for o, v in versions if o == "op-ben"} == {"operator-suggestion-brief/v1"}  # the variant's style
    assert {v for o, v in versions if o != "op-ben"} == {"operator-suggestion/v2"}  # arm on (incl. after transfer)
    collections = by_team[("team-collections-1", "on")]
    assert collections["copilot.suggestions_shown_per_call"].value > 0
    assert collections["compliance.violations_per_100_calls"].value > 0  # the arrest threat
    service = by_team[("team-service-west", "brief")]
    assert service["service.transfer_rate"].value == 1 and service["service.handle_time"].value > 0
    counted = {(s.labels["counter"], s.labels["team"]) for m in kafka_adapter.INCREMENTS.collect() for s in m.samples
               if s.name.endswith("_total")}
    assert ("calls", "team-sales-east") in counted
