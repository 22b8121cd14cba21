"""HTTP adapter: apply and follow an application, download its documents (VC and QR
payload), consent codes and employer queries, objections, revocation, the public status
list and the public online verification."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.db.paging import page
from pingan.errors import NotFound
from pingan.http.deps import ClockDep, SessionDep, VaultDep, audited_read, permit
from pingan.http.files import attachment
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset, Page
from pingan.i18n import msg
from pingan.trust.certificates import desk, pdf, qr_image, records, scan, service, upload
from pingan.trust.certificates.models import Application, Document, Objection
from pingan.trust.certificates.schemas import (
    AnswerIn,
    AnswerOut,
    ApplicationDetail,
    ApplicationOut,
    ApplyIn,
    ConsentOut,
    DocumentBrief,
    DocumentOut,
    ImageVerifyOut,
    ObjectIn,
    ObjectionOut,
    PinIn,
    QueryIn,
    RecordsIn,
    RecordsOut,
    RecordsStatus,
    RevokeIn,
    VerifyIn,
    VerifyOut,
)
from pingan.trust.certificates.workdays import estimated

router = APIRouter(prefix="/trust/certificates", tags=["trust.cert.tag"])
Own = Annotated[Actor, permit(service.OWN)]
Manage = Annotated[Actor, permit(service.MANAGE)]
Lister = Annotated[Actor, permit("trust.cert_list")]


def _application(session: Any, app: Application) -> ApplicationOut:
    out = ApplicationOut.model_validate(app)
    docs = session.scalars(
        select(Document)
        .where(Document.application_id == app.id, Document.kind != "letter")
        .order_by(Document.id)
    )
    objections = session.scalars(
        select(Objection).where(Objection.application_id == app.id).order_by(Objection.id)
    )
    out.due_estimated = estimated(app.submitted_at.date(), app.due_on)
    out.documents = [DocumentBrief.model_validate(d) for d in docs]
    out.objections = [_objection(o) for o in objections]
    return out


def _objection(row: Objection) -> ObjectionOut:
    out = ObjectionOut.model_validate(row)
    out.due_estimated = estimated(row.filed_at.date(), row.due_on)
    return out


def _document(row: Document) -> DocumentOut:
    brief = DocumentBrief.model_validate(row).model_dump()
    return DocumentOut(
        **brief,
        credential=json.loads(row.credential),
        qr_payload=row.qr_payload,
        qr_payload_chars=len(row.qr_payload) if row.qr_payload else None,
    )


@router.post("/applications", status_code=201, summary="trust.cert.api.apply")
def apply(
    body: ApplyIn, session: SessionDep, vault: VaultDep, clock: ClockDep, actor: Own
) -> ApplicationOut:
    app, _ = service.apply(
        session, actor, vault, purpose=body.purpose, purpose_statement=body.purpose_statement,
        period_from=body.period_from, period_to=body.period_to, station=body.station,
        now=clock(), sm2=body.sm2,
    )  # fmt: skip
    return _application(session, app)


@router.get("/applications/mine", summary="trust.cert.api.mine")
def mine(session: SessionDep, actor: Own) -> list[ApplicationOut]:
    apps = session.scalars(
        select(Application).where(Application.user_id == actor.user_id).order_by(Application.id)
    )
    return [_application(session, a) for a in apps]


@router.get("/applications", summary="trust.cert.api.list")
def applications(
    session: SessionDep,
    clock: ClockDep,
    actor: Lister,
    status: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ApplicationOut]:
    """Newest first, masked; `kind` the document issued (certificate, notice), the dates the
    day submitted (both included)."""
    query = desk.application_query(
        status=status, kind=kind, submitted_from=submitted_from, submitted_to=submitted_to
    )
    rows, total = page(session, query, Application.id.desc(), limit=limit, offset=offset)
    return Page[ApplicationOut](
        items=desk.applications(session, rows, clock().date()),
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/applications/{app_id}/timeline", summary="trust.cert.api.timeline")
def timeline(app_id: Id, session: SessionDep, clock: ClockDep, actor: Lister) -> ApplicationDetail:
    """One application for the desk: documents, objections and what happened, in order."""
    app = session.get(Application, app_id)
    if app is None:
        raise NotFound(msg("trust.cert.no_application"), code="no_application")
    return desk.detail(session, app, clock().date())


@router.get("/applications/{app_id}", summary="trust.cert.api.application")
def application(app_id: Id, session: SessionDep, actor: Own) -> ApplicationOut:
    app = session.get(Application, app_id)
    if app is None or app.user_id != actor.user_id:
        raise NotFound(msg("trust.cert.no_application"), code="no_application")
    return _application(session, app)


@router.post("/applications/{app_id}/consent", summary="trust.cert.api.consent")
def consent(
    app_id: Id, session: SessionDep, vault: VaultDep, clock: ClockDep, actor: Own
) -> ConsentOut:
    code, expires = service.consent(session, actor, vault, app_id, clock())
    return ConsentOut(code=code, expires_at=expires)


@router.post("/applications/{app_id}/objections", status_code=201, summary="trust.cert.api.object")
def object_to(
    app_id: Id, body: ObjectIn, session: SessionDep, clock: ClockDep, actor: Own
) -> ObjectionOut:
    return _objection(service.object_to(session, actor, app_id, body.grounds, clock()))


@router.get("/objections", summary="trust.cert.api.objections")
def objections(
    session: SessionDep,
    clock: ClockDep,
    actor: Lister,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ObjectionOut]:
    query = select(Objection)
    if status:
        query = query.where(Objection.status == status)
    rows, total = page(session, query, Objection.due_on, limit=limit, offset=offset)
    today = clock().date()
    return Page[ObjectionOut](
        items=[desk.objection_out(o, today) for o in rows], total=total, limit=limit, offset=offset
    )


@router.post("/objections/{objection_id}/extend", summary="trust.cert.api.extend")
def extend(objection_id: Id, session: SessionDep, clock: ClockDep, actor: Manage) -> ObjectionOut:
    return _objection(service.extend_objection(session, actor, objection_id, clock()))


@router.post("/objections/{objection_id}/answer", summary="trust.cert.api.answer")
def answer(
    objection_id: Id,
    body: AnswerIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Manage,
) -> AnswerOut:
    row, doc = service.answer_objection(
        session, actor, vault, objection_id, upheld=body.upheld, answer=body.answer, now=clock()
    )
    return AnswerOut(
        objection=_objection(row),
        document=DocumentBrief.model_validate(doc) if doc else None,
    )


@router.post("/queries", status_code=201, summary="trust.cert.api.query")
def query(
    body: QueryIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit(service.QUERY)],
) -> DocumentOut:
    row = service.employer_query(
        session, actor, vault, id_number=body.id_number, consent_code=body.consent_code,
        unit=body.unit, now=clock(),
    )  # fmt: skip
    return _document(row)


def _readable(session: Any, actor: Actor, number: str) -> Document:
    """A document its holder may read, or a letter the employer who asked for it may; any
    other is 404, so a number's existence is not given away."""
    row = session.scalar(select(Document).where(Document.number == number))
    if row is None or actor.user_id not in (row.holder_id, row.requested_by):
        raise NotFound(msg("trust.cert.unknown_certificate"), code="unknown_certificate")
    if row.kind == "letter" and actor.user_id != row.requested_by:
        raise NotFound(msg("trust.cert.unknown_certificate"), code="unknown_certificate")
    return row


@router.get("/documents/{number}", summary="trust.cert.api.document")
def document(number: str, session: SessionDep, actor: Own) -> DocumentOut:
    """The signed VC and QR payload, for the holder (or the employer who asked for a letter)."""
    return _document(_readable(session, actor, number))


@router.get(
    "/documents/{number}/pdf",
    summary="trust.cert.api.document_pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def document_pdf(number: str, session: SessionDep, actor: Own) -> Response:
    """The document printable: A4 PDF with its QR code (certificate); same reader rule."""
    row = _readable(session, actor, number)
    return attachment(pdf.render(row), "application/pdf", f"{row.number}.pdf")


@router.get(
    "/documents/{number}/qr.png",
    summary="trust.cert.api.qr_png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def qr_png(number: str, session: SessionDep, actor: Own) -> Response:
    """The certificate's QR code as an image, for its holder only (anyone else: 404, as if
    there were no such certificate); the payload itself is in `GET /documents/{number}`."""
    row = session.scalar(select(Document).where(Document.number == number))
    if row is None or row.holder_id != actor.user_id or not row.qr_payload:
        raise NotFound(msg("trust.cert.unknown_certificate"), code="unknown_certificate")
    return Response(
        qr_image.png(row.qr_payload),
        media_type="image/png",
        headers={"Cache-Control": "private, no-store"},
    )


@router.put("/documents/{number}/pin", summary="trust.cert.api.pin")
def pin(
    number: str, body: PinIn, session: SessionDep, vault: VaultDep, actor: Own
) -> DocumentBrief:
    return DocumentBrief.model_validate(service.set_pin(session, actor, vault, number, body.pin))


@router.post("/documents/{number}/revoke", summary="trust.cert.api.revoke")
def revoke(
    number: str, body: RevokeIn, session: SessionDep, clock: ClockDep, actor: Manage
) -> DocumentBrief:
    return DocumentBrief.model_validate(
        service.revoke(session, actor, number, body.reason, clock())
    )


@router.get("/status/{list_id}", summary="trust.cert.api.status")
@audited_read  # signs the list (the first signature may make a key)
def status(list_id: Id, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """Public: the signed status list credential a verifier checks revocation against."""
    return service.status_credential(session, list_id, clock())


def _summary(row: Document, result: Any) -> VerifyOut:
    claims = result.claims
    outcome = claims.get("r") or claims.get("result")
    return VerifyOut(
        valid=True, kind=row.kind, number=row.number, name_masked=row.name_masked,
        id_masked=row.id_masked, result=outcome, valid_from=row.valid_from,
        valid_until=row.valid_until,
        scans_left=row.max_scans - row.scans if row.kind == "certificate" else None,
    )  # fmt: skip


@router.get("/verify", summary="trust.cert.api.verify")
@audited_read  # counts the scan
def verify_get(
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    payload: Annotated[str, Query(max_length=2000)],
    x_holder_pin: Annotated[str | None, Header(max_length=8)] = None,
) -> VerifyOut:
    """Public: a scanned QR payload; the holder's PIN, if set, in the X-Holder-Pin header
    (not the URL, which proxies log)."""
    row, result = service.verify_online(
        session, vault, payload=payload, pin=x_holder_pin, now=clock()
    )
    return _summary(row, result)


@router.post("/verify", summary="trust.cert.api.verify_post")
def verify_post(body: VerifyIn, session: SessionDep, vault: VaultDep, clock: ClockDep) -> VerifyOut:
    """Public: a pasted QR payload or VC."""
    row, result = service.verify_online(
        session, vault, payload=body.payload, document=body.credential, pin=body.pin, now=clock()
    )
    return _summary(row, result)


@router.get("/records/status", summary="trust.cert.api.records_status")
def records_status(session: SessionDep, actor: Lister) -> RecordsStatus:
    """When the criminal-record table was last imported, by whom, and its row counts."""
    return desk.records_status(session)


@router.post(
    "/verify/image",
    summary="trust.cert.api.verify_image",
    openapi_extra={
        "requestBody": {
            "content": {
                "image/*": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "image": {"type": "string", "format": "binary"},
                            "pin": {"type": "string"},
                        },
                    }
                },
            }
        }
    },
)
def verify_image(
    body: Annotated[upload.Upload, Depends(upload.read)],
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    x_holder_pin: Annotated[str | None, Header(max_length=8)] = None,
) -> ImageVerifyOut:
    """Public: a photo of the QR code (the raw image, or the form field `image`), at most
    4 MB; the code is read here and verified like a pasted payload. The PIN as in GET."""
    payload = scan.decode_qr(body.image)
    row, result = service.verify_online(
        session, vault, payload=payload, pin=body.pin or x_holder_pin, now=clock()
    )
    return ImageVerifyOut(**_summary(row, result).model_dump(), payload=payload)


@router.post("/records", summary="trust.cert.api.records")
def import_records(
    body: RecordsIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit(records.PERMISSION)],
) -> RecordsOut:
    return RecordsOut(imported=records.import_csv(session, actor, vault, body.csv, now=clock()))
