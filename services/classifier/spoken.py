"""Spoken forms to written ones, so one set of patterns reads both: "eight thousand" -> "8000",
"three fifty" -> "350", "fourteen point nine nine percent" -> "14.99 percent", "the first" -> "the 1st";
and dates as said ("the 1st", "next Friday", "December 3rd") resolved against the call's own date.

Number words are parsed here rather than with a number-words package: the forms a caller uses for money
("three fifty", "twelve five hundred") are colloquial, and the ones packages handle are a few lines.
Dates use python-dateutil (already locked) for calendar arithmetic.
"""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "million": 1_000_000}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
_WORD = "|".join([*UNITS, *TENS, *SCALES, "a", "and", "point", "oh"])
_RUN = re.compile(rf"\b(?:{_WORD})(?:[\s-]+(?:{_WORD}))*\b", re.IGNORECASE)
# Ordinals only after "the" or a month name: "just a second" stays as it is.
_ORDINAL_RUN = re.compile(
    r"\b(the\s+|(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+)"
    r"(?:(twenty|thirty)[\s-])?(" + "|".join(ORDINALS) + r")\b", re.IGNORECASE)
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def ordinal(day: int) -> str:
    return f"{day}{'th' if 10 <= day % 100 <= 20 else _SUFFIX.get(day % 10, 'th')}"


def _said_in_pairs(words: list[str]) -> int | None:
    """A figure said as hundreds and the rest: "three fifty" 350, "seven ten" 710, "seven twenty five" 725,
    "seven oh five" 705; None for any other run."""
    if not (1 <= UNITS.get(words[0], 0) <= 19) or len(words) not in (2, 3):
        return None
    rest = words[1:]
    if len(rest) == 1 and (rest[0] in TENS or 10 <= UNITS.get(rest[0], 0) <= 19):
        return UNITS[words[0]] * 100 + TENS.get(rest[0], UNITS.get(rest[0], 0))
    if len(rest) == 2 and (rest[0] in TENS or rest[0] == "oh") and 1 <= UNITS.get(rest[1], 0) <= 9:
        return UNITS[words[0]] * 100 + TENS.get(rest[0], 0) + UNITS[rest[1]]
    return None


def _integer(words: list[str]) -> int | None:
    """'twelve thousand five hundred' -> 12500; 'three fifty' -> 350 (a price said in pairs)."""
    if not words:
        return None
    paired = _said_in_pairs(words)
    if paired is not None:
        return paired
    total, current = 0, 0
    for word in words:
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in SCALES:
            total += max(current, 1) * SCALES[word]
            current = 0
    return total + current


def words_to_number(phrase: str) -> float | None:
    """A run of number words as a number; None when it holds no number word."""
    words = [w for w in re.split(r"[\s-]+", phrase.lower()) if w and w != "and"]
    if not any(w in UNITS or w in TENS or w in SCALES for w in words):
        return None
    if words and words[0] == "a":
        words = words[1:] if len(words) > 1 and words[1] in SCALES else words
    words = [w for w in words if w != "a"]
    if "point" in words:
        at = words.index("point")
        whole = _integer(words[:at]) or 0
        decimals = "".join(str(UNITS.get(w, "")) for w in words[at + 1:] if w in UNITS)
        return float(f"{whole}.{decimals or 0}")
    value = _integer(words)
    return None if value is None else float(value)


def _written(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def text_before_is_dollar(match: re.Match[str]) -> bool:
    return match.string[:match.start()].rstrip().endswith("$")


_HALF = re.compile(rf"\b((?:{_WORD}|\d+)(?:[\s-]+(?:{_WORD}))*)\s+and\s+a\s+half\s+(thousand|grand|million|years?)\b",
                   re.IGNORECASE)


def _half(match: re.Match[str]) -> str:
    """"six and a half thousand" -> "$6500"; "two and a half years" -> "30 months"."""
    whole = float(match.group(1)) if match.group(1).isdigit() else words_to_number(match.group(1))
    if whole is None:
        return match.group()
    unit = match.group(2).lower()
    if unit.startswith("year"):
        return f"{int(whole * 12 + 6)} months"
    return "$" + _written((whole + 0.5) * SCALES[unit])


_DIGITS_SCALE = re.compile(r"\$?\b(\d+(?:\.\d+)?)\s*(thousand|grand|million)\b", re.IGNORECASE)


def _digits_scale(match: re.Match[str]) -> str:
    """"12 thousand", "4 grand", "$1.5 million": digits with a spoken scale are dollars."""
    return "$" + _written(float(match.group(1)) * SCALES[match.group(2).lower()])


def normalize(text: str) -> str:
    """The text with spoken numbers and ordinals written as digits ("a" alone is left as it is)."""
    def number(match: re.Match[str]) -> str:
        raw = match.group()
        stripped = raw.strip()
        if stripped.lower() in ("a", "and", "point", "a point") or re.fullmatch(r"(?i)(?:a|and)(?:\s+(?:a|and))*",
                                                                               stripped):
            return raw
        lead = re.match(r"(?i)(?:(?:a|and|point)\s+)+(?!hundred|thousand|grand|million)", raw)
        prefix = lead.group() if lead else ""
        tail = re.search(r"(?i)(?:[\s-]+(?:a|and|point))+$", raw)
        suffix = tail.group() if tail else ""
        words = raw[len(prefix):len(raw) - len(suffix)]
        value = words_to_number(words)
        if value is None:
            return raw
        # Thousands said in a lending call are money ("sixty five thousand a year", "eighteen hundred a
        # month"): written as dollars.
        money = value >= 1000 and re.search(r"(?i)thousand|grand|million|hundred", words) and not (
            text_before_is_dollar(match))
        return prefix + ("$" if money else "") + _written(value) + suffix

    def day(match: re.Match[str]) -> str:
        tens = {"twenty": 20, "thirty": 30}.get((match.group(2) or "").lower(), 0)
        return match.group(1) + ordinal(tens + ORDINALS[match.group(3).lower()])

    text = _ORDINAL_RUN.sub(day, text)
    text = _HALF.sub(_half, text)
    text = _DIGITS_SCALE.sub(_digits_scale, text)
    text = _RUN.sub(number, text)
    # "8000 dollars and 50 cents", "14 . 99" after spacing quirks; "3 50" left by a pause stays two numbers.
    return re.sub(r"(\d)\s+point\s+(\d)", r"\1.\2", text)


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH_INDEX = {m: i + 1 for i, m in enumerate(MONTHS)} | {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR, "saturday": SA,
             "sunday": SU}
_DAY = r"(\d{1,2})(?:st|nd|rd|th)"
DATE = re.compile(
    rf"\b(?P<month>{'|'.join(MONTHS)}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s+(?P<md>\d{{1,2}})"
    rf"(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d\d))?\b"
    rf"|\b(?:the\s+)?{_DAY}(?:\s+of\s+(?P<of>next month|this month|{'|'.join(MONTHS)}))?"
    rf"|\b(?P<rel>next|this)?\s*(?P<weekday>{'|'.join(_WEEKDAYS)})\b"
    r"|\b(?P<word>today|tomorrow|next week|end of (?:the|this) month|end of next month)\b"
    r"|\b(?P<iso>20\d\d-\d\d-\d\d)\b",
    re.IGNORECASE,
)


def _next_day_of_month(day: int, today: date, month_offset: int = 0) -> date | None:
    """The next date with that day of the month on or after today (or in a given month)."""
    base = today.replace(day=1) + relativedelta(months=month_offset)
    try:
        candidate = base.replace(day=day)
    except ValueError:
        return None
    if month_offset == 0 and candidate < today:
        candidate = base + relativedelta(months=1, day=day)
    return candidate


def _resolve(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    if groups["iso"]:
        return date.fromisoformat(groups["iso"])
    if groups["month"]:
        month, day = _MONTH_INDEX[groups["month"].lower()[:3]], int(groups["md"])
        year = int(groups["year"]) if groups["year"] else today.year
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        return found if groups["year"] or found >= today else found.replace(year=year + 1)
    if match.group(4):  # "the 1st", "the 15th of next month"
        day, of = int(match.group(4)), (groups["of"] or "").lower()
        if of in MONTHS:
            return _resolve_month_day(_MONTH_INDEX[of[:3]], day, today)
        return _next_day_of_month(day, today, 1 if of == "next month" else 0)
    if groups["weekday"]:
        weekday = _WEEKDAYS[groups["weekday"].lower()]
        return today + relativedelta(days=1, weekday=weekday(+1))  # the coming one, "next" or not
    word = (groups["word"] or "").lower()
    return {"today": today, "tomorrow": today + relativedelta(days=1), "next week": today + relativedelta(weeks=1),
            "end of the month": today + relativedelta(day=31), "end of this month": today + relativedelta(day=31),
            "end of next month": today + relativedelta(months=1, day=31)}.get(word)


def _resolve_month_day(month: int, day: int, today: date) -> date | None:
    try:
        found = date(today.year, month, day)
    except ValueError:
        return None
    return found if found >= today else found.replace(year=today.year + 1)


def dates_in(text: str, today: date) -> list[tuple[str, date, int]]:
    """(words as said, resolved date, position) for each date in text (text already normalized)."""
    found = []
    for match in DATE.finditer(text):
        said = match.group().strip()
        if not said:
            continue
        resolved = _resolve(match, today)
        if resolved is not None and resolved.year >= today.year - 1:  # older: a date of birth, not a call fact
            found.append((said, resolved, match.start()))
    return found
