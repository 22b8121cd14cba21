"""The e-certificate workflow: apply (identity L2) → automatic check → one signed document
(certificate, notice, or an employer's letter); objections within working days; revocation;
online verification with scan counting and an optional holder PIN.

Every write checks the caller's permission and leaves an audit record with masked values.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    ValidationFailed,
)
from pingan.i18n import msg
from pingan.months import add_months
from pingan.pii.name import mask_name
from pingan.pii.vault import Vault
from pingan.trust.certificates import credential, proof, qr, records, status_list, verify
from pingan.trust.certificates.models import Application, Document, Objection, StatusList
from pingan.trust.certificates.policy import policy
from pingan.trust.certificates.workdays import add_working_days
from pingan.trust.identity import register
from pingan.trust.identity.service import Level, require_level
from pingan.trust.identity.subject import parse_subject

OWN = "trust.cert_own"
QUERY = "trust.cert_query"
MANAGE = "trust.cert_manage"
ISSUED, NOT_ISSUED = "issued", "not_issued"
OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"


class Gone(DomainError):
    status = 410
    code = "gone"


def _bad(key: str, code: str, **values: Any) -> ValidationFailed:
    return ValidationFailed(msg(f"trust.cert.{key}", **values), code=code)


@dataclass(frozen=True, slots=True)
class Holder:
    name: str
    name_masked: str
    id_masked: str


def _holder(session: Session, vault: Vault, subject_key: str) -> Holder:
    person = register.find(session, subject_key)
    if person is None:  # L2 implies a normal register row; kept as a guard
        raise NotFound(msg("trust.cert.not_in_register"), code="not_in_register")
    name = vault.decrypt(person.name_enc)
    return Holder(name, mask_name(name), person.id_masked)


# -- issuing -------------------------------------------------------------------------------
def _issue(
    session: Session,
    vault: Vault,
    app: Application,
    kind: str,
    now: datetime,
    *,
    subject: dict[str, Any],
    holder: Holder,
    requested_by: int | None = None,
    algorithms: tuple[str, ...] = ("ed25519",),
) -> Document:
    p = policy()
    number = f"{kind[0].upper()}{now:%Y%m%d}{secrets.token_hex(5).upper()}"
    until = add_months(now, p.validity_months) if kind == "certificate" else None
    status_row, index, entry = None, None, None
    if kind == "certificate":
        status_row, index = status_list.allocate(session, now)
        entry = status_list.entry(status_row.id, index)
    doc = credential.build(
        kind=kind, number=number, subject=subject, station=app.station,
        valid_from=now, valid_until=until, status=entry,
    )  # fmt: skip
    signed = proof.add_proofs(session, doc, base_url=p.base_url, now=now, algorithms=algorithms)
    payload = None
    if kind == "certificate":
        assert until is not None and status_row is not None and index is not None
        payload = qr.encode(
            session,
            {
                "n": number, "t": "C", "nm": holder.name_masked, "id": holder.id_masked,
                "r": records.CLEAN, "f": now.date().isoformat(),
                "u": (until - timedelta(seconds=1)).date().isoformat(),
                "s": status_row.id, "i": index,
            },
        )  # fmt: skip
    row = Document(
        number=number, kind=kind, application_id=app.id, holder_id=app.user_id,
        requested_by=requested_by, name_masked=holder.name_masked, id_masked=holder.id_masked,
        credential=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
        qr_payload=payload, valid_from=now, valid_until=until,
        status_list_id=status_row.id if status_row else None, status_index=index,
        scans=0, max_scans=p.max_scans, issued_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _holder_document(
    session: Session, vault: Vault, app: Application, now: datetime, algorithms: tuple[str, ...]
) -> Document:
    """The automatic check and the holder's document: certificate or notice."""
    holder = _holder(session, vault, app.subject_key)
    outcome = records.check(session, app.subject_key)
    app.status = ISSUED if outcome == records.CLEAN else NOT_ISSUED
    app.reason = None if outcome == records.CLEAN else outcome
    app.decided_at = now
    subject = {
        "name": holder.name,
        "idNumberMasked": holder.id_masked,
        "purpose": app.purpose,
        "period": {"from": app.period_from.isoformat(), "to": app.period_to.isoformat()},
        "result": outcome,
        "asOf": now.date().isoformat(),
    }
    kind = "certificate" if outcome == records.CLEAN else "notice"
    return _issue(
        session, vault, app, kind, now, subject=subject, holder=holder, algorithms=algorithms
    )


def apply(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    purpose: str,
    purpose_statement: str | None,
    period_from: date,
    period_to: date,
    station: str,
    now: datetime,
    sm2: bool = False,
) -> tuple[Application, Document]:
    """An application at L2 or above, checked at once; the decision due date is still
    computed (3 working days) and shown, as a paper application would get it."""
    require(actor, OWN)
    held = require_level(session, actor.user_id, Level.L2, at=now)  # type: ignore[arg-type]
    p = policy()
    if purpose not in p.purposes:
        raise _bad("bad_purpose", "bad_purpose", choices=", ".join(p.purposes))
    if not period_from <= period_to <= now.date():
        raise _bad("bad_period", "bad_period")
    station = station.strip()
    if not station:
        raise _bad("no_station", "no_station")
    statement = (purpose_statement or "").strip() or None
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    this_year = session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.subject_key == held.subject_key, Application.submitted_at >= year_start)
    )
    if this_year >= p.free_applications_per_year and statement is None:
        raise _bad(
            "statement_required", "purpose_statement_required", n=p.free_applications_per_year
        )
    due, _exact = add_working_days(now.date(), p.decision_working_days)
    app = Application(
        user_id=actor.user_id, subject_key=held.subject_key, id_masked=held.id_masked,
        purpose=purpose, purpose_statement=statement, period_from=period_from,
        period_to=period_to, station=station, level=int(held.level),
        verification_id=held.verification_id, method=held.method, status="submitted",
        submitted_at=now, due_on=due,
    )  # fmt: skip
    session.add(app)
    session.flush()
    algorithms = ("ed25519", "sm2") if sm2 else ("ed25519",)
    doc = _holder_document(session, vault, app, now, algorithms)
    audit.record(
        session, actor, "cert.apply", "cert_application", app.id,
        {"id": app.id_masked, "level": app.level, "status": app.status, "document": doc.number},
    )  # fmt: skip
    finish(session)
    return app, doc


def _own(session: Session, actor: Actor, app_id: int) -> Application:
    app = session.get(Application, app_id)
    if app is None or app.user_id != actor.user_id:
        raise NotFound(msg("trust.cert.no_application"), code="no_application")
    return app


def consent(
    session: Session, actor: Actor, vault: Vault, app_id: int, now: datetime
) -> tuple[str, datetime]:
    """A one-use code the holder gives an employer (shown once; only its keyed hash kept)."""
    require(actor, OWN)
    app = _own(session, actor, app_id)
    code = secrets.token_hex(4).upper()
    app.consent_hash = vault.index(f"cert-consent:{code}")
    app.consent_expires_at = now + timedelta(days=policy().consent_days)
    audit.record(session, actor, "cert.consent", "cert_application", app.id, {"id": app.id_masked})
    finish(session)
    return code, app.consent_expires_at


def employer_query(
    session: Session, actor: Actor, vault: Vault, *, id_number: str, consent_code: str,
    unit: str, now: datetime,
) -> Document:  # fmt: skip
    """The result letter: issued or not, nothing else, for an employer holding the consent
    code of that person's application."""
    require(actor, QUERY)
    subject = parse_subject(vault, id_number, today=now.date())
    unit = unit.strip()
    if not 1 <= len(unit) <= 100:
        raise _bad("no_unit", "no_unit")
    app = session.scalar(
        select(Application).where(
            Application.consent_hash == vault.index(f"cert-consent:{consent_code.strip().upper()}")
        )
    )
    if (
        app is None
        or app.subject_key != subject.key
        or app.consent_expires_at is None
        or app.consent_expires_at <= now
    ):
        audit.record(
            session, actor, "cert.query_refused", "cert_application", None, {"id": subject.masked}
        )
        finish(session)
        raise Forbidden(msg("trust.cert.no_consent"), code="no_consent")
    app.consent_hash, app.consent_expires_at = None, None
    holder = _holder(session, vault, app.subject_key)
    result = ISSUED if app.status == ISSUED else NOT_ISSUED
    subject_doc = {
        "nameMasked": holder.name_masked,
        "idNumberMasked": holder.id_masked,
        "requestedBy": unit,
        "result": result,
        "asOf": now.date().isoformat(),
    }
    doc = _issue(
        session,
        vault,
        app,
        "letter",
        now,
        subject=subject_doc,
        holder=holder,
        requested_by=actor.user_id,
    )
    audit.record(
        session,
        actor,
        "cert.query",
        "cert_application",
        app.id,
        {"id": holder.id_masked, "document": doc.number},
    )
    finish(session)
    return doc


# -- objections ----------------------------------------------------------------------------
def object_to(
    session: Session, actor: Actor, app_id: int, grounds: str, now: datetime
) -> Objection:
    require(actor, OWN)
    app = _own(session, actor, app_id)
    grounds = grounds.strip()
    if not 1 <= len(grounds) <= 1000:
        raise _bad("bad_grounds", "bad_grounds")
    if app.status != NOT_ISSUED:
        raise Conflict(msg("trust.cert.nothing_to_object"), code="nothing_to_object")
    if session.scalar(
        select(Objection.id).where(Objection.application_id == app.id, Objection.status == OPEN)
    ):
        raise Conflict(msg("trust.cert.objection_open"), code="objection_open")
    due, _ = add_working_days(now.date(), policy().objection_working_days)
    row = Objection(application_id=app.id, user_id=actor.user_id, grounds=grounds, filed_at=now,
                    due_on=due, extended=False, status=OPEN)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "cert.objection", "cert_objection", row.id, {"application": app.id}
    )
    finish(session)
    return row


def _open_objection(session: Session, actor: Actor, objection_id: int) -> Objection:
    require(actor, MANAGE)
    row = session.get(Objection, objection_id)
    if row is None:
        raise NotFound(msg("trust.cert.no_objection"), code="no_objection")
    if row.user_id == actor.user_id:
        raise Forbidden(msg("trust.cert.own_objection"), code="own_objection")
    if row.status != OPEN:
        raise Conflict(msg("trust.cert.objection_closed"), code="objection_closed")
    return row


def extend_objection(session: Session, actor: Actor, objection_id: int, now: datetime) -> Objection:
    """Once, to 30 working days from filing."""
    row = _open_objection(session, actor, objection_id)
    if row.extended:
        raise Conflict(msg("trust.cert.already_extended"), code="already_extended")
    row.due_on, _ = add_working_days(row.filed_at.date(), policy().objection_extended_working_days)
    row.extended = True
    audit.record(
        session,
        actor,
        "cert.objection_extend",
        "cert_objection",
        row.id,
        {"due_on": row.due_on.isoformat()},
    )
    finish(session)
    return row


def answer_objection(
    session: Session, actor: Actor, vault: Vault, objection_id: int, *, upheld: bool,
    answer: str, now: datetime,
) -> tuple[Objection, Document | None]:  # fmt: skip
    """Upheld: the record was wrong and the bureau's table corrected, so the check runs again
    and a certificate follows when it now finds nothing. Dismissed: the notice stands."""
    row = _open_objection(session, actor, objection_id)
    answer = answer.strip()
    if not 1 <= len(answer) <= 1000:
        raise _bad("bad_answer", "bad_answer")
    row.status, row.answer = (UPHELD if upheld else DISMISSED), answer
    row.answered_by, row.answered_at = actor.username, now
    doc = None
    if upheld:
        app = session.get(Application, row.application_id)
        assert app is not None
        if records.check(session, app.subject_key) == records.CLEAN:
            doc = _holder_document(session, vault, app, now, ("ed25519",))
    audit.record(
        session,
        actor,
        "cert.objection_answer",
        "cert_objection",
        row.id,
        {
            "status": row.status,
            "late": now.date() > row.due_on,
            "document": doc.number if doc else None,
        },
    )
    finish(session)
    return row, doc


# -- revocation and the status list --------------------------------------------------------
def _document(session: Session, number: str) -> Document:
    row = session.scalar(select(Document).where(Document.number == number))
    if row is None:
        raise NotFound(msg("trust.cert.unknown_certificate"), code="unknown_certificate")
    return row


def revoke(session: Session, actor: Actor, number: str, reason: str, now: datetime) -> Document:
    require(actor, MANAGE)
    row = _document(session, number)
    reason = reason.strip()
    if not 1 <= len(reason) <= 200:
        raise _bad("bad_reason", "bad_reason")
    if row.status_list_id is None or row.status_index is None:
        raise Conflict(msg("trust.cert.not_revocable"), code="not_revocable")
    if row.revoked_at is not None:
        raise Conflict(msg("trust.cert.already_revoked"), code="already_revoked")
    sl = session.get(StatusList, row.status_list_id, with_for_update=True)
    assert sl is not None
    sl.bits = status_list.set_bit(sl.bits, row.status_index)
    sl.updated_at = now
    row.revoked_at, row.revoke_reason = now, reason
    audit.record(
        session,
        actor,
        "cert.revoke",
        "cert_document",
        row.number,
        {"id": row.id_masked, "reason": reason},
    )
    finish(session)
    return row


def status_credential(session: Session, list_id: int, now: datetime) -> dict[str, Any]:
    row = session.get(StatusList, list_id)
    if row is None:
        raise NotFound(msg("trust.cert.no_status_list"), code="no_status_list")
    return proof.add_proofs(
        session, status_list.credential(row, now), base_url=policy().base_url, now=now
    )


# -- holder PIN and online verification ----------------------------------------------------
def _pin_hash(vault: Vault, number: str, pin: str) -> str:
    """Keyed hash (the store's secret): a short PIN cannot be tried offline from a copy."""
    return vault.index(f"cert-pin:{number}:{pin}")


def set_pin(session: Session, actor: Actor, vault: Vault, number: str, pin: str | None) -> Document:
    require(actor, OWN)
    row = _document(session, number)
    if row.holder_id != actor.user_id or row.kind != "certificate":
        raise NotFound(msg("trust.cert.unknown_certificate"), code="unknown_certificate")
    if pin is not None and not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise _bad("bad_pin", "bad_pin")
    row.pin_hash = _pin_hash(vault, number, pin) if pin else None
    audit.record(session, actor, "cert.pin", "cert_document", row.number, {"set": pin is not None})
    finish(session)
    return row


def verify_online(
    session: Session, vault: Vault, *, payload: str | None = None,
    document: dict[str, Any] | None = None, pin: str | None = None, now: datetime,
) -> tuple[Document, verify.Result]:  # fmt: skip
    """The signature first (against the store's key list), then the live state: revoked,
    expired, scan limit, PIN. A wrong PIN counts as a scan, so guessing uses them up."""
    if payload is not None:
        result = verify.payload(payload, session, now=now)
    elif document is not None:
        result = verify.credential(document, session, now=now)
    else:
        raise _bad("nothing_to_verify", "nothing_to_verify")
    if result.reason == "expired":
        raise Gone(msg("trust.cert.expired"), code="expired")
    if not result.valid:
        raise ValidationFailed(
            msg("trust.cert.invalid", reason=result.reason), code=result.reason or "invalid"
        )
    row = _document(session, result.number or "")
    if row.revoked_at is not None:
        raise Gone(msg("trust.cert.revoked"), code="revoked")
    if row.kind == "certificate":
        if row.scans >= row.max_scans:
            raise TooManyRequests(
                msg("trust.cert.scan_limit", n=row.max_scans), code="scan_limit_reached"
            )
        row.scans += 1
        wrong = row.pin_hash is not None and (
            not pin or _pin_hash(vault, row.number, pin) != row.pin_hash
        )
        audit.record(session, Actor.system("cert-verify"), "cert.scan", "cert_document", row.number,
                     {"scans": row.scans, "pin_wrong": wrong})  # fmt: skip
        finish(session)
        if wrong:
            code = "pin_wrong" if pin else "pin_required"
            raise Forbidden(msg(f"trust.cert.{code}"), code=code)
    return row, result
