"""Names people state on a call: after a cue ("my name is", "this is", "speak with", "thanks,"),
as the answer to "can I get your full name?", or a name the call already revealed.

Strong cues ("my name is") take whatever words follow until a stop word; weak cues ("this is",
"I'm", greetings) take only capitalized words that are not ordinary words, or known given names
(transcripts without capital letters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from seatcopilot.pii.lexicon import GIVEN_NAMES, NAME_STOPS, NOT_NAMES, ORG_WORDS

MAX_TOKENS = 3
_NAME_WORD = r"(?:mr|mrs|ms|miss|dr)"
STRONG_CUES = re.compile(
    r"\b(?:(?:(?:my|his|her|their|the)\s+(?:full\s+|first\s+|last\s+|middle\s+|maiden\s+|birth\s?|sur)?name"
    r"(?:'s|\s+is|\s+was|\s+would\s+be|\s+should\s+be)?)"
    r"|(?:full|first|last|middle|maiden|birth|sur)\s?name(?:'s|\s+is|\s+was)"
    r"|name(?:'s|\s+is|\s+was)"
    r"|registered\s+(?:as|under)|under\s+the\s+name(?:\s+of)?|spelled|goes\s+by)"
    r"\s*[,:]?\s+",
    re.I,
)
WEAK_CUES = re.compile(
    r"\b(?:this\s+is|it's|its|it\s+is|i'm|im|i\s+am|call\s+me|speak(?:ing)?\s+(?:with|to)|talk(?:ing)?\s+(?:to|with)"
    r"|is\s+this|(?:first|last|middle|sur)\s?name"
    r"|(?:hi|hello|hey|thanks|thank\s+you|dear|sorry|bye|goodbye|welcome)\s*,?"
    r"|(?:my|his|her|our)\s+(?:son|daughter|wife|husband|mother|mom|father|dad|brother|sister|partner|spouse"
    r"|child|kid|friend|boyfriend|girlfriend|grandpa|grandma|grandfather|grandmother|uncle|aunt|cousin"
    r"|nephew|niece|fianc[eé]e?)\s*,?)\s+",
    re.I,
)
HERE_SUFFIX = re.compile(r"(?:^|[.!?]\s+|\b(?:hi|hello|hey),?\s+)([A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?)"
                         r"\s+here\b")
# "the plan name is Petcare Basic": a name cue after these words names a thing, not a person.
THING_BEFORE_NAME = re.compile(r"\b(?:plan|product|company|business|file|user|street|account|program|policy|"
                               r"brand|model|store|pet|dog|cat)'?s?\s+$", re.I)
SKIP_LEAD = frozenset({"registered", "as", "under", "actually", "just", "um", "uh", "like", "officially"})
CN_NAME = re.compile(r"(?:我叫|我姓|名字(?:是|叫)|姓名(?:是|叫)?)\s*([\u4e00-\u9fff]{2,3})")
ANSWER_LEAD = re.compile(r"^\s*(?:(?:yes|yeah|yep|sure|ok|okay|um|uh|so|well|it's|it\s+is|this\s+is|that's|"
                         r"my\s+name\s+is|name's)\s*[,.]?\s*)*", re.I)
_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"(?:[A-Za-z]\.?\s){{2,}}[A-Za-z]\b\.?|{_LETTER}(?:{_LETTER}|['’\-](?={_LETTER}))*")
_TITLE = re.compile(rf"^{_NAME_WORD}\.?\s+", re.I)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|[\"“]\s*)$")
_PROPER_BEFORE = re.compile(r"\b([A-Z][a-z]+)\s+$")  # "West Virginia", "Fort Myers": part of a place name


def _tokens_after(text: str, position: int) -> Iterator[re.Match[str]]:
    """Word tokens from position on, separated by single spaces (a comma or full stop ends the run)."""
    cursor = position
    while True:
        match = _TOKEN.match(text, cursor)
        if match is None:
            return
        yield match
        cursor = match.end()
        if cursor < len(text) and text[cursor] == " ":
            cursor += 1
        else:
            return


def _capitalized_name(word: str) -> bool:
    return word[0].isupper() and word.lower() not in NOT_NAMES


def _take(text: str, position: int, strong: bool) -> tuple[int, int] | None:
    """The name span starting at position after a cue, or None."""
    title = _TITLE.match(text[position:])
    if title:
        position += title.end()
    first_lower = False
    span: tuple[int, int] | None = None
    tokens = list(_tokens_after(text, position))
    while strong and tokens and tokens[0].group().lower() in SKIP_LEAD:
        tokens.pop(0)
    if tokens:
        position = tokens[0].start()
    for count, token in enumerate(tokens):
        word = token.group()
        lower = word.lower().rstrip(".")
        spelled = " " in word
        if count >= MAX_TOKENS or lower in ORG_WORDS:
            return None if lower in ORG_WORDS else span
        if strong:
            ok = spelled or (lower not in NAME_STOPS and len(lower) > 1)
        elif count == 0:
            ok = _capitalized_name(word) or (lower in GIVEN_NAMES and lower not in NOT_NAMES)
            first_lower = word[0].islower()
        else:
            ok = _capitalized_name(word) or (first_lower and lower not in NAME_STOPS and len(lower) > 1)
        if not ok:
            return span
        span = (position if span is None else span[0], token.end())
    return span


def _org_follows(text: str, end: int) -> bool:
    following = re.match(r"\s+([A-Za-z]+)", text[end:])
    return bool(following and following.group(1).lower() in ORG_WORDS)


def names(text: str, known: frozenset[str] = frozenset(), expected: bool = False) -> Iterator[tuple[int, int]]:
    for cues, strong in ((STRONG_CUES, True), (WEAK_CUES, False)):
        for cue in cues.finditer(text):
            if strong and THING_BEFORE_NAME.search(text[max(0, cue.start() - 16):cue.start()]):
                continue
            span = _take(text, cue.end(), strong)
            if span and not _org_follows(text, span[1]):
                yield span
    for match in HERE_SUFFIX.finditer(text):
        words = match.group(1).split()
        if len(words) == 2 or words[0].lower() not in NOT_NAMES:
            yield match.span(1)
    for match in CN_NAME.finditer(text):
        yield match.span(1)
    yield from _given_names_mid_sentence(text)
    if expected:
        lead = ANSWER_LEAD.match(text)
        span = _take(text, lead.end() if lead else 0, strong=True) if lead else None
        if span and not _org_follows(text, span[1]):
            yield span
    if known:
        yield from _known(text, known)


def _given_names_mid_sentence(text: str) -> Iterator[tuple[int, int]]:
    """A capitalized given name inside a sentence ('the claim is for Robert Jones')."""
    for token in re.finditer(r"(?<![-\w])[A-Z][a-z]+\b", text):
        lower = token.group().lower()
        before = text[:token.start()]
        proper = _PROPER_BEFORE.search(before)
        if lower in GIVEN_NAMES and lower not in NOT_NAMES and not _SENTENCE_START.search(before) \
                and not (proper and proper.group(1).lower() not in NOT_NAMES):
            span = _take(text, token.start(), strong=False)
            if span and not _org_follows(text, span[1]):
                yield span


def _known(text: str, known: frozenset[str]) -> Iterator[tuple[int, int]]:
    for token in re.finditer(r"[A-Za-z][A-Za-z'’\-]+", text):
        if token.group().lower() in known:
            yield token.span()


def name_tokens(value: str) -> frozenset[str]:
    """The words of a found name worth remembering for the rest of the call."""
    words = {w.lower().strip(".'’") for w in re.findall(r"[A-Za-z][A-Za-z'’\-]+", value)}
    return frozenset(w for w in words if len(w) >= 3 and w not in NOT_NAMES)
