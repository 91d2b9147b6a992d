"""`seatcopilot summaries evaluate|prepare`: ROUGE, faithfulness, dialogue parsing and the data preparation."""

import json
import re
import subprocess
import sys

import pytest

from seatcopilot_models.summaries import parse_dialogue, sgd_examples
from seatcopilot_models.summary_scores import rouge_l, rouge_n, tokens
from services.summarizer.lexicon import load_lexicon
from services.summarizer.verify import faithfulness
from tests.helpers import ROOT

DIALOGUE = ("Customer: Hi, I lost my job and can't pay this month.\n"
            "Operator: I'm sorry. What could you pay, and when?\n"
            "Customer: I can pay $150 on December 5th.")


def test_rouge_matches_the_textbook_definition():
    candidate, reference = tokens("The cat was found under the bed."), tokens("the cat was under the bed")
    assert rouge_n(candidate, reference, 1) == pytest.approx(12 / 13)  # P 6/7, R 6/6
    assert rouge_n(candidate, reference, 2) == pytest.approx(8 / 11)  # P 4/6, R 4/5
    assert rouge_l(candidate, reference) == pytest.approx(12 / 13)
    assert rouge_n([], reference, 1) == 0.0 and rouge_l(candidate, []) == 0.0


def test_faithfulness_is_the_share_of_sentences_the_dialogue_supports():
    lexicon, turns = load_lexicon(), DIALOGUE.splitlines()
    assert faithfulness("The customer lost their job. The customer promised to pay $150 on December 5th.",
                        turns, lexicon) == 1.0
    assert faithfulness("The customer lost their job. The customer promised to pay $400 on December 5th.",
                        turns, lexicon) == 0.5  # an amount never said
    assert faithfulness("The customer will pay on January 5th. They want a secured card.", turns, lexicon) == 0.0


def test_dialogues_are_read_from_lines_or_turn_lists():
    assert parse_dialogue(DIALOGUE)[2] == (1, "I can pay $150 on December 5th.")
    assert parse_dialogue([{"speaker": "agent", "text": "Hello"}, ["user", "Hi there"]]) == [(2, "Hello"),
                                                                                             (1, "Hi there")]
    assert parse_dialogue("#Person1#: Hi.\n#Person2#: Hello.\ncontinued here") == [(1, "Hi."),
                                                                                 (2, "Hello. continued here")]
    with pytest.raises(ValueError, match="unknown speaker"):
        parse_dialogue([["robot", "beep"]])
    with pytest.raises(ValueError, match="no turns"):
        parse_dialogue("")


def test_sgd_dialogues_get_references_from_their_service_calls(tmp_path):
    turn = {"speaker": "SYSTEM", "utterance": "Your transfer is complete.", "frames": [{
        "actions": [{"act": "NOTIFY_SUCCESS", "slot": "", "values": []}],
        "service_call": {"method": "TransferMoney", "parameters": {
            "account_type": "checking", "amount": "1630", "recipient_account_name": "Amir",
            "recipient_account_type": "savings"}}, "service_results": [{}]}]}
    dialogues = [{"dialogue_id": "1_1", "services": ["Banks_1"],
                  "turns": [{"speaker": "USER", "utterance": "Send $1,630 to Amir.", "frames": []}, turn]},
                 {"dialogue_id": "1_2", "services": ["Banks_1", "Events_1"], "turns": [turn]}]
    path = tmp_path / "sgd.json"
    path.write_text(json.dumps(dialogues))
    (example,) = sgd_examples([path])
    assert example["summary"] == ("The customer transferred $1,630 from their checking account to Amir's savings "
                                  "account.")
    assert example["dialogue"] == "Customer: Send $1,630 to Amir.\nOperator: Your transfer is complete."


def cli(*args):
    return subprocess.run([sys.executable, "-m", "seatcopilot_cli", "summaries", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_prepare_then_evaluate_prints_rouge_and_faithfulness(tmp_path):
    prepared = cli("prepare", "--data", str(tmp_path / "no-shared-data"), "--out", str(tmp_path))
    assert prepared.returncode == 0, prepared.stderr
    assert "sgd_banks: skipped" in prepared.stderr
    lines = (tmp_path / "own_calls.jsonl").read_text().splitlines()
    assert len(lines) == 3 and all({"dialogue", "summary"} <= set(json.loads(line)) for line in lines)

    result = cli("evaluate", "--jsonl", str(tmp_path / "own_calls.jsonl"), "--no-intents",
                 "--out", str(tmp_path / "scored.jsonl"))
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"rougeL=\d\.\d{3} faithfulness=\d\.\d{3}", last)
    assert "ROUGE-1 F1" in result.stdout and "ROUGE-2 F1" in result.stdout
    rouge = float(last.split()[0].split("=")[1])
    assert 0.1 < rouge < 1.0
    scored = [json.loads(line) for line in (tmp_path / "scored.jsonl").read_text().splitlines()]
    assert len(scored) == 3 and all(row["faithfulness"] == 1.0 for row in scored)
    # the bundled calls' labelled facts (references.yaml): every promise, amount and date is in the wrap-up
    assert "slot_recall=1.000" in result.stdout and "slot promise   2/2 found" in result.stdout


def test_evaluate_refuses_a_malformed_file_with_the_line_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"dialogue": "Customer: hi", "summary": "ok"}) + "\n{not json\n")
    result = cli("evaluate", "--jsonl", str(path), "--no-intents")
    assert result.returncode == 2 and f"{path}:2:" in result.stderr
    assert cli("evaluate", "--jsonl", str(tmp_path / "missing.jsonl")).returncode == 2


def test_the_bundled_references_cover_the_bundled_calls():
    import yaml

    references = yaml.safe_load((ROOT / "data" / "summaries" / "references.yaml").read_text())
    calls = {json.loads(p.read_text().splitlines()[0])["call_id"] for p in (ROOT / "data" / "calls").glob("*.jsonl")}
    assert set(references["calls"]) == calls


def test_slot_found_matches_amounts_by_value_and_dates_by_the_words_said():
    from seatcopilot.contracts.summary.v1 import summary_pb2 as sm

    from seatcopilot_models.summary_scores import slot_found, slot_recall

    summary = sm.Summary(facts=[sm.Fact(kind="amount", value="$1,200"),
                                sm.Fact(kind="date", value="2026-12-05 (December 5th)")],
                         promises=[sm.PromiseToPay(amount="$150", date="2026-12-05 (December 5th)")],
                         callbacks=[sm.Callback(when="2026-12-02 (tomorrow)")])
    assert slot_found(summary, {"kind": "amount", "value": "$1200"})
    assert slot_found(summary, {"kind": "amount", "value": "$150"})  # a promised amount is an amount said
    assert not slot_found(summary, {"kind": "amount", "value": "$12"})
    assert slot_found(summary, {"kind": "promise", "amount": "$150.00", "date": "december 5th"})
    assert not slot_found(summary, {"kind": "promise", "amount": "$150", "date": "December 6th"})
    assert not slot_found(summary, {"kind": "promise", "amount": "$1,200", "date": "December 5th"})
    assert slot_found(summary, {"kind": "date", "value": "December 5th"})
    assert slot_found(summary, {"kind": "callback", "value": "tomorrow"})
    assert not slot_found(sm.Summary(), {"kind": "callback", "value": "tomorrow"})
    with pytest.raises(ValueError, match="unknown slot kind"):
        slot_found(summary, {"kind": "mood", "value": "happy"})
    assert slot_recall({"amount": [True, False], "promise": [True, True]}) == 0.75


def test_evaluate_reports_slot_recall_on_the_written_slot_set():
    result = cli("evaluate", "--jsonl", str(ROOT / "data" / "summaries" / "slots.jsonl"), "--no-intents",
                 "--backend", "none")
    assert result.returncode == 0, result.stderr
    recall = re.search(r"^slot_recall=(\d\.\d{3})", result.stdout, re.MULTILINE)
    assert recall and 0.5 <= float(recall.group(1)) <= 1.0
    assert re.search(r"^slot callback  2/2 found$", result.stdout, re.MULTILINE)
