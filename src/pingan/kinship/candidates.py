"""The ranked candidate list, one candidate's view, and its per-locus evidence.

A candidate is shown by both sides' case numbers and sample ids only; the genotypes behind
its per-locus factors are opened from the vault for `evidence`, which needs a reason and is
audited. Whether a candidate is strong is judged against the threshold its search used
(kept in the search's parameters), so a later change of thresholds does not rewrite history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import NotFound, ValidationFailed
from pingan.i18n import msg
from pingan.kinship import match_data
from pingan.kinship.models import (
    KinshipCandidate,
    KinshipCase,
    KinshipPerson,
    KinshipProfile,
    KinshipReport,
    KinshipReview,
    KinshipSearch,
)
from pingan.pii.vault import Vault

STATUSES = ("new", "confirmed", "rejected", "notified")
REASON_MAX = 200


def get(session: Session, candidate_id: int, *, lock: bool = False) -> KinshipCandidate:
    row = session.get(KinshipCandidate, candidate_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(
            msg("kinship.match.no_candidate", id=candidate_id), code="candidate_not_found"
        )
    return row


def total_log10(row: KinshipCandidate) -> float:
    """The DNA and the non-genetic evidence together."""
    return row.log10_lr + row.log10_lr_context


def reviews_of(session: Session, candidate_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(KinshipReview, User.username, User.role)
        .join(User, User.id == KinshipReview.reviewer_id)
        .where(KinshipReview.candidate_id == candidate_id)
        .order_by(KinshipReview.at, KinshipReview.id)
    ).all()
    return [
        {"reviewer": name, "role": role, "decision": r.decision, "note": r.note, "at": r.at}
        for r, name, role in rows
    ]


def latest_report(session: Session, candidate_id: int) -> KinshipReport | None:
    return session.scalar(
        select(KinshipReport)
        .where(KinshipReport.candidate_id == candidate_id)
        .order_by(KinshipReport.id.desc())
        .limit(1)
    )


def search_params(session: Session, row: KinshipCandidate) -> dict[str, Any]:
    search = session.get(KinshipSearch, row.search_id)
    return dict(search.params or {}) if search else {}


def view(session: Session, row: KinshipCandidate) -> dict[str, Any]:
    """A candidate as the API and the pages show it (no names, no genotypes)."""
    sides = match_data.parties(session, (row.profile_a, row.profile_b))
    strong_at = search_params(session, row).get("strong_log10")
    report = latest_report(session, row.id)
    return {
        "id": row.id,
        "relation": row.relation,
        "log10_lr": row.log10_lr,
        "log10_lr_context": row.log10_lr_context,
        "log10_lr_total": total_log10(row),
        "prior": row.prior,
        "posterior": row.posterior,
        "loci_compared": row.loci_compared,
        "strong": strong_at is not None and total_log10(row) >= float(strong_at),
        "lineage": row.lineage or {},
        "alternatives": (row.evidence or {}).get("alternatives", {}),
        "status": row.status,
        "a": sides.get(row.profile_a),
        "b": sides.get(row.profile_b),
        "reviews": reviews_of(session, row.id),
        "report": {"number": report.number, "sha256": report.sha256} if report else None,
        "notified_at": row.notified_at,
        "created_at": row.created_at,
    }


def _of_case(case_id: int):  # type: ignore[no-untyped-def]
    """Candidates one of whose profiles belongs to the case."""
    profiles = (
        select(KinshipProfile.id)
        .join(KinshipPerson, KinshipPerson.id == KinshipProfile.person_id)
        .where(KinshipPerson.case_id == case_id)
    )
    return or_(KinshipCandidate.profile_a.in_(profiles), KinshipCandidate.profile_b.in_(profiles))


def ranked(
    session: Session,
    *,
    case_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[KinshipCandidate], int]:
    """A page of candidates, most probable first (posterior, then the DNA LR), and the total."""
    if status is not None and status not in STATUSES:
        raise ValidationFailed(
            msg("kinship.match.bad_status", status=status[:20], choices=", ".join(STATUSES)),
            code="bad_status",
        )
    where = []
    if case_id is not None:
        if session.get(KinshipCase, case_id) is None:
            raise NotFound(msg("kinship.match.no_case", id=case_id), code="case_not_found")
        where.append(_of_case(case_id))
    if status is not None:
        where.append(KinshipCandidate.status == status)
    total = session.scalar(select(func.count()).select_from(KinshipCandidate).where(*where))
    rows = session.scalars(
        select(KinshipCandidate)
        .where(*where)
        .order_by(
            KinshipCandidate.posterior.desc(),
            (KinshipCandidate.log10_lr + KinshipCandidate.log10_lr_context).desc(),
            KinshipCandidate.id,
        )
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(msg("kinship.match.reason_required"), code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            msg("kinship.match.reason_too_long", n=REASON_MAX), code="bad_reason"
        )
    return reason


def _allele_order(label: str) -> tuple[float, str]:
    """Numeric order of allele labels ("9.3" before "10"), text after."""
    try:
        return float(label), label
    except ValueError:
        return float("inf"), label


def shown(genotype: tuple[str, str]) -> list[str]:
    return sorted(genotype, key=_allele_order)


def locus_rows(session: Session, vault: Vault, row: KinshipCandidate) -> list[dict[str, Any]]:
    """Each compared locus: both genotypes (opened from the vault) and its LR factor."""
    a = match_data.genotypes(vault, session.get(KinshipProfile, row.profile_a))
    b = match_data.genotypes(vault, session.get(KinshipProfile, row.profile_b))
    factors: dict[str, float] = (row.evidence or {}).get("loci", {})
    return [
        {"locus": locus, "a": shown(a[locus]), "b": shown(b[locus]), "factor": factor}
        for locus, factor in factors.items()
        if locus in a and locus in b
    ]


def evidence(
    session: Session, actor: Actor, vault: Vault, candidate_id: int, reason: str | None
) -> dict[str, Any]:
    """The per-locus genotypes and factors, and the non-genetic parts: a reason is required,
    and the read is audited with it."""
    require(actor, "kinship.profile_read")
    reason = checked_reason(reason)
    row = get(session, candidate_id)
    out = {
        "loci": locus_rows(session, vault, row),
        "context": (row.evidence or {}).get("context", {}),
    }
    sides = match_data.parties(session, (row.profile_a, row.profile_b))
    audit.record(
        session,
        actor,
        "kinship.evidence_read",
        "kinship_candidate",
        row.id,
        {
            "reason": reason,
            "samples": [sides[row.profile_a]["sample_id"], sides[row.profile_b]["sample_id"]],
        },
    )
    finish(session)
    return out
