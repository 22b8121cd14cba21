"""Rows a call needs, written straight to the store: a 拘留所 with a family terminal and a
lawyer terminal, a detainee, a family visitor and a lawyer with their bookings, and the
identity verifications the visitor's re-check reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from pingan.pii.vault import Vault
from pingan.trust.identity.models import RegisterPerson, Verification
from pingan.visits.models import (
    VisitBooking,
    VisitDetainee,
    VisitFacility,
    VisitTerminal,
    VisitVisitor,
)
from tests.trust.people import LI, ZHANG, id_number

# 10:00 Beijing on a Tuesday: the calls below run 10:00–10:30
START = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CallRows:
    family_booking: int
    lawyer_booking: int
    family_user: int
    lawyer_user: int


def _person(session: Session, vault: Vault, id_number: str, name: str) -> RegisterPerson:
    row = RegisterPerson(
        id_key=vault.index(f"id:{id_number}"), id_enc=vault.encrypt(id_number),
        id_masked=id_number[:4] + "*" * 10 + id_number[-4:], name_enc=vault.encrypt(name),
        name_masked=name[0] + "*", birth_date=date(1990, 1, 1), address_code="150602",
        status="normal", updated_by="test",
    )  # fmt: skip
    session.add(row)
    return row


def verify(
    session: Session, user_id: int, person: RegisterPerson, *, level: int, method: str,
    at: datetime,
) -> Verification:  # fmt: skip
    """A verification the account reached at `at` (valid for a year)."""
    row = Verification(
        user_id=user_id, subject_key=person.id_key, id_masked=person.id_masked,
        name_masked=person.name_masked, level=level, method=method, verified_at=at,
        expires_at=at + timedelta(days=365),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _booking(
    session: Session, no: str, facility: VisitFacility, terminal: VisitTerminal,
    detainee: VisitDetainee, visitor: VisitVisitor, kind: str, *, recorded: bool,
    monitored: bool, start: datetime, minutes: int,
) -> VisitBooking:  # fmt: skip
    row = VisitBooking(
        booking_no=no, facility_id=facility.id, terminal_id=terminal.id,
        detainee_id=detainee.id, visitor_id=visitor.id, kind=kind, status="confirmed",
        starts_at=start, ends_at=start + timedelta(minutes=minutes),
        party=[{"name_masked": "张*", "relation": "spouse", "id_masked": "1506**********1234"}]
        if kind == "family" else [],
        recorded=recorded, monitored=monitored,
        assurance={"level": "L2", "method": "face", "verification_id": 1},
        created_by=visitor.user_id, created_at=start - timedelta(days=2),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def make(
    session: Session, vault: Vault, *, family_user: int, lawyer_user: int,
    start: datetime = START, minutes: int = 30, fresh_at: datetime | None = None,
) -> CallRows:  # fmt: skip
    """Both bookings confirmed, `start` for `minutes`; with `fresh_at`, both visitors
    verified again (L2 by face) at that instant."""
    facility = VisitFacility(
        code="KBS-JLS", name="康巴什区拘留所", kind="admin_detention_centre",
        hours={}, slot_minutes=30, created_at=start - timedelta(days=30),
    )  # fmt: skip
    session.add(facility)
    session.flush()
    family_t = VisitTerminal(facility_id=facility.id, code="T1", name="会见终端1", use="family")
    lawyer_t = VisitTerminal(facility_id=facility.id, code="T2", name="律师终端", use="lawyer")
    session.add_all([family_t, lawyer_t])
    detainee = VisitDetainee(
        detainee_no="JLS-0001", facility_id=facility.id, name_enc=vault.encrypt("王小明"),
        name_masked="王*明", id_enc=vault.encrypt(LI), id_key=vault.index(f"id:{LI}"),
        id_masked="1506**********0000", status="held", stage="detention",
        case_authority="康巴什分局", restrictions=[], held_since=start - timedelta(days=3),
        held_until=None, released_at=None, created_at=start - timedelta(days=3),
    )  # fmt: skip
    session.add(detainee)
    zhang = _person(session, vault, ZHANG, "张三")
    lawyer_id = id_number("150602", "19800101", "321")
    counsel = _person(session, vault, lawyer_id, "赵律")
    visitors = []
    for user, role, person in ((family_user, "family", zhang), (lawyer_user, "lawyer", counsel)):
        v = VisitVisitor(
            user_id=user, role=role, name_enc=vault.encrypt("某人"), name_masked=person.name_masked,
            id_key=person.id_key, id_masked=person.id_masked, phone_enc=None, phone_masked=None,
            licence_no="11501201010123456" if role == "lawyer" else None,
            organisation="某律师事务所" if role == "lawyer" else None,
            created_at=start - timedelta(days=10),
        )  # fmt: skip
        session.add(v)
        visitors.append(v)
    session.flush()
    family = _booking(
        session, "HJ20261208-0001", facility, family_t, detainee, visitors[0], "family",
        recorded=True, monitored=True, start=start, minutes=minutes,
    )  # fmt: skip
    lawyer = _booking(
        session, "HJ20261208-0002", facility, lawyer_t, detainee, visitors[1], "lawyer",
        recorded=False, monitored=False, start=start, minutes=minutes,
    )  # fmt: skip
    if fresh_at is not None:
        verify(session, family_user, zhang, level=2, method="face", at=fresh_at)
        verify(session, lawyer_user, counsel, level=2, method="otp", at=fresh_at)
    session.commit()
    return CallRows(family.id, lawyer.id, family_user, lawyer_user)
