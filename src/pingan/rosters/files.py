"""Read a roster file a bureau fills in (YAML or CSV) into lines per shift.

YAML (see sim/data/kangbashi_roster.yaml)::

    date: 2026-10-02            # optional; the command's --date wins
    shifts:
      day:
        - {call_sign: "PTU-{n:02d}", units: 2, kind: ptu, crew: 4, area: music_fountain}
        - {call_sign: 联防01, kind: shop_watch, partner: 步行街商户联防队}

A line with ``units: N`` stands for N units whose call signs fill ``{n}`` from ``first``
(default 1). CSV: one unit a row, columns shift, call_sign, kind and optionally crew, area,
post, lon, lat, partner, note (and date).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from pingan.errors import ValidationFailed
from pingan.i18n import msg
from pingan.rosters.service import Line

MAX_EXPANDED = 500  # units from one line: a typo such as units: 4000 is an error, not a roster


@dataclass(frozen=True, slots=True)
class RosterFile:
    day: date | None
    shifts: dict[str, list[Line]]


def _bad(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_roster_file")


def _opt_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value is None or value == "" else str(value)


def _opt_float(raw: Mapping[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad(msg("rosters.not_a_number", where=where, key=key, value=value)) from None


def _opt_int(raw: Mapping[str, Any], key: str, where: str) -> int | None:
    value = _opt_float(raw, key, where)
    if value is None:
        return None
    if value != int(value):
        raise _bad(msg("rosters.not_whole_number", where=where, key=key))
    return int(value)


def expand(raw: Mapping[str, Any], where: str) -> list[Line]:
    """One written line → its units (``units: N`` with a ``{n}`` call-sign template)."""
    if not isinstance(raw, Mapping):
        raise _bad(msg("rosters.line_not_mapping", where=where))
    for key in ("call_sign", "kind"):
        if not raw.get(key):
            raise _bad(msg("rosters.key_missing", where=where, key=key))
    count = _opt_int(raw, "units", where) or 1
    first = _opt_int(raw, "first", where) or 1
    template = str(raw["call_sign"])
    if count < 1 or count > MAX_EXPANDED:
        raise _bad(msg("rosters.bad_units_count", where=where, MAX_EXPANDED=MAX_EXPANDED))
    if count > 1 and "{n" not in template:
        raise _bad(msg("rosters.call_sign_needs_n", where=where))
    lines = []
    for n in range(first, first + count):
        try:
            call_sign = template.format(n=n)
        except (KeyError, IndexError, ValueError) as exc:
            raise _bad(msg("rosters.bad_call_sign_template", where=where, exc=exc)) from None
        lines.append(
            Line(
                call_sign=call_sign,
                kind=str(raw["kind"]),
                crew=_opt_int(raw, "crew", where),
                area_code=_opt_str(raw, "area"),
                post_code=_opt_str(raw, "post"),
                post_lon=_opt_float(raw, "lon", where),
                post_lat=_opt_float(raw, "lat", where),
                partner=_opt_str(raw, "partner"),
                note=_opt_str(raw, "note"),
            )
        )
    return lines


def _day(value: Any) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(msg("rosters.bad_date", value=value)) from None


def parse_yaml(text: str) -> RosterFile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _bad(msg("rosters.bad_yaml", exc=exc)) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("shifts"), Mapping):
        raise _bad(msg("rosters.file_needs_shifts"))
    shifts: dict[str, list[Line]] = {}
    for code, rows in data["shifts"].items():
        if not isinstance(rows, list):
            raise _bad(msg("rosters.shift_not_list", code=code))
        shifts[str(code)] = [
            line
            for i, row in enumerate(rows, 1)
            for line in expand(row, msg("rosters.entry_at", code=code, i=i))
        ]
    return RosterFile(_day(data.get("date")), shifts)


def parse_csv(text: str) -> RosterFile:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"shift", "call_sign", "kind"} - set(reader.fieldnames or ())
    if missing:
        raise _bad(msg("rosters.csv_missing_columns", columns=sorted(missing)))
    shifts: dict[str, list[Line]] = {}
    days = set()
    for i, row in enumerate(reader, 2):
        shifts.setdefault(row["shift"], []).extend(expand(row, msg("rosters.row_i", i=i)))
        days.add(row.get("date") or None)
    days.discard(None)
    if len(days) > 1:
        raise _bad(msg("rosters.one_day_per_file"))
    return RosterFile(_day(days.pop()) if days else None, shifts)


def read_file(path: Path) -> RosterFile:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(msg("rosters.unreadable_file", exc=exc)) from None
    return parse_csv(text) if path.suffix.lower() == ".csv" else parse_yaml(text)
