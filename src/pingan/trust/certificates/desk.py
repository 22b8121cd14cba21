"""Reads for the officer's certificate desk: applications filtered and decorated with their
documents, objections and due-date state; one application's timeline from the audit trail;
the criminal-record table's import state (counts only).

Kept apart from `service.py` (the writes) so the desk's lists can grow without touching the
workflow. Everything returned is masked as stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from pingan.audit.models import AuditRecord
from pingan.trust.certificates.models import Application, CriminalRecord, Document, Objection
from pingan.trust.certificates.schemas import (
    ApplicationDetail,
    ApplicationOut,
    DocumentBrief,
    ObjectionOut,
    RecordsStatus,
    TimelineEntry,
)

OPEN = "open"
SCAN = "cert.scan"
RECORDS_IMPORT = "cert.records_import"


def application_query(
    *,
    status: str | None = None,
    kind: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
) -> Select[tuple[Application]]:
    """Applications by decision status, by the kind of document issued (certificate,
    notice) and by the day submitted (UTC dates, both ends included)."""
    query = select(Application)
    if status:
        query = query.where(Application.status == status)
    if kind:
        query = query.where(
            select(Document.id)
            .where(Document.application_id == Application.id, Document.kind == kind)
            .exists()
        )
    if submitted_from:
        query = query.where(Application.submitted_at >= _midnight(submitted_from))
    if submitted_to and submitted_to < date.max:  # the last day has no day after it
        query = query.where(Application.submitted_at < _midnight(submitted_to, 1))
    return query


def _midnight(day: date, days_after: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=days_after)


def objection_out(row: Objection, today: date) -> ObjectionOut:
    out = ObjectionOut.model_validate(row)
    out.overdue = row.status == OPEN and today > row.due_on
    return out


def _overdue(app: Application, today: date) -> bool:
    if app.decided_at is None:
        return today > app.due_on
    return app.decided_at.date() > app.due_on


def applications(
    session: Session, rows: Sequence[Application], today: date
) -> list[ApplicationOut]:
    """The rows with their documents (the employer's letters aside) and objections, read in
    two queries for the whole page rather than two per row."""
    ids = [a.id for a in rows]
    docs: dict[int, list[Document]] = defaultdict(list)
    objections: dict[int, list[Objection]] = defaultdict(list)
    if ids:
        for d in session.scalars(
            select(Document)
            .where(Document.application_id.in_(ids), Document.kind != "letter")
            .order_by(Document.id)
        ):
            docs[d.application_id].append(d)
        for o in session.scalars(
            select(Objection).where(Objection.application_id.in_(ids)).order_by(Objection.id)
        ):
            objections[o.application_id].append(o)
    out = []
    for app in rows:
        item = ApplicationOut.model_validate(app)
        item.documents = [DocumentBrief.model_validate(d) for d in docs[app.id]]
        item.objections = [objection_out(o, today) for o in objections[app.id]]
        item.name_masked = docs[app.id][0].name_masked if docs[app.id] else None
        item.overdue = _overdue(app, today)
        out.append(item)
    return out


def detail(session: Session, app: Application, today: date) -> ApplicationDetail:
    """The application and what happened to it, oldest first: the audit records of the
    application, its objections and its documents (scans counted, not listed)."""
    (base,) = applications(session, [app], today)
    numbers = [d.number for d in base.documents]
    objection_ids = [str(o.id) for o in base.objections]
    about = or_(
        and_(AuditRecord.object_type == "cert_application", AuditRecord.object_id == str(app.id)),
        and_(AuditRecord.object_type == "cert_objection", AuditRecord.object_id.in_(objection_ids)),
        and_(AuditRecord.object_type == "cert_document", AuditRecord.object_id.in_(numbers)),
    )
    records = session.scalars(
        select(AuditRecord).where(about, AuditRecord.action != SCAN).order_by(AuditRecord.seq)
    )
    scans = session.scalar(
        select(func.count()).select_from(AuditRecord).where(about, AuditRecord.action == SCAN)
    )
    timeline = [
        TimelineEntry(
            at=r.at,
            action=r.action,
            actor=r.actor,
            object_type=r.object_type,
            object_id=r.object_id,
            detail=r.detail or {},
        )
        for r in records
    ]
    return ApplicationDetail(**base.model_dump(), timeline=timeline, scans=scans or 0)


def records_status(session: Session) -> RecordsStatus:
    """Row counts now, and when and by whom the table was last replaced (the last import's
    audit record, so an import of an empty file shows too)."""
    rows = session.scalar(select(func.count()).select_from(CriminalRecord)) or 0
    counting = (
        session.scalar(
            select(func.count())
            .select_from(CriminalRecord)
            .where(CriminalRecord.effective.is_(True), CriminalRecord.juvenile_sealed.is_(False))
        )
        or 0
    )
    last = session.scalar(
        select(AuditRecord)
        .where(AuditRecord.action == RECORDS_IMPORT)
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    )
    return RecordsStatus(
        rows=rows,
        counting=counting,
        imported_at=last.at if last else None,
        imported_by=last.actor if last else None,
    )
