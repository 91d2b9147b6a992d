"""Spoken numbers to digits, keeping a map back to the original text.

Transcripts spell numbers out ("four one one one", "oh" for zero, "double five", "nineteen eighty
five", "幺三八"); detectors work on a normalized copy where those are digits, and every character
of the copy knows which span of the original it came from, so a finding masks the words spoken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9}
ZERO_WORDS = frozenset({"oh", "o"})
TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
         "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
ORDINAL_UNITS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9}
ORDINAL_OTHERS = {"tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
                  "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
                  "twentieth": 20, "thirtieth": 30}
REPEATS = {"double": 2, "triple": 3}
DASH_WORDS = frozenset({"dash", "hyphen"})
CN_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
             "七": "7", "八": "8", "九": "9"}
CN_RUN_MIN = 3  # "一" alone is a word ("一下"); only runs of spoken digits are numbers
FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x"}

_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+|[０-９]+|[\u3007\u4e00-\u9fff]|\s+|.", re.S)


@dataclass(frozen=True)
class Normalized:
    """The normalized text and, per character, the original span it stands for."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


@dataclass
class _Piece:
    text: str
    start: int
    end: int
    number: bool = False
    spoken: bool = False


def _ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


class _Reader:
    """Reads one spoken number phrase starting at a word token."""

    def __init__(self, tokens: list[re.Match[str]]) -> None:
        self.tokens = tokens
        self.words = [t.group().lower() for t in tokens]

    def next_word(self, index: int, allow_hyphen: bool = True) -> int | None:
        """Index of the next word token after index, skipping one space (or hyphen)."""
        j = index + 1
        if j < len(self.words) and (self.words[j] == " " or (allow_hyphen and self.words[j] == "-")):
            j += 1
        if j < len(self.words) and self.words[j].isalpha():
            return j
        return None

    def below_hundred(self, index: int) -> tuple[int, int, str | None] | None:
        """A value 0-99 (cardinal or ordinal) at index: (value, last token index, ordinal or None)."""
        word = self.words[index]
        if word in UNITS:
            return UNITS[word], index, None
        if word in TEENS:
            return TEENS[word], index, None
        if word in ORDINAL_UNITS:
            return ORDINAL_UNITS[word], index, _ordinal(ORDINAL_UNITS[word])
        if word in ORDINAL_OTHERS:
            return ORDINAL_OTHERS[word], index, _ordinal(ORDINAL_OTHERS[word])
        if word in TENS:
            nxt = self.next_word(index)
            if nxt is not None and self.words[nxt] in UNITS and UNITS[self.words[nxt]] > 0:
                return TENS[word] + UNITS[self.words[nxt]], nxt, None
            if nxt is not None and self.words[nxt] in ORDINAL_UNITS:
                value = TENS[word] + ORDINAL_UNITS[self.words[nxt]]
                return value, nxt, _ordinal(value)
            return TENS[word], index, None
        return None

    def phrase(self, index: int) -> tuple[str, int] | None:
        """The digits a number phrase at index stands for, and the index of its last token."""
        word = self.words[index]
        if word in REPEATS:
            nxt = self.next_word(index, allow_hyphen=False)
            if nxt is not None and self.words[nxt] in UNITS:
                return str(UNITS[self.words[nxt]]) * REPEATS[word], nxt
            return None
        head = self.below_hundred(index)
        if head is None:
            return None
        value, last, ordinal = head
        if ordinal:
            return ordinal, last
        scaled = self._scaled(value, last)
        if scaled is not None:
            return scaled
        return str(value), last

    def _scaled(self, value: int, last: int) -> tuple[str, int] | None:
        """'twelve hundred', 'four hundred and five', 'two thousand twenty'."""
        nxt = self.next_word(last, allow_hyphen=False)
        if nxt is None or self.words[nxt] not in ("hundred", "thousand"):
            return None
        total = value * (100 if self.words[nxt] == "hundred" else 1000)
        last = nxt
        after = self.next_word(last, allow_hyphen=False)
        if after is not None and self.words[after] == "and":
            after = self.next_word(after, allow_hyphen=False)
        if after is not None:
            rest = self.below_hundred(after)
            if rest is not None and rest[2] is None:
                total, last = total + rest[0], rest[1]
        return str(total), last


def _is_digit_context(pieces: list[_Piece], tokens: list[re.Match[str]], reader: _Reader, index: int) -> bool:
    """'oh' and 'o' are zero only beside other digits."""
    previous = next((p for p in reversed(pieces) if p.text.strip()), None)
    if previous is not None and previous.number:
        return True
    nxt = reader.next_word(index, allow_hyphen=True)
    if nxt is None:
        j = index + 1
        if j < len(tokens) and tokens[j].group() == " ":
            j += 1
        return j < len(tokens) and tokens[j].group().isdigit()
    word = reader.words[nxt]
    return word in UNITS or word in ZERO_WORDS or word in TEENS or word in TENS or word in REPEATS


def normalize(text: str) -> Normalized:
    tokens = list(_TOKEN.finditer(text))
    reader = _Reader(tokens)
    pieces: list[_Piece] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        raw = token.group()
        word = raw.lower()
        if raw.isalpha() and raw.isascii():
            phrase = reader.phrase(i)
            if phrase is None and word in ZERO_WORDS and _is_digit_context(pieces, tokens, reader, i):
                phrase = ("0", i)
            if phrase is not None:
                digits, last = phrase
                ordinal = not digits.isdigit()  # "2nd" is a day, never part of a longer number
                if not ordinal:
                    _join(pieces)
                pieces.append(_Piece(digits, token.start(), tokens[last].end(), number=not ordinal, spoken=True))
                i = last + 1
                continue
            previous = next((p for p in reversed(pieces) if p.text.strip()), None)
            if word in DASH_WORDS and previous is not None and previous.number:
                pieces.append(_Piece("-", token.start(), token.end()))
                i += 1
                continue
        elif raw[0] in FULL_WIDTH:
            pieces.append(_Piece("".join(FULL_WIDTH[c] for c in raw), token.start(), token.end(), number=True))
            i += 1
            continue
        elif raw in CN_DIGITS:
            j = i
            while j < len(tokens) and tokens[j].group() in CN_DIGITS:
                j += 1
            if j - i >= CN_RUN_MIN:
                for k in range(i, j):
                    pieces.append(_Piece(CN_DIGITS[tokens[k].group()], tokens[k].start(), tokens[k].end(),
                                         number=True))
                i = j
                continue
        elif raw.isdigit():
            _join(pieces, written=True)
            pieces.append(_Piece(raw, token.start(), token.end(), number=True))
            i += 1
            continue
        pieces.append(_Piece(raw, token.start(), token.end()))
        i += 1
    return _assemble(pieces)


def _join(pieces: list[_Piece], written: bool = False) -> None:
    """Spoken digits run together: drop the single space between two number phrases."""
    if len(pieces) >= 2 and pieces[-1].text == " " and pieces[-2].number and (pieces[-2].spoken or not written):
        pieces.pop()


def _assemble(pieces: list[_Piece]) -> Normalized:
    chars, starts, ends = [], [], []
    for piece in pieces:
        if piece.number or len(piece.text) != piece.end - piece.start:
            for char in piece.text:
                chars.append(char)
                starts.append(piece.start)
                ends.append(piece.end)
        else:
            for offset, char in enumerate(piece.text):
                chars.append(char)
                starts.append(piece.start + offset)
                ends.append(piece.start + offset + 1)
    return Normalized("".join(chars), tuple(starts), tuple(ends))
