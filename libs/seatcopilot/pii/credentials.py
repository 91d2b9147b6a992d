"""Secrets and identifiers that only their cue gives away: card security codes (CVV), card expiry dates,
PINs, passwords, one-time codes, driver's licence numbers, and dates of birth said the way people say them
("oh three slash oh five slash eighty two", "march fifth eighty two").

A bare "123" or "09/27" is nothing by itself; "the code on the back is 123" is a CVV. Each detector is a
cue followed, within a short gap of filler words ("is", "it's", "that's", ":"), by a value of the kind's
shape. They run on the normalized text (spoken numbers already digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_GAP = r"(?:\s*(?:is|was|it's|it is|that's|that is|would be|reads|says|are|of|:|=|-|,|number|code|digits)\s*){0,4}\s*"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_SEP = r"\s*(?:/|-|\.|slash|dash)?\s*"


def _after_cue(cue: str, value: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{cue}){_GAP}(?P<value>{value})(?![\w/])", re.I)


# The order is the order of precedence where two claim the same words.
DETECTORS: dict[str, tuple[re.Pattern[str], ...]] = {
    "OTP": (_after_cue(
        r"\b(?:one[- ]time (?:pass)?(?:code|password|pin)|otp|verification code|sms code|text(?:ed)? code|"
        r"2fa code|two[- ]factor code|authentication code|access code|code (?:we|i|you|they) (?:just )?"
        r"(?:sent|texted|got|received|e-?mailed)(?: you| me)?)\b", r"\d(?:[ -]?\d){3,7}"),),
    "CVV": (_after_cue(
        r"\b(?:cvv2?|cvc2?|cv2|csc|security code|card verification (?:code|value|number)|"
        r"(?:three|four|3|4)[- ]digit (?:security )?code|code on the back(?: of (?:the|my|your) card)?|"
        r"(?:number|digits) on the back(?: of (?:the|my|your) card)?)\b", r"\d(?:[ -]?\d){2,3}"),),
    "EXPIRY": (_after_cue(
        r"\b(?:expir(?:es|y|ation)(?: date)?|exp(?:\.|\b)|valid (?:thru|through|until)|good (?:thru|through))",
        rf"(?:0?[1-9]|1[0-2]){_SEP}(?:20)?\d{{2}}|{_MONTH},?\s+(?:of\s+)?(?:20)?\d{{2}}"),),
    "PIN": (_after_cue(r"\b(?:pin(?: number| code)?|passcode|pass code)\b", r"\d(?:[ -]?\d){3,7}"),),
    "PASSWORD": (_after_cue(
        r"\b(?:password|passphrase|pass word|login code)\b",
        r"(?!(?:is|was|and|but|for|to|the|please|again|reset|expired?|change|not|no|wrong|incorrect|locked|"
        r"working)\b)[^\s.,;!?]+(?:[ ]\d+)?"),),
    "DRIVER_LICENSE": (_after_cue(
        r"\b(?:driver'?s'?|drivers|driving) licen[cs]e(?: number| no\.?| id)?|\bd\.? ?l\.? (?:number|no\.?)|"
        r"\blicen[cs]e (?:number|no\.?)",
        r"[a-z]{0,2}[ -]?\d(?:[ -]?[\da-z]){4,16}"),),
    "DOB": (_after_cue(
        r"\b(?:born(?: on)?|birthday|birth ?date|date of birth|dob|d o b)\b",
        rf"\d{{1,2}}{_SEP}\d{{1,2}}{_SEP}(?:19|20)?\d{{2}}|{_MONTH}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?,?\s+"
        rf"(?:of\s+)?\d{{2}}|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+of\s+{_MONTH},?\s+\d{{2}}|\d{{6}}|\d{{8}}"),),
}
KINDS = tuple(DETECTORS)
SECRET_KINDS = frozenset({"OTP", "CVV", "PIN", "PASSWORD"})
"""Authentication data: never kept in any form, not even a keyed hash (PCI DSS 3.3 for the CVV and PIN)."""


def credentials(text: str) -> Iterator[tuple[str, int, int]]:
    for kind, patterns in DETECTORS.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                yield kind, match.start("value"), match.end("value")
