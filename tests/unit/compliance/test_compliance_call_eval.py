"""The whole-call evaluation (`seatcopilot compliance evaluate-calls`): signals, violations and drafts are
told apart by what the pack defines, not by a list in the evaluator."""

from seatcopilot.policy import load_policies

from seatcopilot_models.compliance.call_eval import evaluate_calls, render_calls
from services.compliance.logic import ComplianceEngine

DISPUTED_CALL = {
    "call_id": "t1", "scenario": "COLLECTIONS", "compliant": False, "split": "test",
    "turns": [
        {"speaker": "OPERATOR", "alerts": [],
         "text": "Harbor Lending, this call may be recorded. This is an attempt to collect a debt."},
        {"speaker": "CUSTOMER", "text": "That's not my loan, I never borrowed from you.", "alerts": ["DEBT-DISPUTED"]},
        {"speaker": "DRAFT", "text": "I have noted your dispute; we will send the details.", "expect": "PASS"},
        {"speaker": "OPERATOR", "text": "You still owe it.", "alerts": ["FDCPA-COLLECT-DISPUTED-DEBT"]},
    ],
    "obligations": {"RECORDING-NOTICE": "GIVEN", "FDCPA-MINI-MIRANDA": "GIVEN"},
}


def test_a_pack_signal_is_scored_as_a_signal_and_its_gated_rule_as_a_violation():
    engine = ComplianceEngine(load_policies(), semantic=False)  # the pack's phrases and patterns only
    report = evaluate_calls(engine, [DISPUTED_CALL])
    assert (report.missed_signals, report.false_signals) == (0, 0)
    assert (report.violations, report.missed_violations, report.false_violations) == (1, 0, 0)
    assert (report.drafts, report.needless_rewrites) == (1, 0)
    assert (report.obligations_given, report.obligations_recognised) == (2, 2)
    assert any(line.startswith("signals: 0 missed, 0 false") for line in render_calls(report))


def test_a_missed_signal_is_counted_as_a_missed_signal_not_a_violation():
    call = {**DISPUTED_CALL, "turns": [*DISPUTED_CALL["turns"][:1],
                                       {"speaker": "CUSTOMER", "text": "Okay.", "alerts": ["DEBT-DISPUTED"]}]}
    report = evaluate_calls(ComplianceEngine(load_policies(), semantic=False), [call])
    assert (report.missed_signals, report.missed_violations, report.violations) == (1, 0, 0)
