"""Files the facility desk imports: detainees (CSV) and facilities with terminals (YAML).

All or nothing per file: every line (CSV) or entry (YAML) is checked with the same rules as
the desk's forms; any fault stops the import, each is reported with its line number and
reason code, and nothing is stored. A row whose number is known replaces the stored one (the
file is the newer extract); a facility's kind cannot change.

Detainee CSV (UTF-8, a BOM is accepted), header::

    detainee_no,facility_code,name,id_number,stage,case_authority,case_no,charge,restrictions,held_since,held_until

`restrictions` are codes from the rules separated by `;`; `held_since` / `held_until` are a
Beijing date (YYYY-MM-DD, the day's start) or an ISO time with its offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

import yaml
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import DomainError, ValidationFailed
from pingan.i18n import Msg, msg
from pingan.pii.vault import Vault
from pingan.visits.models import VisitDetainee
from pingan.visits.registry import (
    DetaineeSpec,
    FacilitySpec,
    TerminalSpec,
    check_facility,
    detainee_by_no,
    facility_by_code,
    fill_detainee,
    save_facility,
)

BEIJING = timezone(timedelta(hours=8))  # Asia/Shanghai, no daylight saving
DETAINEE_COLUMNS = (
    "detainee_no",
    "facility_code",
    "name",
    "id_number",
    "stage",
    "case_authority",
    "case_no",
    "charge",
    "restrictions",
    "held_since",
    "held_until",
)
DETAINEE_REQUIRED = (
    "detainee_no",
    "facility_code",
    "name",
    "id_number",
    "stage",
    "case_authority",
    "held_since",
)
FACILITY_KEYS = frozenset(
    {"code", "name", "kind", "address", "phone", "hours", "slot_minutes", "active", "terminals"}
)
TERMINAL_KEYS = frozenset({"code", "name", "use", "active"})
MAX_SHOWN = 20
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    code: str
    detail: Msg | str


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    updated: int


class ImportFileError(ValidationFailed):
    """The file was refused; `problems` names each bad line (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(str(at_line(p)) for p in problems[:MAX_SHOWN])
        super().__init__(
            msg("visits.registry.file.refused", n=len(problems), problems=shown),
            code="bad_import_file",
        )
        self.problems = problems


def at_line(p: Problem) -> Msg:
    return msg("visits.registry.file.at_line", line=p.line, code=p.code, detail=p.detail)


def _checked(line: int, problems: list[Problem], step: Callable[[], T]) -> T | None:
    try:
        return step()
    except DomainError as exc:
        problems.append(Problem(line, exc.code, exc.message))
        return None


def _instant(raw: str, column: str) -> datetime:
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), BEIJING).astimezone(UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationFailed(msg("visits.registry.file.bad_time", column=column), code="bad_time")
    return value.astimezone(UTC)


# -- detainees (CSV) ------------------------------------------------------------------------
def _detainee_spec(session: Session, raw: dict[str, str | None]) -> DetaineeSpec:
    for key in DETAINEE_REQUIRED:
        if not (raw.get(key) or "").strip():
            raise ValidationFailed(msg("visits.registry.file.missing", column=key), code="missing")
    code = (raw["facility_code"] or "").strip()
    facility = facility_by_code(session, code)
    if facility is None:
        raise ValidationFailed(
            msg("visits.registry.file.unknown_facility", code=code), code="unknown_facility"
        )
    until = (raw.get("held_until") or "").strip()
    return DetaineeSpec(
        detainee_no=(raw["detainee_no"] or "").strip(),
        facility_id=facility.id,
        name=raw["name"] or "",
        id_number=raw["id_number"] or "",
        stage=(raw["stage"] or "").strip(),
        case_authority=raw["case_authority"] or "",
        case_no=raw.get("case_no") or "",
        charge=raw.get("charge") or "",
        restrictions=tuple(
            c.strip() for c in (raw.get("restrictions") or "").split(";") if c.strip()
        ),
        held_since=_instant(raw["held_since"] or "", "held_since"),
        held_until=_instant(until, "held_until") if until else None,
    )


def read_detainees(
    session: Session, vault: Vault, data: str, *, now: datetime
) -> list[DetaineeSpec]:
    """Every line checked (as the desk's form checks it); ImportFileError lists them all."""
    reader = csv.DictReader(io.StringIO(data.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in DETAINEE_REQUIRED if c not in header]
    if missing:
        detail = msg(
            "visits.registry.file.bad_header",
            missing=", ".join(missing),
            columns=",".join(DETAINEE_COLUMNS),
        )
        raise ImportFileError([Problem(1, "bad_header", detail)])
    reader.fieldnames = header
    specs: list[DetaineeSpec] = []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        spec = _checked(line, problems, lambda raw=raw: _detainee_spec(session, raw))
        if spec is None:
            continue
        checked = _checked(
            line,
            problems,
            lambda spec=spec: fill_detainee(session, vault, VisitDetainee(), spec, now=now),
        )
        if checked is None:
            continue
        for key in (checked.detainee_no, checked.id_key):
            if key in first:
                problems.append(
                    Problem(
                        line, "duplicate", msg("visits.registry.file.duplicate", first=first[key])
                    )
                )
                break
        else:
            first[checked.detainee_no] = first[checked.id_key] = line
            specs.append(replace(spec, detainee_no=checked.detainee_no))
    if problems:
        raise ImportFileError(problems)
    if not specs:
        raise ImportFileError([Problem(1, "empty", msg("visits.registry.file.empty"))])
    return specs


def import_detainees(
    session: Session, actor: Actor, vault: Vault, specs: list[DetaineeSpec], *, now: datetime
) -> Imported:
    """Store checked rows in one transaction: one audit record for the file, counts only."""
    require(actor, "visits.manage")
    added = updated = 0
    for spec in specs:
        row = detainee_by_no(session, spec.detainee_no)
        if row is None:
            row = fill_detainee(
                session, vault, VisitDetainee(status="held", created_at=now), spec, now=now
            )
            session.add(row)
            added += 1
        else:
            fill_detainee(session, vault, row, spec, now=now)
            updated += 1
        session.flush()
    audit.record(
        session,
        actor,
        "visits.detainees_imported",
        "visit_detainee",
        None,
        {"rows": len(specs), "added": added, "updated": updated},
    )
    finish(session)
    return Imported(added, updated)


# -- facilities (YAML) ----------------------------------------------------------------------
def _entry_lines(text: str) -> list[int]:
    """The first line of each entry under `facilities:` (1-based), from the YAML's nodes."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "facilities" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _facility_spec(raw: Any) -> FacilitySpec:
    if not isinstance(raw, dict) or set(raw) - FACILITY_KEYS:
        unknown = sorted(set(raw) - FACILITY_KEYS) if isinstance(raw, dict) else []
        raise ValidationFailed(
            msg("visits.registry.file.bad_entry", keys=", ".join(map(str, unknown)) or "-"),
            code="bad_entry",
        )
    terminals = []
    for t in raw.get("terminals") or []:
        if not isinstance(t, dict) or set(t) - TERMINAL_KEYS:
            raise ValidationFailed(
                msg("visits.registry.file.bad_entry", keys="terminals"), code="bad_entry"
            )
        terminals.append(
            TerminalSpec(
                str(t.get("code", "")),
                str(t.get("name", "")),
                str(t.get("use", "any")),
                bool(t.get("active", True)),
            )
        )
    slot = raw.get("slot_minutes", 30)
    if not isinstance(slot, int) or isinstance(slot, bool):
        raise ValidationFailed(
            msg("visits.registry.file.bad_entry", keys="slot_minutes"), code="bad_entry"
        )
    return check_facility(
        FacilitySpec(
            code=str(raw.get("code", "")),
            name=str(raw.get("name", "")),
            kind=str(raw.get("kind", "")),
            address=str(raw.get("address") or ""),
            phone=str(raw.get("phone") or ""),
            hours=raw.get("hours") or {},
            slot_minutes=slot,
            active=bool(raw.get("active", True)),
            terminals=tuple(terminals),
        )
    )


def read_facilities(session: Session, text: str) -> list[FacilitySpec]:
    """Every entry checked; ImportFileError names each bad one by its first line."""
    try:
        data = yaml.safe_load(text)
        lines = _entry_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ImportFileError([Problem(line, "not_yaml", str(exc).splitlines()[0])]) from None
    entries = data.get("facilities") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ImportFileError([Problem(1, "empty", msg("visits.registry.file.no_facilities"))])
    specs: list[FacilitySpec] = []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(entries):
        line = lines[i] if i < len(lines) else 1
        spec = _checked(line, problems, lambda raw=raw: _facility_spec(raw))
        if spec is None:
            continue
        known = facility_by_code(session, spec.code)
        if known is not None and known.kind != spec.kind:
            problems.append(
                Problem(line, "kind_fixed", msg("visits.registry.kind_fixed", code=spec.code))
            )
        elif spec.code in first:
            problems.append(
                Problem(
                    line, "duplicate", msg("visits.registry.file.duplicate", first=first[spec.code])
                )
            )
        else:
            first[spec.code] = line
            specs.append(spec)
    if problems:
        raise ImportFileError(problems)
    return specs


def import_facilities(
    session: Session, actor: Actor, specs: list[FacilitySpec], *, now: datetime
) -> Imported:
    """Create or update each facility and its named terminals, in one transaction."""
    require(actor, "visits.setup")
    added = updated = 0
    for spec in specs:
        _, created = save_facility(session, actor, spec, now=now, commit=False)
        added, updated = added + created, updated + (not created)
    finish(session)
    return Imported(added, updated)
