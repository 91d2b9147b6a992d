import pytest
from seatcopilot.redaction import luhn_valid, redact


@pytest.mark.parametrize(("text", "kind"), [
    ("my card is 4111 1111 1111 1111 thanks", "CARD"),
    ("card 4111-1111-1111-1111", "CARD"),
    ("ssn 123-45-6789", "SSN"),
    ("call me at 415-555-0142", "PHONE"),
    ("call me at (415) 555-0142", "PHONE"),
    ("write to jordan.miles@example.com please", "EMAIL"),
])
def test_finds_and_masks_pii(text, kind):
    result = redact(text)
    assert f"[{kind}]" in result.text
    assert kind in result.kinds
    assert not any(f.kind != kind for f in result.findings)
    assert "555-0142" not in result.text and "1111 1111" not in result.text and "example.com" not in result.text


def test_card_needs_a_valid_luhn_checksum():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert "[CARD]" not in redact("reference 4111 1111 1111 1112").text


def test_ordinary_amounts_and_dates_are_kept():
    text = "I can pay $150 on December 5th, the APR is 14.99% over 36 months"
    assert redact(text).text == text
