"""Visitors, their ties to detainees with proof, and the case authority's consents.

A family visitor or a lawyer registers their own account, which must hold identity level L2:
the name and ID number come from the population register row behind that level, never from
what the caller types. A consular officer is registered by the facility desk. A tie
(`VisitRelation`) names a detainee by number *and* name — a wrong name is answered like an
unknown number, so the registry cannot be probed — and carries a proof document kept by its
SHA-256 under the data directory, which the desk reviews. Consents (`VisitApproval`) are what
the case authority (办案机关) agreed to, as the desk recorded it.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pingan import kept_files
from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.pii.id_number import mask_id_number
from pingan.pii.name import seal_name
from pingan.pii.phone import InvalidPhone, mask_phone, normalise_phone
from pingan.pii.vault import Vault
from pingan.trust.identity import register
from pingan.trust.identity.service import Level, require_level
from pingan.trust.identity.subject import same_name
from pingan.visits.models import VisitApproval, VisitDetainee, VisitRelation, VisitVisitor
from pingan.visits.registry import HELD, detainee_by_no, get_detainee
from pingan.visits.rules import rules

ACTIVE, SUSPENDED = "active", "suspended"
PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"
PROOF_DIR = "visit_proofs"  # under the data directory
SELF_ROLES = {"family": Role.CITIZEN, "lawyer": Role.LAWYER}  # who may register as what


def _bad(code: str, /, **params: object) -> Bad:
    return Bad(msg(f"visits.registry.{code}", **params), code=code)


def _phone(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    try:
        return normalise_phone(raw)
    except InvalidPhone as exc:
        raise Bad(str(exc), code="bad_phone") from exc


def _visitor_audit(v: VisitVisitor) -> dict[str, object]:
    return {"role": v.role, "name": v.name_masked, "id": v.id_masked, "user_id": v.user_id}


# -- visitors -------------------------------------------------------------------------------
def get_visitor(session: Session, visitor_id: int) -> VisitVisitor:
    row = session.get(VisitVisitor, visitor_id)
    if row is None:
        raise NotFound(msg("visits.registry.no_visitor"), code="visitor_not_found")
    return row


def visitors_of(session: Session, user_id: int) -> list[VisitVisitor]:
    query = select(VisitVisitor).where(VisitVisitor.user_id == user_id).order_by(VisitVisitor.id)
    return list(session.scalars(query))


def my_visitor(session: Session, actor: Actor, role: str | None = None) -> VisitVisitor:
    """The caller's visitor record (in `role` when the account has several), or 404
    `not_a_visitor`."""
    mine = [v for v in visitors_of(session, actor.user_id or 0) if role in (None, v.role)]
    if not mine:
        raise NotFound(msg("visits.registry.not_a_visitor"), code="not_a_visitor")
    return mine[0]


def _licence(raw: str | None) -> str:
    value = (raw or "").strip()
    if not rules().licence_no.fullmatch(value):
        raise _bad("bad_licence_no")
    return value


def register_me(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    role: str,
    phone: str | None = None,
    licence_no: str | None = None,
    organisation: str | None = None,
    now: datetime,
) -> tuple[VisitVisitor, bool]:
    """Register (or refresh) the caller as a family visitor or a lawyer. Needs L2; the name
    and ID number are the register's. A lawyer needs the lawyer role, a 17-digit 执业证号
    and the firm. Returns the row and whether it is new."""
    require(actor, "visits.book")
    if role not in SELF_ROLES:
        raise _bad("bad_visitor_role", role=role)
    if actor.role != SELF_ROLES[role]:
        code = "lawyer_role_needed" if role == "lawyer" else "family_role_needed"
        raise Forbidden(msg(f"visits.registry.{code}"), code=code)
    held = require_level(session, actor.user_id, Level.L2, at=now)  # type: ignore[arg-type]
    person = register.find(session, held.subject_key or "")
    assert person is not None  # require_level joined it
    licence = org = None
    if role == "lawyer":
        licence = _licence(licence_no)
        org = (organisation or "").strip()
        if not org or len(org) > 100:
            raise _bad("organisation_needed")
        taken = session.scalar(
            select(VisitVisitor).where(
                VisitVisitor.licence_no == licence, VisitVisitor.user_id != actor.user_id
            )
        )
        if taken is not None:
            raise Conflict(msg("visits.registry.licence_taken"), code="licence_taken")
    number = _phone(phone)
    row = session.scalar(
        select(VisitVisitor).where(VisitVisitor.user_id == actor.user_id, VisitVisitor.role == role)
    )
    created = row is None
    if row is None:
        row = VisitVisitor(user_id=actor.user_id, role=role, status=ACTIVE, created_at=now)
        session.add(row)
    row.name_enc, row.name_masked = person.name_enc, person.name_masked
    row.id_key, row.id_masked = person.id_key, person.id_masked
    if number is not None:
        row.phone_enc, row.phone_masked = vault.encrypt(number), mask_phone(number)
    elif row.phone_enc is None and person.phone_enc is not None:  # the register's, for reminders
        row.phone_enc, row.phone_masked = person.phone_enc, person.phone_masked
    row.licence_no, row.organisation = licence, org
    session.flush()
    action = "visits.visitor_registered" if created else "visits.visitor_refreshed"
    audit.record(
        session,
        actor,
        action,
        "visit_visitor",
        row.id,
        {**_visitor_audit(row), "level": held.level.name, "licence_no": licence},
    )
    finish(session)
    return row, created


def register_consular(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    user_id: int,
    name: str,
    document_no: str,
    organisation: str,
    phone: str | None = None,
    now: datetime,
) -> VisitVisitor:
    """The desk registers a consular officer for a citizen account: the officer's name, the
    consular identity document's number and the consulate. The document number is kept as
    it is written (it is not a resident ID number) and keyed apart from ID numbers."""
    require(actor, "visits.manage")
    user = session.get(User, user_id)
    if user is None or user.role != Role.CITIZEN:
        raise _bad("not_citizen_account")
    sealed = seal_name(vault, name)
    if sealed is None or len(name.strip()) > 50:
        raise _bad("bad_text", what=msg("visits.registry.what.name"), limit=50)
    doc = (document_no or "").strip().upper()
    if not 4 <= len(doc) <= 40 or not doc.replace("-", "").isalnum():
        raise _bad("bad_document_no")
    org = (organisation or "").strip()
    if not org or len(org) > 100:
        raise _bad("organisation_needed")
    if session.scalar(
        select(VisitVisitor).where(VisitVisitor.user_id == user_id, VisitVisitor.role == "consular")
    ):
        raise Conflict(msg("visits.registry.already_registered"), code="already_registered")
    number = _phone(phone)
    row = VisitVisitor(
        user_id=user_id,
        role="consular",
        name_enc=sealed.enc,
        name_masked=sealed.masked,
        id_key=vault.index(f"consular:{doc}"),
        id_masked=mask_id_number(doc),
        phone_enc=vault.encrypt(number) if number else None,
        phone_masked=mask_phone(number) if number else None,
        licence_no=doc,
        organisation=org,
        status=ACTIVE,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "visits.visitor_registered",
        "visit_visitor",
        row.id,
        {**_visitor_audit(row), "organisation": org},
    )
    finish(session)
    return row


def list_visitors(
    session: Session,
    *,
    role: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[VisitVisitor]:
    query = select(VisitVisitor)
    if role:
        query = query.where(VisitVisitor.role == role)
    if status:
        query = query.where(VisitVisitor.status == status)
    return list(session.scalars(query.order_by(VisitVisitor.id).limit(limit).offset(offset)))


def suspend(
    session: Session, actor: Actor, visitor: VisitVisitor, *, reason: str, now: datetime
) -> VisitVisitor:
    """Suspend booking for the rules' period (three no-shows); the caller commits."""
    visitor.status = SUSPENDED
    visitor.suspended_until = now + timedelta(days=rules().suspension_days)
    visitor.suspended_reason = reason
    audit.record(
        session,
        actor,
        "visits.visitor_suspended",
        "visit_visitor",
        visitor.id,
        {**_visitor_audit(visitor), "reason": reason, "until": visitor.suspended_until.isoformat()},
    )
    return visitor


def reinstate(
    session: Session, actor: Actor, visitor_id: int, *, reason: str, now: datetime
) -> VisitVisitor:
    """The desk lifts a suspension before its end; 409 `not_suspended` otherwise."""
    require(actor, "visits.manage")
    row = get_visitor(session, visitor_id)
    if row.status != SUSPENDED:
        raise Conflict(msg("visits.registry.not_suspended"), code="not_suspended")
    if not reason.strip():
        raise _bad("reason_needed")
    was = row.suspended_reason
    row.status, row.suspended_until, row.suspended_reason = ACTIVE, None, None
    session.flush()
    audit.record(
        session,
        actor,
        "visits.visitor_reinstated",
        "visit_visitor",
        row.id,
        {**_visitor_audit(row), "was": was, "reason": reason.strip()},
    )
    finish(session)
    return row


# -- proofs and ties ------------------------------------------------------------------------
def store_proof(folder: Path, b64: str | None) -> kept_files.Kept:
    """Decode, check size and kind (PDF, JPEG, PNG by their first bytes), keep by SHA-256."""
    if not b64:
        raise _bad("no_proof")
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise _bad("bad_proof") from None
    limit = rules().proof_max_bytes
    if not data or len(data) > limit:
        raise _bad("proof_size", max=limit)
    kind = kept_files.media_type(data)
    if kind is None or kind not in rules().proof_media_types:
        raise _bad("bad_proof_type", types=", ".join(sorted(rules().proof_media_types)))
    return kept_files.keep(folder, data, kind)


def read_proof(session: Session, actor: Actor, folder: Path, relation_id: int) -> tuple[bytes, str]:
    """The proof document for the desk's review, and its media type; the read is audited
    (the document shows personal data in clear)."""
    require(actor, "visits.read")
    rel = get_relation(session, relation_id)
    path = folder / rel.proof_ref
    if not rel.proof_ref or not path.is_file():
        raise NotFound(msg("visits.registry.no_proof_file"), code="proof_missing")
    data = path.read_bytes()
    audit.record(
        session,
        actor,
        "visits.proof_viewed",
        "visit_relation",
        rel.id,
        {"proof_sha256": rel.proof_sha256},
    )
    finish(session)
    return data, kept_files.media_type_of_name(rel.proof_ref)


def _relation_audit(rel: VisitRelation, detainee: VisitDetainee) -> dict[str, object]:
    return {
        "visitor_id": rel.visitor_id,
        "detainee_no": detainee.detainee_no,
        "relation": rel.relation,
        "proof_kind": rel.proof_kind,
        "proof_sha256": rel.proof_sha256,
        "status": rel.status,
    }


def claim_tie(
    session: Session,
    actor: Actor,
    vault: Vault,
    folder: Path,
    *,
    detainee_no: str,
    detainee_name: str,
    relation: str,
    proof_kind: str,
    proof_b64: str | None,
    role: str | None = None,
    now: datetime,
) -> VisitRelation:
    """The caller ties their visitor record to a detainee with a proof, for the desk to
    review. A refused tie may be claimed again with a new proof; an accepted one stands."""
    require(actor, "visits.book")
    visitor = my_visitor(session, actor, role)
    kind = rules().visitor_kinds[visitor.role]
    if relation not in kind.relations:
        raise _bad("bad_relation", relation=relation, choices=", ".join(kind.relations))
    if proof_kind not in kind.proof_kinds:
        raise _bad("bad_proof_kind", kind=proof_kind, choices=", ".join(kind.proof_kinds))
    detainee = detainee_by_no(session, (detainee_no or "").strip())
    if detainee is None or not same_name(detainee_name or "", vault.decrypt(detainee.name_enc)):
        raise NotFound(msg("visits.registry.no_detainee"), code="detainee_not_found")
    if detainee.status != HELD:
        raise Conflict(msg("visits.registry.detainee_not_held"), code="detainee_not_held")
    proof = store_proof(folder, proof_b64)
    rel = session.scalar(
        select(VisitRelation).where(
            VisitRelation.visitor_id == visitor.id, VisitRelation.detainee_id == detainee.id
        )
    )
    if rel is not None and rel.status == ACCEPTED:
        raise Conflict(msg("visits.registry.already_tied"), code="already_tied")
    if rel is None:
        rel = VisitRelation(visitor_id=visitor.id, detainee_id=detainee.id)
        session.add(rel)
    rel.relation, rel.proof_kind = relation, proof_kind
    rel.proof_sha256, rel.proof_ref = proof.sha256, proof.file
    rel.status, rel.created_at = PENDING, now
    rel.reviewed_by = rel.reviewed_at = rel.review_reason = None
    session.flush()
    audit.record(
        session,
        actor,
        "visits.relation_claimed",
        "visit_relation",
        rel.id,
        _relation_audit(rel, detainee),
    )
    finish(session)
    return rel


def get_relation(session: Session, relation_id: int) -> VisitRelation:
    row = session.get(VisitRelation, relation_id)
    if row is None:
        raise NotFound(msg("visits.registry.no_relation"), code="relation_not_found")
    return row


def review_tie(
    session: Session,
    actor: Actor,
    relation_id: int,
    *,
    decision: str,
    reason: str | None,
    now: datetime,
) -> VisitRelation:
    """The desk accepts or refuses a pending tie (a refusal says why)."""
    require(actor, "visits.manage")
    rel = get_relation(session, relation_id)
    if rel.status != PENDING:
        raise Conflict(msg("visits.registry.already_reviewed"), code="already_reviewed")
    why = (reason or "").strip()
    if decision == "refuse" and not why:
        raise _bad("reason_needed")
    if decision not in ("accept", "refuse"):
        raise _bad("bad_decision")
    rel.status = ACCEPTED if decision == "accept" else REFUSED
    rel.reviewed_by, rel.reviewed_at, rel.review_reason = actor.user_id, now, why or None
    session.flush()
    detail = {**_relation_audit(rel, get_detainee(session, rel.detainee_id)), "reason": why}
    audit.record(session, actor, "visits.relation_reviewed", "visit_relation", rel.id, detail)
    finish(session)
    return rel


def list_relations(
    session: Session,
    *,
    status: str | None = None,
    detainee_id: int | None = None,
    visitor_id: int | None = None,
    facility_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[VisitRelation]:
    query = select(VisitRelation)
    if status:
        query = query.where(VisitRelation.status == status)
    if detainee_id is not None:
        query = query.where(VisitRelation.detainee_id == detainee_id)
    if visitor_id is not None:
        query = query.where(VisitRelation.visitor_id == visitor_id)
    if facility_id is not None:
        query = query.join(VisitDetainee, VisitDetainee.id == VisitRelation.detainee_id).where(
            VisitDetainee.facility_id == facility_id
        )
    query = query.order_by(VisitRelation.created_at, VisitRelation.id).limit(limit).offset(offset)
    return list(session.scalars(query))


# -- the case authority's consent -----------------------------------------------------------
def record_approval(
    session: Session,
    actor: Actor,
    *,
    detainee_id: int,
    visitor_id: int | None,
    authority: str,
    document_no: str,
    valid_from: datetime,
    valid_until: datetime,
    now: datetime,
) -> VisitApproval:
    """Record the case authority's written consent for a detainee (for one visitor, or for
    every visitor when none is named), valid over a period."""
    require(actor, "visits.manage")
    detainee = get_detainee(session, detainee_id)
    if visitor_id is not None:
        get_visitor(session, visitor_id)
    who = (authority or "").strip()
    doc = (document_no or "").strip()
    if not who or len(who) > 100:
        raise _bad("bad_text", what=msg("visits.registry.what.authority"), limit=100)
    if not doc or len(doc) > 60:
        raise _bad("bad_text", what=msg("visits.registry.what.document_no"), limit=60)
    if valid_until <= valid_from:
        raise _bad("bad_validity")
    if valid_until <= now:
        raise _bad("already_expired")
    row = VisitApproval(
        detainee_id=detainee.id,
        visitor_id=visitor_id,
        authority=who,
        document_no=doc,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=actor.user_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "visits.approval_recorded",
        "visit_approval",
        row.id,
        {
            "detainee_no": detainee.detainee_no,
            "visitor_id": visitor_id,
            "authority": who,
            "document_no": doc,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    finish(session)
    return row


def get_approval(session: Session, approval_id: int) -> VisitApproval:
    row = session.get(VisitApproval, approval_id)
    if row is None:
        raise NotFound(msg("visits.registry.no_approval"), code="approval_not_found")
    return row


def revoke_approval(
    session: Session, actor: Actor, approval_id: int, *, reason: str, now: datetime
) -> VisitApproval:
    require(actor, "visits.manage")
    row = get_approval(session, approval_id)
    if row.revoked_at is not None:
        raise Conflict(msg("visits.registry.already_revoked"), code="already_revoked")
    if not reason.strip():
        raise _bad("reason_needed")
    row.revoked_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "visits.approval_revoked",
        "visit_approval",
        row.id,
        {"detainee_id": row.detainee_id, "reason": reason.strip()},
    )
    finish(session)
    return row


def approval_state(row: VisitApproval, at: datetime) -> str:
    """revoked / expired / not_yet / valid at `at`."""
    if row.revoked_at is not None and row.revoked_at <= at:
        return "revoked"
    if at >= row.valid_until:
        return "expired"
    if at < row.valid_from:
        return "not_yet"
    return "valid"


def list_approvals(
    session: Session, *, detainee_id: int | None = None, limit: int = 100, offset: int = 0
) -> list[VisitApproval]:
    query = select(VisitApproval)
    if detainee_id is not None:
        query = query.where(VisitApproval.detainee_id == detainee_id)
    query = query.order_by(VisitApproval.valid_from.desc(), VisitApproval.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def approval_for(
    session: Session, *, detainee_id: int, visitor_id: int, starts: datetime, ends: datetime
) -> VisitApproval | None:
    """A consent that covers a visit from `starts` to `ends`: unrevoked, for this visitor or
    for every visitor, valid over the whole visit (the visitor's own one first)."""
    query = (
        select(VisitApproval)
        .where(
            VisitApproval.detainee_id == detainee_id,
            or_(VisitApproval.visitor_id == visitor_id, VisitApproval.visitor_id.is_(None)),
            VisitApproval.revoked_at.is_(None),
            VisitApproval.valid_from <= starts,
            VisitApproval.valid_until >= ends,
        )
        .order_by(VisitApproval.visitor_id.is_(None), VisitApproval.valid_until.desc())
        .limit(1)
    )
    return session.scalar(query)
