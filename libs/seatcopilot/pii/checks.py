"""Checksums and number-plan rules that tell an identifier from an arbitrary run of digits."""

from __future__ import annotations

import datetime as dt

CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CN_ID_CHECK = "10X98765432"
# First two digits of ABA routing numbers: Federal Reserve districts (01-12), thrifts (21-32),
# electronic (61-72) and traveler's checks (80).
ABA_PREFIXES = frozenset({*range(0, 13), *range(21, 33), *range(61, 73), 80})
ITIN_GROUPS = frozenset({*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)})


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def aba_valid(digits: str) -> bool:
    """ABA routing number: 9 digits, weights 3-7-1, and a known prefix."""
    if len(digits) != 9 or not digits.isdigit() or int(digits[:2]) not in ABA_PREFIXES:
        return False
    d = [int(c) for c in digits]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def ssn_valid(digits: str) -> bool:
    """US SSN structure: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def itin_valid(digits: str) -> bool:
    """ITIN: 9xx-(50-65|70-88|90-92|94-99)-xxxx."""
    return len(digits) == 9 and digits.isdigit() and digits[0] == "9" and int(digits[3:5]) in ITIN_GROUPS


def nanp_valid(digits: str) -> bool:
    """A North American number: 10 digits (or 11 with a leading 1), area and exchange not starting 0/1."""
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return len(digits) == 10 and digits.isdigit() and digits[0] in "23456789" and digits[3] in "23456789"


def cn_mobile_valid(digits: str) -> bool:
    """A mainland China mobile number: 11 digits starting 13-19, optionally after 86."""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return len(digits) == 11 and digits.isdigit() and digits[0] == "1" and digits[1] in "3456789"


def cn_id_valid(value: str) -> bool:
    """18-character resident identity number: region, birth date, sequence, ISO 7064 MOD 11-2 check."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit() or value[0] == "0":
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], CN_ID_WEIGHTS, strict=True))
    return CN_ID_CHECK[total % 11] == value[17]
