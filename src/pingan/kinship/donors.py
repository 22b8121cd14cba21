"""Donors of a case and their consent.

A donor is known to the search by a pseudonymous sample id drawn at random (KS- and eight hex
digits), never derived from the name or ID number, so a sample id leaks nothing and cannot be
recomputed from a person's papers. Name and ID number are sealed with the vault and shown
masked. A profile is imported and searched only while the donor's written consent stands;
withdrawing it (with a reason) takes the donor out of every later search.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound
from pingan.i18n import msg
from pingan.kinship.cases import bad, check_sex, check_text, check_year, get_case, who
from pingan.kinship.models import KinshipConsent, KinshipPerson, KinshipProfile
from pingan.pii.id_number import InvalidIdNumber, mask_id_number, normalise_id_number
from pingan.pii.name import seal_name
from pingan.pii.vault import Vault

RELATIONS = (
    "self",
    "parent",
    "child",
    "full_sibling",
    "half_sibling",
    "nephew_niece",
    "uncle_aunt",
    "cousin",
    "grandchild",
)
SAMPLE_PREFIX = "KS-"
SCOPE = re.compile(r"^[a-z][a-z_]{0,29}$")
MAX_DOCUMENT = 60


def new_sample_id(session: Session) -> str:
    """A fresh random sample id (32 bits from the OS's generator; drawn again on a clash)."""
    while True:
        sample_id = SAMPLE_PREFIX + secrets.token_hex(4).upper()
        if session.scalar(select(KinshipPerson.id).where(KinshipPerson.sample_id == sample_id)):
            continue
        return sample_id


@dataclass(frozen=True, slots=True)
class PersonSpec:
    name: str
    sex: str
    relation: str
    birth_year: int | None = None
    id_number: str | None = None


def add_person(
    session: Session, actor: Actor, vault: Vault, case_id: int, spec: PersonSpec, *, now: datetime
) -> KinshipPerson:
    """Add a donor to a case. The adoptee side's subject gives a sample as `self` (once); on
    the family side the subject is the lost child, so its donors are relatives only."""
    require(actor, "kinship.case")
    case = get_case(session, case_id)
    if spec.relation not in RELATIONS:
        raise bad("bad_relation", relation=spec.relation[:20], choices=", ".join(RELATIONS))
    if spec.relation == "self":
        if case.side == "family":
            raise bad("self_on_family_side")
        taken = session.scalar(
            select(KinshipPerson.id).where(
                KinshipPerson.case_id == case.id, KinshipPerson.relation == "self"
            )
        )
        if taken:
            raise Conflict(msg("kinship.records.self_exists"), code="self_exists")
    sealed = seal_name(vault, check_text(spec.name, "name", required=True))
    assert sealed is not None  # a required name is never empty
    row = KinshipPerson(
        case_id=case.id,
        sample_id=new_sample_id(session),
        relation=spec.relation,
        sex=check_sex(spec.sex),
        birth_year=check_year(spec.birth_year, now.date()),
        name_enc=sealed.enc,
        name_masked=sealed.masked,
        created_by=who(actor),
        created_at=now,
    )
    if spec.id_number and spec.id_number.strip():
        try:
            number = normalise_id_number(spec.id_number, today=now.date())
        except InvalidIdNumber as exc:
            raise bad("bad_id_number", reason=str(exc)) from None
        row.id_enc, row.id_masked = vault.encrypt(number), mask_id_number(number)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "kinship.person_added",
        "kinship_person",
        row.id,
        {
            "case_no": case.case_no,
            "sample_id": row.sample_id,
            "relation": row.relation,
            "name": row.name_masked,
        },
    )
    finish(session)
    return row


def get_person(session: Session, person_id: int) -> KinshipPerson:
    row = session.get(KinshipPerson, person_id)
    if row is None:
        raise NotFound(msg("kinship.records.no_person"), code="person_not_found")
    return row


def persons_of(session: Session, case_id: int) -> list[KinshipPerson]:
    return list(
        session.scalars(
            select(KinshipPerson).where(KinshipPerson.case_id == case_id).order_by(KinshipPerson.id)
        )
    )


def standing_consents(session: Session, person_ids: list[int]) -> dict[int, KinshipConsent]:
    """Each donor's consent that stands (recorded, not withdrawn)."""
    if not person_ids:
        return {}
    rows = session.scalars(
        select(KinshipConsent).where(
            KinshipConsent.person_id.in_(person_ids), KinshipConsent.withdrawn_at.is_(None)
        )
    )
    return {c.person_id: c for c in rows}


def latest_consents(session: Session, person_ids: list[int]) -> dict[int, KinshipConsent]:
    """Each donor's last consent, standing or withdrawn (what the case view shows)."""
    if not person_ids:
        return {}
    rows = session.scalars(
        select(KinshipConsent)
        .where(KinshipConsent.person_id.in_(person_ids))
        .order_by(KinshipConsent.recorded_at, KinshipConsent.id)
    )
    return {c.person_id: c for c in rows}


def profiles_of(session: Session, person_ids: list[int]) -> dict[int, KinshipProfile]:
    if not person_ids:
        return {}
    rows = session.scalars(select(KinshipProfile).where(KinshipProfile.person_id.in_(person_ids)))
    return {p.person_id: p for p in rows}


def record_consent(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    signed_on: date,
    document_no: str,
    scope: str = "family_search",
    now: datetime,
) -> KinshipConsent:
    """Record the donor's signed consent form (its number); one consent stands at a time."""
    require(actor, "kinship.case")
    person = get_person(session, person_id)
    if signed_on > now.date():
        raise bad("date_in_future")
    number = (document_no or "").strip()
    if not number or len(number) > MAX_DOCUMENT:
        raise bad("bad_text", what=msg("kinship.records.what.document_no"), limit=MAX_DOCUMENT)
    if not SCOPE.match(scope or ""):
        raise bad("bad_scope", scope=(scope or "")[:30])
    if standing_consents(session, [person.id]):
        raise Conflict(msg("kinship.records.consent_exists"), code="consent_exists")
    row = KinshipConsent(
        person_id=person.id,
        scope=scope,
        signed_on=signed_on,
        document_no=number,
        recorded_by=who(actor),
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "kinship.consent_recorded",
        "kinship_person",
        person.id,
        {"sample_id": person.sample_id, "document_no": number, "scope": scope},
    )
    finish(session)
    return row


def withdraw_consent(
    session: Session, actor: Actor, person_id: int, *, reason: str, now: datetime
) -> KinshipConsent:
    """Withdraw the standing consent: the donor's profile is searched no more."""
    require(actor, "kinship.case")
    person = get_person(session, person_id)
    why = (reason or "").strip()
    if not why:
        raise bad("reason_required")
    row = standing_consents(session, [person.id]).get(person.id)
    if row is None:
        raise Conflict(msg("kinship.records.no_consent"), code="no_consent")
    row.withdrawn_at, row.withdrawn_by = now, who(actor)
    audit.record(
        session,
        actor,
        "kinship.consent_withdrawn",
        "kinship_person",
        person.id,
        {"sample_id": person.sample_id, "reason": why[:200]},
    )
    finish(session)
    return row
