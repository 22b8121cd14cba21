"""Resident ID numbers (居民身份证号码) per GB 11643-1999.

Eighteen characters: a six-digit region code, the birth date (YYYYMMDD), a three-digit
sequence and a check character computed with ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11).
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


class InvalidIdNumber(ValueError):
    """The text is not a valid 18-character resident ID number."""


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the canonical form (upper-case X) or raise with the reason it is wrong."""
    value = raw.strip().upper()
    if not _SHAPE.match(value):
        raise InvalidIdNumber(
            "身份证号应为18位，前17位为数字，末位为数字或X / ID number must be 18 characters"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber(
            "身份证号中的出生日期无效 / the birth date in the ID number is invalid"
        ) from exc
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidIdNumber(
            "身份证号中的出生日期不合理 / the birth date in the ID number is implausible"
        )
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber("身份证号校验位错误 / the ID number's check character is wrong")
    return value


def mask_id_number(value: str) -> str:
    """Show region prefix and last four only: 1527**********1234."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
