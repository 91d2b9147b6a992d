"""The PII engine on written and spoken forms, checksums, context, and what it must leave alone."""

import pytest
import yaml
from seatcopilot.pii import PiiContext, asked_for, find_pii, name_tokens
from seatcopilot.pii.checks import aba_valid, cn_id_valid, cn_mobile_valid, itin_valid, nanp_valid, ssn_valid
from seatcopilot.pii.numbers import ends_with_open_number, starts_with_number
from seatcopilot.pii.spoken import normalize
from seatcopilot.redaction import redact

from tests.helpers import ROOT


def kinds(text, context=None):
    return [(f.kind, text[f.start:f.end]) for f in find_pii(text, context)]


@pytest.mark.parametrize(("text", "digits"), [
    ("four one one one", "4111"),
    ("oh two one", "021"),
    ("double five oh", "550"),
    ("nineteen eighty five", "1985"),
    ("twenty-one", "21"),
    ("twelve hundred", "1200"),
    ("four hundred and five", "405"),
    ("幺三八零零幺三八零零零", "13800138000"),
    ("１３８", "138"),
])
def test_spoken_numbers_become_digits(text, digits):
    assert normalize(text).text == digits


def test_normalized_spans_map_back_to_the_words_said():
    text = "call four one five now"
    norm = normalize(text)
    start = norm.text.index("415")
    assert text[slice(*norm.original_span(start, start + 3))] == "four one five"


def test_oh_is_zero_only_beside_digits_and_ordinals_stay_days():
    assert normalize("Oh. Yeah, fine").text == "Oh. Yeah, fine"
    assert normalize("born july second nineteen eighty five").text == "born july 2nd 1985"


@pytest.mark.parametrize(("check", "good", "bad"), [
    (aba_valid, "021000021", "021000022"),
    (ssn_valid, "123456789", "666456789"),
    (itin_valid, "912701234", "912401234"),
    (nanp_valid, "4155550142", "0155550142"),
    (cn_mobile_valid, "13800138000", "12800138000"),
    (cn_id_valid, "11010519491231002X", "110105194912310021"),
])
def test_checksums_and_number_plans(check, good, bad):
    assert check(good)
    assert not check(bad)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("my card number is four one one one one one one one one one one one one one one one", "CARD",
     "four one one one one one one one one one one one one one one one"),
    ("it's five five five five, five five five five, five five five five, four four four four", "CARD",
     "five five five five, five five five five, five five five five, four four four four"),
    ("my social is one two three, four five, six seven eight nine", "SSN",
     "one two three, four five, six seven eight nine"),
    ("itin 912-70-1234", "ITIN", "912-70-1234"),
    ("my routing number is oh two one oh oh oh oh two one", "ROUTING", "oh two one oh oh oh oh two one"),
    ("the account number is 000123456789", "ACCOUNT", "000123456789"),
    ("call me at four one five five five five oh one four two", "PHONE",
     "four one five five five five oh one four two"),
    ("or (415) 555-0142", "PHONE", "(415) 555-0142"),
    ("my email is jordan dot miles at example dot com", "EMAIL", "jordan dot miles at example dot com"),
    ("it's j o r d a n at gmail dot com", "EMAIL", "j o r d a n at gmail dot com"),
    ("I was born on july second nineteen eighty five", "DOB", "july second nineteen eighty five"),
    ("my birthday is 02/22/1977", "DOB", "02/22/1977"),
    ("I live at twelve thirty four maple avenue apartment five", "ADDRESS",
     "twelve thirty four maple avenue apartment five"),
    ("the house at 444 Pinnickinick Street, Gardiner, WA was robbed", "ADDRESS",
     "444 Pinnickinick Street, Gardiner, WA"),
    ("我的身份证号是11010519491231002X", "CN_ID", "11010519491231002X"),
    ("我的手机号是幺三八零零幺三八零零零", "PHONE", "幺三八零零幺三八零零零"),
    ("hi my name is george smith and i want a quote", "NAME", "george smith"),
    ("Hello, Sarah Schnibel here and I want to pay", "NAME", "Sarah Schnibel"),
    ("May I speak with Casey Whitfield?", "NAME", "Casey Whitfield"),
    ("我叫王小明", "NAME", "王小明"),
])
def test_finds_written_and_spoken_pii(text, kind, value):
    assert (kind, value) in kinds(text)


@pytest.mark.parametrize("text", [
    "I can pay two hundred dollars on the fifth",
    "I have one or two questions about my loan",
    "The APR is 14.99% and the term is 36 months, payment $416",
    "I had an accident on 08/09/2021",
    "I'm calling about your personal loan.",
    "This is an attempt to collect a debt.",
    "Thanks for calling Harbor Lending, how can I help?",
    "reference 4111 1111 1111 1112 is not a card",
    "I could do $200 on the 1st of next month.",
    "Oh. Yeah, my hours got cut.",
])
def test_leaves_ordinary_speech_alone(text):
    found = kinds(text)
    assert all(kind not in {"CARD", "NAME", "DOB", "PHONE", "SSN", "EMAIL"} for kind, _ in found), found


def test_a_card_needs_luhn_unless_someone_says_card():
    assert not any(k == "CARD" for k, _ in kinds("reference 4111 1111 1111 1112"))
    assert ("CARD", "4111 1111 1111 1112") in kinds("my card number is 4111 1111 1111 1112")


def test_what_the_operator_asked_for_reads_the_answer():
    asked = asked_for("And the last four of your Social Security number?")
    assert asked == {"SSN"}
    assert kinds("The last four are 6789.", PiiContext(asked)) == [("SSN", "6789")]
    assert kinds("The last four are 6789.") == []
    dob = PiiContext(asked_for("can you give me your date of birth?"))
    assert ("DOB", "July 2nd") in kinds("It's July 2nd.", dob)
    name = PiiContext(asked_for("Can I get your full name?"))
    assert kinds("morgan reyes", name) == [("NAME", "morgan reyes")]


def test_names_stated_earlier_are_masked_wherever_they_come_back():
    known = name_tokens("Casey Whitfield")
    assert known == {"casey", "whitfield"}
    assert kinds("ok so casey, about the balance", PiiContext(known_names=known)) == [("NAME", "casey")]


def test_same_card_read_two_ways_has_one_canonical_value():
    spoken = find_pii("card four one one one one one one one one one one one one one one one")[0]
    written = find_pii("card 4111-1111-1111-1111")[0]
    assert spoken.canonical == written.canonical == "4111111111111111"


def test_redact_keeps_the_shared_api():
    result = redact("write to jordan.miles@example.com, card 4111 1111 1111 1111")
    assert result.text == "write to [EMAIL], card [CARD]"
    assert result.kinds == ("CARD", "EMAIL")


def test_an_utterance_ending_in_part_of_a_number_may_continue():
    assert ends_with_open_number("my card is four one one one one one one one")
    assert ends_with_open_number("account number is 1234")
    assert not ends_with_open_number("I can pay 200")
    assert not ends_with_open_number("my phone is 415 555 0142")
    # a credit score is complete: no hold waiting for more digits ("credit" is also a card cue)
    assert not ends_with_open_number("Would I even qualify? my credit's decent, like 690.")
    assert not ends_with_open_number("my credit score is around 720")
    assert ends_with_open_number("my credit card is 4111 1111")  # a card's first groups are still held
    assert ends_with_open_number("my credit card number starts 411")  # 3 digits with no score cue
    assert starts_with_number("one one one one one one one one.")
    assert not starts_with_number("okay, thanks")


def test_the_knowledge_base_and_disclosures_have_nothing_to_mask():
    """Compliance masks drafts with the same detectors: text grounded on the knowledge base must pass."""
    knowledge = yaml.safe_load((ROOT / "data" / "knowledge" / "kb.yaml").read_text())
    packs = [yaml.safe_load(path.read_text()) or {} for path in sorted((ROOT / "data" / "policies").rglob("*.yaml"))]
    obligations = [o for pack in packs for o in pack.get("obligations") or []]
    disclosures = [o["disclosure_text"] for o in obligations if "disclosure_text" in o]
    assert disclosures
    texts = [item["text"] for item in knowledge["items"]] + disclosures
    assert {text: kinds(text) for text in texts if kinds(text)} == {}
