"""Text patterns: e-mail addresses (written and spoken), dates (of birth), street addresses.

They run on the normalized text, so spoken numbers are already digits ("twelve thirty four maple
avenue" reads "1234 maple avenue").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_TLD = r"(?:com|net|org|edu|gov|io|co|us|uk|ca|cn|biz|info|me|mail)"
EMAIL_WRITTEN = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_WORD = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
# Spoken local parts: words joined by "dot"/"underscore"/"dash", or letters spelled one by one.
_SPOKEN_LOCAL = (rf"(?:{_WORD}(?:\s+(?:dot|period|underscore|dash|hyphen)\s+{_WORD})*"
                 rf"|(?:[a-z0-9]\s+){{2,}}[a-z0-9])")
EMAIL_SPOKEN = re.compile(
    rf"(?<![\w'’]){_SPOKEN_LOCAL}\s+(?:at|@)\s+[a-z0-9-]+(?:(?:\s+dot\s+|\.)[a-z0-9-]+)*(?:\s+dot\s+|\.){_TLD}\b",
    re.I,
)

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
DATES = (
    re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+(?:of\s+)?(?P<year>{_YEAR}))?\b", re.I),
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>{_YEAR})\b", re.I),
    re.compile(rf"\b{_MONTH},?\s+(?P<year>{_YEAR})\b", re.I),
    re.compile(r"\b(?:0?[1-9]|1[0-2])[/.\-](?:0?[1-9]|[12]\d|3[01])[/.\-](?P<year>(?:19|20)?\d{2})\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:0?[1-9]|[12]\d|3[01])\b"),
    re.compile(r"(?P<year>(?:19|20)\d{2})\s?年\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?[日号])?"),
)
MONTH_YEAR = 2  # index of the month-and-year pattern: no day, so never a birth date by its year alone
BIRTH_CUE = re.compile(r"\b(?:born|birth|dob|d o b|birthday|birth ?date)\b|出生|生日", re.I)
BIRTH_WINDOW = 60
ADULT_AGE = 16

_STREET = (r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|"
           r"circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|loop|crescent|alley|row)")
_NOT_IN_STREET = (r"(?!(?:dollars?|bucks|percent|months?|years?|days?|on|in|a|the|my|your|per|and|or|to|"
                  r"for|at|of|is|it|was|i)\b)")
_STATE = r"(?:[A-Z]{2}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)"  # "KS", "Kansas", "New York"
ADDRESSES = (
    re.compile(
        rf"\b\d{{1,6}}[a-z]?\s+(?:(?:north|south|east|west|n|s|e|w)\.?\s+)?"
        rf"(?:{_NOT_IN_STREET}[a-z0-9'’.\-]+\s+){{0,3}}{_STREET}\b\.?"
        rf"(?:,?\s*(?:apt|apartment|suite|ste|unit|#)\.?\s*#?[a-z0-9\-]+)?",
        re.I,
    ),
    re.compile(r"\bp\.?\s?o\.?\s+box\s+\d+\b", re.I),
    re.compile(r"(?:住在|住址是|地址是|位于)?(?P<address>[\u4e00-\u9fff]{2,15}(?:路|街|大道|巷|胡同|弄)\s?\d+\s?号"
               r"(?:[\u4e00-\u9fff\d]{0,10}(?:室|楼|单元))?)"),
)
# ", Garden City, NY 11530" after a street address belongs to it.
CITY_TAIL = re.compile(rf"^,\s*[A-Za-z][A-Za-z .'\-]{{1,30}}?,\s*{_STATE}\b(?:\s+\d{{5}}(?:-\d{{4}})?)?")


def emails(text: str) -> Iterator[tuple[int, int]]:
    for match in EMAIL_WRITTEN.finditer(text):
        yield match.span()
    for match in EMAIL_SPOKEN.finditer(text):
        yield match.span()


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    year: str | None
    has_day: bool


def dates(text: str) -> Iterator[DateMatch]:
    """Every date expression, the longest first where two overlap."""
    taken: list[tuple[int, int]] = []
    for index, pattern in enumerate(DATES):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            yield DateMatch(match.start(), match.end(), match.groupdict().get("year"), index != MONTH_YEAR)


def is_birth_date(text: str, date: DateMatch, expected: bool) -> bool:
    """A date of birth: someone says so, it was asked for, or it is a full date in an adult's birth years."""
    if expected or BIRTH_CUE.search(text[max(0, date.start - BIRTH_WINDOW):date.start]) or \
            BIRTH_CUE.search(text[date.end:date.end + 30]):
        return True
    if not date.has_day or date.year is None or len(date.year) != 4:
        return False
    return 1900 <= int(date.year) <= dt.date.today().year - ADULT_AGE


def addresses(text: str) -> Iterator[tuple[int, int]]:
    for pattern in ADDRESSES:
        for match in pattern.finditer(text):
            start, end = match.span("address") if "address" in pattern.groupindex else match.span()
            tail = CITY_TAIL.match(text[end:])
            if tail:
                end += tail.end()
            yield start, end
