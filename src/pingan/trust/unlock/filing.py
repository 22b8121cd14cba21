"""Filing locksmiths (开锁从业人员备案): an officer files one after checking their own clean
record; the filing binds one locksmith account and one unit of kind `locksmith`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.pii.name import mask_name
from pingan.trust.unlock.models import Locksmith
from pingan.trust.unlock.rules import rules
from pingan.units.models import Unit
from pingan.units.service import bound_unit_ids

KIND = "locksmith"  # the unit kind filed locksmiths are dispatched as
ACTIVE, SUSPENDED = "active", "suspended"


@dataclass(frozen=True, slots=True)
class FilingSpec:
    filing_number: str
    company: str
    certification: str
    name: str
    user_id: int
    unit_id: int
    clean_record_checked: bool


def file_locksmith(session: Session, actor: Actor, spec: FilingSpec, *, now: datetime) -> Locksmith:
    """File a locksmith; refused unless the number has the bureau's form, the officer has
    checked the clean record, the account is a locksmith's and the unit a locksmith unit."""
    require(actor, "trust.unlock_file")
    number = spec.filing_number.strip().upper()
    if not rules().filing_number.fullmatch(number):
        raise Bad(msg("trust.unlock.bad_filing_number", number=number), code="bad_filing_number")
    if not spec.clean_record_checked:
        raise Bad(msg("trust.unlock.clean_record_unchecked"), code="clean_record_unchecked")
    for field in (spec.company, spec.certification, spec.name):
        if not field.strip() or len(field) > 100:
            raise Bad(msg("trust.unlock.bad_filing_field"), code="bad_filing_field")
    user = session.get(User, spec.user_id)
    if user is None or user.role != Role.LOCKSMITH:
        raise Bad(msg("trust.unlock.not_locksmith_account"), code="not_locksmith_account")
    unit = session.get(Unit, spec.unit_id)
    if unit is None or unit.kind != KIND:
        raise Bad(msg("trust.unlock.not_locksmith_unit"), code="not_locksmith_unit")
    taken = session.scalar(
        select(Locksmith).where(
            (Locksmith.filing_number == number)
            | (Locksmith.user_id == user.id)
            | (Locksmith.unit_id == unit.id)
        )
    )
    if taken is not None:
        raise Conflict(msg("trust.unlock.already_filed"), code="already_filed")
    row = Locksmith(
        filing_number=number,
        company=spec.company.strip(),
        certification=spec.certification.strip(),
        name_masked=mask_name(spec.name.strip()),
        user_id=user.id,
        unit_id=unit.id,
        clean_record_checked_by=actor.username,
        clean_record_checked_at=now,
        status=ACTIVE,
        filed_by=actor.username,
        filed_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "unlock.locksmith_filed",
        "unlock_locksmith",
        row.id,
        {"filing_number": number, "unit_id": unit.id, "user_id": user.id},
    )
    finish(session)
    return row


def set_status(
    session: Session, actor: Actor, locksmith_id: int, status: str, reason: str
) -> Locksmith:
    require(actor, "trust.unlock_file")
    row = session.get(Locksmith, locksmith_id)
    if row is None:
        raise NotFound(msg("trust.unlock.no_such_locksmith"), code="no_such_locksmith")
    if status not in (ACTIVE, SUSPENDED):
        raise Bad(msg("trust.unlock.bad_status"), code="bad_status")
    if not reason.strip() or len(reason) > 200:
        raise Bad(msg("trust.unlock.bad_reason"), code="bad_reason")
    row.status, row.status_reason = status, reason.strip()
    audit.record(
        session,
        actor,
        "unlock.locksmith_status",
        "unlock_locksmith",
        row.id,
        {"status": status, "reason": reason.strip()},
    )
    finish(session)
    return row


def acting_locksmith(session: Session, actor: Actor, *, at: datetime) -> Locksmith:
    """The caller's own active filing, bound to its unit now; a locksmith account without one
    (unfiled, suspended, or not crewing the filed unit) is refused with 403."""
    require(actor, "trust.unlock_locksmith")
    row = session.scalar(select(Locksmith).where(Locksmith.user_id == actor.user_id))
    if row is None:
        raise Forbidden(msg("trust.unlock.not_filed"), code="locksmith_not_filed")
    if row.status != ACTIVE:
        raise Forbidden(msg("trust.unlock.suspended"), code="locksmith_suspended")
    if row.unit_id not in bound_unit_ids(session, row.user_id, at):
        raise Forbidden(msg("trust.unlock.unit_not_bound"), code="unit_not_bound")
    return row


def list_locksmiths(session: Session, actor: Actor) -> list[Locksmith]:
    require(actor, "trust.unlock_read")
    return list(session.scalars(select(Locksmith).order_by(Locksmith.id)))


def names(session: Session, rows: list[Locksmith]) -> dict[int, tuple[str | None, str | None]]:
    """Each filing's account name and unit call sign, so the station reads people and vans,
    not row ids (two queries for the whole list)."""
    users = {
        i: n
        for i, n in session.execute(
            select(User.id, User.username).where(User.id.in_({r.user_id for r in rows}))
        )
    }
    signs = {
        i: n
        for i, n in session.execute(
            select(Unit.id, Unit.call_sign).where(Unit.id.in_({r.unit_id for r in rows}))
        )
    }
    return {r.id: (users.get(r.user_id), signs.get(r.unit_id)) for r in rows}


def candidates(session: Session, actor: Actor) -> tuple[list[User], list[Unit]]:
    """What a new filing may bind: active locksmith accounts and locksmith units that no
    filing holds yet (the officer picks from these instead of typing row ids)."""
    require(actor, "trust.unlock_file")
    filed_users = select(Locksmith.user_id)
    filed_units = select(Locksmith.unit_id)
    accounts = session.scalars(
        select(User)
        .where(User.role == Role.LOCKSMITH, User.active.is_(True), User.id.not_in(filed_users))
        .order_by(User.username)
    )
    vans = session.scalars(
        select(Unit).where(Unit.kind == KIND, Unit.id.not_in(filed_units)).order_by(Unit.call_sign)
    )
    return list(accounts), list(vans)


def own_unit(session: Session, row: Locksmith, *, at: datetime) -> tuple[Unit | None, bool]:
    """The filed unit and whether the filed account crews it now (else jobs are refused with
    `unit_not_bound`): the phone says so before the locksmith meets the refusal."""
    return session.get(Unit, row.unit_id), row.unit_id in bound_unit_ids(session, row.user_id, at)
