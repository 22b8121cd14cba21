"""Dual review of a candidate (复核) and the record that its family was told.

Two distinct accounts must confirm, and one of the two must hold the reviewer role, before a
candidate is confirmed; a reject by anyone ends it. Each account decides once. A confirmed
candidate marks both cases matched; only then may the family be told (`notify`) or a report
be made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, ValidationFailed
from pingan.i18n import msg
from pingan.kinship import candidates
from pingan.kinship.models import (
    KinshipCandidate,
    KinshipCase,
    KinshipPerson,
    KinshipProfile,
    KinshipReview,
)

DECISIONS = ("confirm", "reject")
NOTE_MAX = 500


def _cases_of(session: Session, row: KinshipCandidate) -> list[KinshipCase]:
    return list(
        session.scalars(
            select(KinshipCase)
            .join(KinshipPerson, KinshipPerson.case_id == KinshipCase.id)
            .join(KinshipProfile, KinshipProfile.person_id == KinshipPerson.id)
            .where(KinshipProfile.id.in_((row.profile_a, row.profile_b)))
            .with_for_update()
        )
    )


def _earlier_confirm(session: Session, candidate_id: int) -> tuple[KinshipReview, str] | None:
    found = session.execute(
        select(KinshipReview, User.role)
        .join(User, User.id == KinshipReview.reviewer_id)
        .where(KinshipReview.candidate_id == candidate_id, KinshipReview.decision == "confirm")
    ).first()
    return None if found is None else (found[0], found[1])


def review(
    session: Session, actor: Actor, candidate_id: int, decision: str, note: str = "",
    *, now: datetime,
) -> KinshipCandidate:  # fmt: skip
    """Record one account's decision; the second confirm (one of the two a reviewer)
    confirms the candidate and marks both cases matched."""
    require(actor, "kinship.review")
    if decision not in DECISIONS:
        raise ValidationFailed(
            msg("kinship.match.bad_decision", decision=decision[:20]), code="bad_decision"
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(msg("kinship.match.note_too_long", n=NOTE_MAX), code="bad_note")
    row = candidates.get(session, candidate_id, lock=True)
    if row.status != "new":
        raise Conflict(msg("kinship.match.not_open", status=row.status), code="not_open")
    if session.scalar(
        select(KinshipReview.id).where(
            KinshipReview.candidate_id == row.id, KinshipReview.reviewer_id == actor.user_id
        )
    ):
        raise Conflict(msg("kinship.match.already_reviewed"), code="already_reviewed")
    earlier = _earlier_confirm(session, row.id)
    needs_reviewer = earlier is not None and Role.REVIEWER not in (actor.role, earlier[1])
    if decision == "confirm" and needs_reviewer:
        raise Conflict(msg("kinship.match.reviewer_needed"), code="reviewer_needed")
    session.add(
        KinshipReview(
            candidate_id=row.id, reviewer_id=actor.user_id, decision=decision, note=note, at=now
        )
    )
    matched: list[str] = []
    if decision == "reject":
        row.status = "rejected"
    elif earlier is not None:
        row.status = "confirmed"
        for case in _cases_of(session, row):
            case.status, case.updated_at = "matched", now
            matched.append(case.case_no)
    row.updated_at = now
    session.flush()
    audit.record(
        session, actor, "kinship.candidate_review", "kinship_candidate", row.id,
        {"decision": decision, "note": note, "status": row.status, "cases_matched": matched},
    )  # fmt: skip
    finish(session)
    return row


def notify(
    session: Session, actor: Actor, candidate_id: int, note: str = "", *, now: datetime
) -> KinshipCandidate:
    """Record that the family was told of a confirmed match (once)."""
    require(actor, "kinship.notify")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(msg("kinship.match.note_too_long", n=NOTE_MAX), code="bad_note")
    row = candidates.get(session, candidate_id, lock=True)
    if row.status != "confirmed":
        raise Conflict(msg("kinship.match.not_confirmed", status=row.status), code="not_confirmed")
    row.status, row.notified_at, row.notified_by = "notified", now, actor.user_id
    row.updated_at = now
    session.flush()
    audit.record(
        session, actor, "kinship.candidate_notify", "kinship_candidate", row.id, {"note": note}
    )
    finish(session)
    return row
