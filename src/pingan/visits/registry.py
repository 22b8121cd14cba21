"""Facilities with their terminals and hours (visits.setup), and the detainees they hold
(visits.manage). Each write checks the caller's permission and leaves an audit record with
masked values only; a detainee's name and ID number are sealed with the vault, with a masked
copy for lists and the platform's keyed hash of the ID number (one person, one key)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.pii.name import seal_name
from pingan.pii.phone import InvalidPhone, normalise_phone
from pingan.pii.vault import Vault
from pingan.trust.identity.subject import parse_subject
from pingan.visits.models import VisitDetainee, VisitFacility, VisitTerminal
from pingan.visits.rules import rules

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$")  # facility, terminal and detainee numbers
TERMINAL_USES = ("lawyer", "family", "any")
SLOT_MINUTES = (5, 240)
MAX_NAME = 50
HELD, RELEASED, TRANSFERRED = "held", "released", "transferred"


def _bad(code: str, /, **params: Any) -> Bad:
    return Bad(msg(f"visits.registry.{code}", **params), code=code)


# -- facilities and terminals ---------------------------------------------------------------
def check_code(raw: str, what: str) -> str:
    value = (raw or "").strip()
    if not CODE.match(value):
        raise _bad("bad_code", what=msg(f"visits.registry.what.{what}"), value=value[:40])
    return value


def check_hours(raw: Any) -> dict[str, list[list[str]]]:
    """Opening hours by weekday ("0" = Monday … "6"): ordered, non-overlapping HH:MM pairs."""
    if not isinstance(raw, Mapping):
        raise _bad("bad_hours", day="-")
    out: dict[str, list[list[str]]] = {}
    for day, periods in raw.items():
        key = str(day)
        if key not in {str(d) for d in range(7)} or not isinstance(periods, list):
            raise _bad("bad_hours", day=key)
        previous: time | None = None
        clean = []
        for period in periods:
            if not (isinstance(period, list | tuple) and len(period) == 2):
                raise _bad("bad_hours", day=key)
            try:
                start, end = (time.fromisoformat(str(p)) for p in period)
            except ValueError:
                raise _bad("bad_hours", day=key) from None
            if not re.fullmatch(r"\d{2}:\d{2}", str(period[0])) or start >= end:
                raise _bad("bad_hours", day=key)
            if previous is not None and start < previous:
                raise _bad("bad_hours", day=key)
            previous = end
            clean.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
        if clean:
            out[key] = clean
    return dict(sorted(out.items()))


def _phone(raw: str | None) -> str:
    if not raw or not raw.strip():
        return ""
    try:
        return normalise_phone(raw)
    except InvalidPhone as exc:
        raise Bad(str(exc), code="bad_phone") from exc


def _text(raw: str | None, what: str, *, required: bool = True, limit: int = 100) -> str:
    value = (raw or "").strip()
    if (required and not value) or len(value) > limit:
        raise _bad("bad_text", what=msg(f"visits.registry.what.{what}"), limit=limit)
    return value


def _slot(minutes: int) -> int:
    low, high = SLOT_MINUTES
    if not low <= minutes <= high:
        raise _bad("bad_slot_minutes", low=low, high=high)
    return minutes


@dataclass(frozen=True, slots=True)
class TerminalSpec:
    code: str
    name: str
    use: str = "any"
    active: bool = True


@dataclass(frozen=True, slots=True)
class FacilitySpec:
    code: str
    name: str
    kind: str
    address: str = ""
    phone: str = ""
    hours: Mapping[str, Any] = field(default_factory=dict)
    slot_minutes: int = 30
    active: bool = True
    terminals: tuple[TerminalSpec, ...] = ()


def _use(raw: str) -> str:
    if raw not in TERMINAL_USES:
        raise _bad("bad_terminal_use", use=raw, choices=", ".join(TERMINAL_USES))
    return raw


def check_facility(spec: FacilitySpec) -> FacilitySpec:
    """The spec with every field checked and normalised; raises with the first fault."""
    if spec.kind not in rules().facility_kinds:
        raise _bad("bad_facility_kind", kind=spec.kind, choices=", ".join(rules().facility_kinds))
    terminals = tuple(
        TerminalSpec(
            check_code(t.code, "terminal"), _text(t.name, "name"), _use(t.use), bool(t.active)
        )
        for t in spec.terminals
    )
    codes = [t.code for t in terminals]
    if len(set(codes)) != len(codes):
        raise _bad("terminal_twice")
    return FacilitySpec(
        code=check_code(spec.code, "facility"),
        name=_text(spec.name, "name"),
        kind=spec.kind,
        address=_text(spec.address, "address", required=False, limit=200),
        phone=_phone(spec.phone),
        hours=check_hours(spec.hours),
        slot_minutes=_slot(spec.slot_minutes),
        active=bool(spec.active),
        terminals=terminals,
    )


def get_facility(session: Session, facility_id: int) -> VisitFacility:
    row = session.get(VisitFacility, facility_id)
    if row is None:
        raise NotFound(msg("visits.registry.no_facility"), code="facility_not_found")
    return row


def facility_by_code(session: Session, code: str) -> VisitFacility | None:
    return session.scalar(select(VisitFacility).where(VisitFacility.code == code))


def _apply_terminals(session: Session, facility: VisitFacility, specs: Iterable[TerminalSpec]):
    """Add or update the named terminals of a facility (by code); others stay as they are."""
    known = {t.code: t for t in terminals_of(session, [facility.id], active_only=False)}
    for spec in specs:
        row = known.get(spec.code)
        if row is None:
            row = VisitTerminal(facility_id=facility.id, code=spec.code)
            session.add(row)
        row.name, row.use, row.active = spec.name, spec.use, spec.active


def save_facility(
    session: Session, actor: Actor, spec: FacilitySpec, *, now: datetime, commit: bool = True
) -> tuple[VisitFacility, bool]:
    """Create the facility, or update the one with the same code (its kind cannot change: the
    rules of bookings already made follow it). Returns the row and whether it is new."""
    require(actor, "visits.setup")
    spec = check_facility(spec)
    row = facility_by_code(session, spec.code)
    created = row is None
    if row is None:
        row = VisitFacility(code=spec.code, kind=spec.kind, created_at=now)
        session.add(row)
    elif row.kind != spec.kind:
        raise Conflict(msg("visits.registry.kind_fixed", code=spec.code), code="kind_fixed")
    row.name, row.address, row.phone = spec.name, spec.address, spec.phone
    row.hours, row.slot_minutes, row.active = dict(spec.hours), spec.slot_minutes, spec.active
    session.flush()
    _apply_terminals(session, row, spec.terminals)
    session.flush()
    action = "visits.facility_created" if created else "visits.facility_updated"
    audit.record(
        session,
        actor,
        action,
        "visit_facility",
        row.id,
        {"code": row.code, "kind": row.kind, "terminals": [t.code for t in spec.terminals]},
    )
    if commit:
        finish(session)
    return row, created


def create_facility(
    session: Session, actor: Actor, spec: FacilitySpec, *, now: datetime
) -> VisitFacility:
    """A new facility; 409 `facility_exists` when the code is taken."""
    require(actor, "visits.setup")
    if facility_by_code(session, spec.code.strip()) is not None:
        raise Conflict(msg("visits.registry.facility_exists"), code="facility_exists")
    return save_facility(session, actor, spec, now=now)[0]


def update_facility(
    session: Session, actor: Actor, facility_id: int, changes: Mapping[str, Any], *, now: datetime
) -> VisitFacility:
    """Change name, address, phone, hours, slot length or whether it is open for visits."""
    require(actor, "visits.setup")
    row = get_facility(session, facility_id)
    spec = FacilitySpec(
        code=row.code,
        name=changes.get("name", row.name),
        kind=row.kind,
        address=changes.get("address", row.address),
        phone=changes.get("phone", row.phone),
        hours=changes.get("hours", row.hours),
        slot_minutes=changes.get("slot_minutes", row.slot_minutes),
        active=changes.get("active", row.active),
    )
    return save_facility(session, actor, spec, now=now)[0]


def save_terminal(
    session: Session, actor: Actor, facility_id: int, spec: TerminalSpec
) -> VisitTerminal:
    """Add a terminal to a facility, or change the one with that code."""
    require(actor, "visits.setup")
    facility = get_facility(session, facility_id)
    spec = TerminalSpec(
        check_code(spec.code, "terminal"), _text(spec.name, "name"), _use(spec.use), spec.active
    )
    _apply_terminals(session, facility, [spec])
    session.flush()
    row = session.scalar(
        select(VisitTerminal).where(
            VisitTerminal.facility_id == facility.id, VisitTerminal.code == spec.code
        )
    )
    assert row is not None
    audit.record(
        session,
        actor,
        "visits.terminal_saved",
        "visit_terminal",
        row.id,
        {"facility": facility.code, "code": row.code, "use": row.use, "active": row.active},
    )
    finish(session)
    return row


def terminals_of(
    session: Session, facility_ids: list[int], *, active_only: bool = True
) -> list[VisitTerminal]:
    query = select(VisitTerminal).where(VisitTerminal.facility_id.in_(facility_ids))
    if active_only:
        query = query.where(VisitTerminal.active.is_(True))
    return list(session.scalars(query.order_by(VisitTerminal.facility_id, VisitTerminal.code)))


def list_facilities(
    session: Session, *, include_inactive: bool = False
) -> list[tuple[VisitFacility, list[VisitTerminal]]]:
    """Facilities by code with their terminals (open ones only unless asked)."""
    query = select(VisitFacility).order_by(VisitFacility.code)
    if not include_inactive:
        query = query.where(VisitFacility.active.is_(True))
    rows = list(session.scalars(query))
    terminals = terminals_of(session, [f.id for f in rows], active_only=not include_inactive)
    return [(f, [t for t in terminals if t.facility_id == f.id]) for f in rows]


# -- detainees ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DetaineeSpec:
    detainee_no: str
    facility_id: int
    name: str
    id_number: str
    stage: str
    case_authority: str
    held_since: datetime
    case_no: str = ""
    charge: str = ""
    restrictions: tuple[str, ...] = ()
    held_until: datetime | None = None


def check_stage(stage: str) -> str:
    if stage not in rules().stages:
        raise _bad("bad_stage", stage=stage, choices=", ".join(rules().stages))
    return stage


def check_restrictions(codes: Iterable[str]) -> list[str]:
    out = []
    for code in codes:
        if code not in rules().restrictions:
            raise _bad("bad_restriction", code=code, choices=", ".join(rules().restrictions))
        if code not in out:
            out.append(code)
    return out


def _period(since: datetime, until: datetime | None, now: datetime) -> None:
    if since > now:
        raise _bad("held_in_future")
    if until is not None and until <= since:
        raise _bad("bad_held_until")


def get_detainee(session: Session, detainee_id: int) -> VisitDetainee:
    row = session.get(VisitDetainee, detainee_id)
    if row is None:
        raise NotFound(msg("visits.registry.no_detainee"), code="detainee_not_found")
    return row


def detainee_by_no(session: Session, detainee_no: str) -> VisitDetainee | None:
    return session.scalar(select(VisitDetainee).where(VisitDetainee.detainee_no == detainee_no))


def _held_elsewhere(session: Session, id_key: str, detainee_no: str) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(VisitDetainee)
            .where(
                VisitDetainee.id_key == id_key,
                VisitDetainee.status == HELD,
                VisitDetainee.detainee_no != detainee_no,
            )
        )
        or 0
    ) > 0


def fill_detainee(
    session: Session, vault: Vault, row: VisitDetainee, spec: DetaineeSpec, *, now: datetime
) -> VisitDetainee:
    """Check a spec and write it into the row (new or known): every rule the desk's form
    and the CSV import share."""
    number = check_code(spec.detainee_no, "detainee")
    facility = get_facility(session, spec.facility_id)
    name = (spec.name or "").strip()
    if len(name) > MAX_NAME:
        raise _bad("bad_text", what=msg("visits.registry.what.name"), limit=MAX_NAME)
    sealed = seal_name(vault, name)
    if sealed is None:
        raise _bad("bad_text", what=msg("visits.registry.what.name"), limit=MAX_NAME)
    subject = parse_subject(vault, spec.id_number, today=now.date())  # GB 11643
    if _held_elsewhere(session, subject.key, number):
        raise Conflict(msg("visits.registry.already_held"), code="already_held")
    _period(spec.held_since, spec.held_until, now)
    stage, restrictions = check_stage(spec.stage), check_restrictions(spec.restrictions)
    authority = _text(spec.case_authority, "case_authority")
    case_no = _text(spec.case_no, "case_no", required=False, limit=40)
    charge = _text(spec.charge, "charge", required=False)
    # every check passed: only now is the row written
    row.detainee_no, row.facility_id = number, facility.id
    row.name_enc, row.name_masked = sealed.enc, sealed.masked
    row.id_enc = vault.encrypt(subject.id_number)
    row.id_key, row.id_masked = subject.key, subject.masked
    row.stage, row.restrictions = stage, restrictions
    row.case_authority, row.case_no, row.charge = authority, case_no, charge
    row.held_since, row.held_until = spec.held_since, spec.held_until
    if not row.status:
        row.status = HELD
    return row


def _detainee_audit(row: VisitDetainee, **extra: Any) -> dict[str, Any]:
    return {"detainee_no": row.detainee_no, "name": row.name_masked, "id": row.id_masked, **extra}


def create_detainee(
    session: Session, actor: Actor, vault: Vault, spec: DetaineeSpec, *, now: datetime
) -> VisitDetainee:
    """Register a person held at a facility; 409 when the number is taken or the person is
    already held elsewhere."""
    require(actor, "visits.manage")
    if detainee_by_no(session, spec.detainee_no.strip()) is not None:
        raise Conflict(msg("visits.registry.detainee_exists"), code="detainee_exists")
    row = fill_detainee(session, vault, VisitDetainee(status=HELD, created_at=now), spec, now=now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "visits.detainee_created",
        "visit_detainee",
        row.id,
        _detainee_audit(row, facility_id=row.facility_id),
    )
    finish(session)
    return row


STATUS_MOVES = {HELD: (RELEASED, TRANSFERRED)}


def update_detainee(
    session: Session, actor: Actor, detainee_id: int, changes: Mapping[str, Any], *, now: datetime
) -> VisitDetainee:
    """Change stage, restrictions, case details, the end of the term, or the status: a held
    detainee is released or transferred (from then on no visit is booked)."""
    require(actor, "visits.manage")
    row = get_detainee(session, detainee_id)
    before = {k: getattr(row, k) for k in changes}
    if "stage" in changes:
        row.stage = check_stage(changes["stage"])
    if "restrictions" in changes:
        row.restrictions = check_restrictions(changes["restrictions"])
    for key in ("case_authority", "case_no", "charge"):
        if key in changes:
            limit = 40 if key == "case_no" else 100
            setattr(
                row, key, _text(changes[key], key, required=key == "case_authority", limit=limit)
            )
    if "held_until" in changes:
        _period(row.held_since, changes["held_until"], now)
        row.held_until = changes["held_until"]
    if "status" in changes and changes["status"] != row.status:
        new = changes["status"]
        if new not in STATUS_MOVES.get(row.status, ()):
            raise Conflict(
                msg("visits.registry.bad_status_move", old=row.status, new=new),
                code="bad_status_move",
            )
        row.status = new
        row.released_at = now
    session.flush()
    changed = {
        k: _plain(getattr(row, k)) for k in changes if _plain(before[k]) != _plain(getattr(row, k))
    }
    audit.record(
        session,
        actor,
        "visits.detainee_updated",
        "visit_detainee",
        row.id,
        _detainee_audit(row, changed=changed),
    )
    finish(session)
    return row


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def list_detainees(
    session: Session,
    vault: Vault,
    *,
    facility_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[VisitDetainee]:
    """The desk's list: by facility and status; `q` is a detainee number (or its start) or a
    whole ID number (found by its keyed hash, never by decrypting)."""
    query = select(VisitDetainee)
    if facility_id is not None:
        query = query.where(VisitDetainee.facility_id == facility_id)
    if status:
        query = query.where(VisitDetainee.status == status)
    text = (q or "").strip()
    if text:
        try:
            key = parse_subject(vault, text).key
        except Bad:
            key = None
        if key is not None:
            query = query.where(VisitDetainee.id_key == key)
        else:
            like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(VisitDetainee.detainee_no.like(f"{like}%", escape="\\"))
    query = query.order_by(VisitDetainee.detainee_no).limit(limit).offset(offset)
    return list(session.scalars(query))
