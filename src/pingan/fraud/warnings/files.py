"""Reading an imported file all or nothing: every row checked, every bad row reported with its
number and reason, and nothing returned (so nothing stored) while any row is bad.

A CSV row's number is its line in the file (the header is line 1); a JSON item's number is its
place in the list, counted from 1."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pingan.errors import ValidationFailed
from pingan.i18n import Msg, msg

T = TypeVar("T")
MAX_SHOWN = 20  # rows named in the refusal's text; the count says how many in all


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    code: str
    detail: Msg | str


class FileRefused(ValidationFailed):
    """The file was refused; `problems` lists each bad row (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(
            str(msg("fraud.warn.file.at_row", row=p.row, code=p.code, detail=p.detail))
            for p in problems[:MAX_SHOWN]
        )
        more = len(problems) - MAX_SHOWN
        detail = (
            msg("fraud.warn.file.refused_more", n=len(problems), problems=shown, more=more)
            if more > 0
            else msg("fraud.warn.file.refused", n=len(problems), problems=shown)
        )
        super().__init__(detail, code="bad_file")
        self.problems = problems


def csv_rows(
    data: str, columns: tuple[str, ...], required: int
) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) for each row of a CSV text (UTF-8, a BOM accepted) whose header holds the
    first `required` of `columns`."""
    reader = csv.DictReader(io.StringIO(data.removeprefix("\ufeff")))
    header_needed = msg("fraud.warn.file.bad_header", columns=",".join(columns))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        if any(c not in header for c in columns[:required]):
            raise FileRefused([Problem(1, "bad_header", header_needed)])
        reader.fieldnames = header
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a NUL byte: the file is not CSV at all
        raise FileRefused([Problem(reader.line_num or 1, "bad_csv", header_needed)]) from exc


def checked(
    rows: Iterable[tuple[int, dict[str, Any]]], parse: Callable[[dict[str, Any]], T]
) -> list[T]:
    """Each row parsed; a ValidationFailed on any row refuses the whole file."""
    out, problems = [], []
    for line, raw in rows:
        try:
            out.append(parse(raw))
        except ValidationFailed as exc:
            problems.append(Problem(line, exc.code, exc.message))
    if problems:
        raise FileRefused(problems)
    return out


def text(raw: dict[str, Any], key: str) -> str:
    """A field as stripped text ('' when missing or empty); numbers in JSON are read as text."""
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()
