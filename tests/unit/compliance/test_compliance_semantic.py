"""The embedding matcher on the bundled packs (MiniLM, loaded offline): paraphrases caught, negations
and approved scripts left alone, and the pack's own data consistent with itself."""

import json
import time

import pytest
import yaml
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.encoder import shared_encoder
from seatcopilot.policy import load_policies

from services.compliance.detection import split_sentences
from services.compliance.logic import ComplianceEngine
from services.compliance.semantic import ExampleCache
from tests.helpers import ROOT, make_event

SCENARIOS = ("SALES", "SERVICE", "COLLECTIONS")


def kb_lines():
    items = yaml.safe_load((ROOT / "data" / "knowledge" / "kb.yaml").read_text())["items"]
    return [(i["id"], s, i["text"]) for i in items if i["kind"] in ("SCRIPT", "OBJECTION_HANDLER", "FAQ")
            for s in i["scenarios"]]


@pytest.fixture(scope="module")
def engine():
    """The encoder behind a cache warmed in batches with what these tests ask about (one by one is slow)."""
    policies = load_policies()
    cache = ExampleCache(shared_encoder().encode)
    texts = [text for _, _, text in kb_lines()] + [x for p in policies.values() for item in (*p.rules, *p.signals)
                                                   for x in (*item.examples, *item.counter_examples)]
    cache.vectors([sentence for text in texts for sentence in split_sentences(text)])
    return ComplianceEngine(policies, cache.vectors)


def hits(engine, text, scenario="SALES", speaker="OPERATOR", signals=()):
    return {h.id: h for h in engine.detect("harbor", scenario, speaker, text, signals)}


def test_a_paraphrase_no_phrase_or_pattern_lists_is_caught(engine):
    found = hits(engine, "Getting approved is just a formality in your situation.")
    assert found["UDAAP-GUARANTEED-APPROVAL"].method == "semantic"
    assert found["UDAAP-GUARANTEED-APPROVAL"].score >= 0.72
    signal = hits(engine, "I want you to remove me from your calling list for good.", "COLLECTIONS", "CUSTOMER")
    assert "CEASE-CONTACT-REQUEST" in signal


def test_reassurances_are_not_threats(engine):
    for text in ("You won't be arrested over this, that's not how it works.",
                 "We never contact your employer or your family about an account.",
                 "Approval isn't guaranteed, it depends on your credit review."):
        assert hits(engine, text, "COLLECTIONS") == {} and hits(engine, text, "SALES") == {}, text


def test_a_semantic_match_in_a_draft_is_rewritten_with_the_template(engine):
    engine.check_event(make_event(call_id="call-s1", seq=1, speaker="OPERATOR", text="this call may be recorded"))
    draft = gen.SuggestionDraft(call=ev.CallRef(call_id="call-s1", seq=2, tenant="harbor", scenario=1),
                                text="Rates start at 8.99%. Honestly, the loan is as good as yours already.")
    draft.deadline.FromNanoseconds(int((time.time() + 30) * 1e9))
    steered = engine.steer(draft)
    assert steered.compliance.verdict == cp.VERDICT_REWRITTEN
    assert steered.text == "Rates start at 8.99%. Approval depends on a credit review, so I can't promise it."
    assert [f.method for f in steered.compliance.findings] == ["semantic"]


def test_approved_scripts_set_off_no_rule(engine):
    """The scripted fallback reads these to customers: none may be rewritten or blocked."""
    lines = kb_lines()
    assert len(lines) > 40
    flagged = [(item, scenario, sorted(hits(engine, text, scenario, "DRAFT"))) for item, scenario, text in lines
               if hits(engine, text, scenario, "DRAFT")]
    assert flagged == []


def test_rewrite_templates_and_disclosures_comply_everywhere(engine):
    for policy in engine.policies.values():
        texts = [r.rewrite for r in policy.rules if r.rewrite]
        texts += [o.disclosure_text for o in (*policy.obligations, *policy.triggered_obligations)]
        for text in texts:
            for scenario in SCENARIOS:
                assert hits(engine, text, scenario, "DRAFT") == {}, (policy.label, scenario, text)


def test_every_example_matches_its_rule_and_no_counter_example_does(engine):
    policy = engine.policies["harbor"]
    for item in (*policy.rules, *policy.signals):
        scenario = item.scenarios[0]
        speaker = "CUSTOMER" if item in policy.signals else "OPERATOR"
        signals = tuple(getattr(item, "when", ()))
        for example in item.examples:
            assert item.id in hits(engine, example, scenario, speaker, signals), (item.id, example)
        for counter in item.counter_examples:
            assert item.id not in hits(engine, counter, scenario, speaker, signals), (item.id, counter)


def test_pack_examples_are_not_copied_from_the_labelled_set(engine):
    labelled = {json.loads(line)["text"].lower()
                for line in (ROOT / "data" / "compliance" / "labelled.jsonl").read_text().splitlines() if line}
    policy = engine.policies["harbor"]
    examples = {e.lower() for item in (*policy.rules, *policy.signals)
                for e in (*item.examples, *item.counter_examples)} | {e.lower() for e in policy.compliant_examples}
    assert examples & labelled == set()
