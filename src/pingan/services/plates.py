"""Pure core: Chinese licence plates, normalised and folded for OCR-tolerant matching."""

from __future__ import annotations

import re

from pingan.services import settings

# 蒙K·12345, 京A12345, new-energy 8-character plates, police/embassy suffixes.
_PLATE = re.compile(r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fa5]?$")


class InvalidPlate(ValueError):
    """Text that cannot be a Chinese licence plate."""


def normalise(raw: str) -> str:
    """Upper-case, no separators: 蒙k·12345 → 蒙K12345."""
    value = re.sub(r"[\s·.\-•]", "", raw).upper()
    if not _PLATE.match(value):
        raise InvalidPlate("车牌号格式不正确 / not a licence plate (e.g. 蒙K12345)")
    return value


def fold(plate: str) -> str:
    """Characters OCR confuses mapped to one symbol (0/D/Q, 8/B, 1/I, 2/Z, 5/S).

    The province character and the letter after it are kept as read: the fold applies to
    the serial part, where letters and digits mix.
    """
    table = str.maketrans(settings.parking()["confusions"])
    return plate[:2] + plate[2:].translate(table)
