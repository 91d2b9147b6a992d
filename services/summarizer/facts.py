"""Finding facts in text: amounts, dates and numbers, and the forms they are compared in.

The same functions read the call (to build its state) and a summary (to verify it), so a figure
said as "$1,210", "1210" or "one thousand two hundred ten" compares equal.
"""

from __future__ import annotations

import re

_FIGURE = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
# An amount touching a redaction placeholder ("$22,[ACCOUNT]") is a fragment, not a figure: left out.
AMOUNT = re.compile(rf"\$\s?(?:{_FIGURE})(?![\d\[]|,[\d\[])|\b(?:{_FIGURE})\s+dollars\b", re.IGNORECASE)
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
MONTH_ABBREVIATIONS = {m[:3]: m for m in MONTHS} | {"sept": "september"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = "|".join((*MONTHS, *(a for a in MONTH_ABBREVIATIONS if a != "may")))
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = re.compile(
    rf"\b(?:(?:{_MONTH})\.?\s+{_ORDINAL}(?:,?\s+\d{{4}})?"
    rf"|(?:the\s+)?{_ORDINAL}\s+of\s+(?:{_MONTH}|next month|this month)"
    rf"|(?:next\s+|this\s+)?(?:{'|'.join(WEEKDAYS)})"
    r"|tomorrow(?:\s+(?:morning|afternoon|evening))?|next week|end of the month|end of next month"
    r"|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)
# Month and weekday names anywhere: a summary that names one the call did not is not supported.
CALENDAR_WORD = re.compile(rf"\b(?:{'|'.join(MONTHS)}|{'|'.join(WEEKDAYS)}|tomorrow|yesterday)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?(?![\d])", re.IGNORECASE)
_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORDS = re.compile(
    r"\b(?:(?:" + "|".join([*_UNITS, *_TENS, *_SCALES]) + r")(?:[\s-]+(?:and[\s-]+)?(?=\w))?)+\b", re.IGNORECASE)


def canonical_number(raw: str) -> str:
    """'$1,210.00' -> '1210', '89.99' -> '89.99', '1st' -> '1'."""
    digits = re.sub(r"(?:st|nd|rd|th)$", "", raw.strip().lstrip("$").strip(), flags=re.IGNORECASE).replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return digits
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _words_value(phrase: str) -> int | None:
    total, current, seen = 0, 0, False
    for word in re.findall(r"[a-z]+", phrase.lower()):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            scale = _SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            continue
        seen = True
    return total + current if seen else None


def numbers_in(text: str) -> set[str]:
    """Every number in the text, digits or words, in canonical form."""
    found = {canonical_number(m.group()) for m in _NUMBER.finditer(text)}
    for match in _NUMBER_WORDS.finditer(text):
        value = _words_value(match.group())
        if value is not None:
            found.add(str(value))
    return found


def amounts_in(text: str) -> list[str]:
    return [a.strip() for a in AMOUNT.findall(text)]


def date_near(text: str, amount: str, dates: list[str]) -> str:
    """The date said closest after the amount ("$200 on the 1st"), else closest before it; '' if none."""
    if not dates:
        return ""
    at = text.find(amount)
    spans = [(text.find(d), d) for d in dates]
    after = [(start - at, d) for start, d in spans if start >= at]
    return min(after)[1] if after else max(spans)[1]


def has_old_date(text: str, oldest_year: int) -> bool:
    """A date of a year before oldest_year (a date of birth, say): identity data, not a call fact."""
    return any(int(y) < oldest_year for d in DATE.findall(text) for y in re.findall(r"\b(?:19|20)\d{2}\b", d))


def dates_in(text: str, oldest_year: int = 0) -> list[str]:
    """Dates as said; with oldest_year, dates of an earlier year (a date of birth, say) are left out."""
    dates = [d.strip() for d in DATE.findall(text)]
    return [d for d in dates if not any(int(y) < oldest_year for y in re.findall(r"\b(?:19|20)\d{2}\b", d))]


def calendar_words_in(text: str) -> set[str]:
    words = {w.lower() for w in CALENDAR_WORD.findall(text)}
    abbreviations = re.findall(r"\b(jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b", text, re.IGNORECASE)
    words |= {MONTH_ABBREVIATIONS[a.lower()] for a in abbreviations}
    return words


def iso_month_words(text: str) -> set[str]:
    """Month names of ISO dates ('2019-11-06' -> november), so a summary may name them."""
    return {MONTHS[int(m) - 1] for m in re.findall(r"\b\d{4}-(\d{2})-\d{2}\b", text) if 1 <= int(m) <= 12}
