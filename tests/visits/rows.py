"""Small row factories for video-visit tests: a facility with terminals, a detainee, a visitor
whose account holds identity level L2, an accepted tie and a consent.

Each goes through the registry's own services (acting as the system, so no permission is
needed) and commits. Pass a pinned `now` (tz-aware); times default to it. Typical use::

    f = rows.facility(session, now=now)                          # 看守所, terminals L1 + F1
    d = rows.detainee(session, vault, f, now=now)
    v = rows.visitor(session, vault, accounts.ids[Role.CITIZEN], now=now)   # family, L2
    rel = rows.relation(session, v, d, now=now)                  # spouse, accepted
    ok = rows.consent(session, d, by=officer_id, now=now)        # valid 30 days from now

People are made up; ID numbers are made valid with the project's own GB 11643 check.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.pii.id_number import check_character
from pingan.pii.vault import Vault
from pingan.trust.identity import register
from pingan.trust.identity import service as identity
from pingan.trust.identity.adapters import Adapters, TestDoubleFace, TestDoubleSms
from pingan.visits import registry, visitors
from pingan.visits.models import (
    VisitApproval,
    VisitDetainee,
    VisitFacility,
    VisitRelation,
    VisitVisitor,
)

SYSTEM = Actor.system("test")
# Monday to Saturday, 09:00-11:30 and 14:00-17:00 Beijing time.
HOURS = {str(d): [["09:00", "11:30"], ["14:00", "17:00"]] for d in range(6)}
LICENCE = "11501202010123456"  # 17 digits, as a 执业证号
PDF = b"%PDF-1.4\n% proof of kinship (test)\n"


def id_number(born: str = "19800101", seq: str = "123", region: str = "150602") -> str:
    """A valid resident ID number (GB 11643 check character)."""
    first17 = f"{region}{born}{seq}"
    return first17 + check_character(first17)


def facility(
    session,
    *,
    code: str = "KSS01",
    kind: str = "detention_centre",
    terminals: tuple[tuple[str, str], ...] = (("L1", "lawyer"), ("F1", "family")),
    hours: dict | None = None,
    slot_minutes: int = 30,
    now: datetime,
) -> VisitFacility:
    """A facility (default a 看守所) with terminals given as (code, use)."""
    spec = registry.FacilitySpec(
        code=code,
        name=f"测试监管场所{code}",
        kind=kind,
        address="康巴什区",
        hours=HOURS if hours is None else hours,
        slot_minutes=slot_minutes,
        terminals=tuple(registry.TerminalSpec(c, f"会见室{c}", use) for c, use in terminals),
    )
    return registry.save_facility(session, SYSTEM, spec, now=now)[0]


def detainee(
    session,
    vault: Vault,
    facility: VisitFacility,
    *,
    no: str = "D0001",
    name: str = "刘某某",
    number: str | None = None,
    stage: str = "investigation",
    restrictions: tuple[str, ...] = (),
    now: datetime,
) -> VisitDetainee:
    """A detainee held since 10 days before `now` at the facility."""
    spec = registry.DetaineeSpec(
        detainee_no=no,
        facility_id=facility.id,
        name=name,
        id_number=number or id_number("19900505", "321"),
        stage=stage,
        case_authority="康巴什区公安分局",
        held_since=now - timedelta(days=10),
        restrictions=restrictions,
    )
    return registry.create_detainee(session, SYSTEM, vault, spec, now=now)


def give_l2(session, vault: Vault, user_id: int, *, number: str, name: str, now: datetime) -> None:
    """Put the person in the population register and take the account to L2 (real name,
    then the face test double), as a resident would through the identity pages."""
    rows = register.read_csv(
        vault,
        f"id_number,name,address_code,phone\n{number},{name},150602,13912345678\n",
        today=now.date(),
    )
    register.import_rows(session, SYSTEM, vault, rows, now=now)
    user = session.get(User, user_id)
    actor = Actor(user.id, user.username, Role(user.role))
    identity.verify_real_name(session, actor, vault, id_number=number, name=name, now=now)
    doubles = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    identity.verify_face(session, actor, vault, doubles, image_ref="test-face", now=now)


def visitor(
    session,
    vault: Vault,
    user_id: int,
    *,
    role: str = "family",
    name: str = "张三",
    number: str | None = None,
    now: datetime,
) -> VisitVisitor:
    """The account (a citizen's for family, a lawyer's for lawyer) verified to L2 and
    registered as a visitor; a lawyer gets LICENCE and a firm."""
    give_l2(session, vault, user_id, number=number or id_number(), name=name, now=now)
    user = session.get(User, user_id)
    actor = Actor(user.id, user.username, Role(user.role))
    extra = {"licence_no": LICENCE, "organisation": "测试律师事务所"} if role == "lawyer" else {}
    return visitors.register_me(session, actor, vault, role=role, now=now, **extra)[0]


def relation(
    session,
    visitor: VisitVisitor,
    detainee: VisitDetainee,
    *,
    relation: str | None = None,
    status: str = visitors.ACCEPTED,
    now: datetime,
) -> VisitRelation:
    """A tie as the desk left it (accepted by default). The proof is only its hash here: no
    file is written."""
    kind = {"family": "spouse", "lawyer": "counsel", "consular": "consular"}[visitor.role]
    proof = {"family": "household_register", "lawyer": "engagement_letter"}
    rel = VisitRelation(
        visitor_id=visitor.id,
        detainee_id=detainee.id,
        relation=relation or kind,
        proof_kind=proof.get(visitor.role, "consular_note"),
        proof_sha256=hashlib.sha256(PDF).hexdigest(),
        proof_ref="",
        status=status,
        reviewed_at=now if status != visitors.PENDING else None,
        created_at=now,
    )
    session.add(rel)
    session.commit()
    return rel


def consent(
    session,
    detainee: VisitDetainee,
    *,
    by: int,
    visitor: VisitVisitor | None = None,
    days: int = 30,
    now: datetime,
) -> VisitApproval:
    """The case authority's consent, from `now` for `days` (for every visitor unless one is
    named), as recorded by the desk officer `by` (a user id)."""
    row = VisitApproval(
        detainee_id=detainee.id,
        visitor_id=visitor.id if visitor else None,
        authority=detainee.case_authority,
        document_no="康公（预审）会字〔2026〕1号",
        valid_from=now,
        valid_until=now + timedelta(days=days),
        recorded_by=by,
        created_at=now,
    )
    session.add(row)
    session.commit()
    return row
