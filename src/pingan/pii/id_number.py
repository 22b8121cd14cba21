"""Resident ID numbers (居民身份证号码) per GB 11643-1999.

Eighteen characters: a six-digit region code, the birth date (YYYYMMDD), a three-digit
sequence and a check character computed with ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11).
"""

from __future__ import annotations

import re
from datetime import date

from pingan.i18n import msg

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
        raise InvalidIdNumber(msg("pii.bad_id_number_format"))
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber(msg("pii.invalid_birth_date")) from exc
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidIdNumber(msg("pii.implausible_birth_date"))
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber(msg("pii.bad_check_character"))
    return value


def mask_id_number(value: str) -> str:
    """Show region prefix and last four only: 1527**********1234."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
