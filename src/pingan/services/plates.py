"""Pure core: Chinese licence plates, normalised and folded for OCR-tolerant matching."""

from __future__ import annotations

import re
from itertools import product
from typing import Literal

from pingan.i18n import Msg, msg
from pingan.services import settings

Match = Literal["exact", "corrected", "neighbour"]

# 蒙K·12345, 京A12345, new-energy 8-character plates, police/embassy suffixes.
_PLATE = re.compile(r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fa5]?$")


class InvalidPlate(ValueError):
    """Text that cannot be a Chinese licence plate."""


def normalise(raw: str) -> str:
    """Upper-case, no separators: 蒙k·12345 → 蒙K12345."""
    value = re.sub(r"[\s·.\-•]", "", raw).upper()
    if not _PLATE.match(value):
        raise InvalidPlate(msg("services.bad_plate"))
    return value


def fold(plate: str) -> str:
    """Characters OCR confuses mapped to one symbol (0/D/Q, 8/B, 1/I, 2/Z, 5/S).

    The province character and the letter after it are kept as read: the fold applies to
    the serial part, where letters and digits mix.
    """
    table = str.maketrans(settings.parking()["confusions"])
    return plate[:2] + plate[2:].translate(table)


def correct_read(plate: str) -> str:
    """A read with the letters no serial uses put back as the digits OCR took them for
    (I→1, O→0): the result can only be the plate the camera saw, never another real plate.
    Like the fold, it leaves the province character and the letter after it as read."""
    table = str.maketrans(settings.parking()["read_corrections"])
    return plate[:2] + plate[2:].translate(table)


def reads_of(plate: str) -> list[str]:
    """Every read text that corrects to this plate, the plate itself included (at most 2⁶)."""
    wanted = correct_read(plate)
    misread_as: dict[str, list[str]] = {}
    for letter, digit in settings.parking()["read_corrections"].items():
        misread_as.setdefault(digit, []).append(letter)
    choices = [[c, *misread_as.get(c, [])] for c in wanted[2:]]
    return [wanted[:2] + "".join(serial) for serial in product(*choices)]


def match(read: str, plate: str) -> Match:
    """How a read relates to the plate searched for: the same text, the same plate once the
    read is corrected, or only an OCR-confusable neighbour (possibly another car)."""
    if read == plate:
        return "exact"
    if correct_read(read) == correct_read(plate):
        return "corrected"
    return "neighbour"


def match_rule(neighbours: bool) -> Msg:
    """The rule a car-finding answer was chosen by."""
    corrected = [f"{k}→{v}" for k, v in settings.parking()["read_corrections"].items()]
    if not neighbours:
        return msg("services.rule_exact", corrected=corrected)
    groups: dict[str, list[str]] = {}
    for letter, digit in settings.parking()["confusions"].items():
        groups.setdefault(digit, [digit]).append(letter)
    return msg("services.rule_neighbours", confusable=["/".join(g) for g in groups.values()])
