"""Filing a case (报案): an officer for a victim, or a citizen for themself.

The victim's name, ID number and phone are stored encrypted (the vault) with masked copies
and keyed hashes; the case number comes from the shared daily counter (FZ20261002-0001). The
golden-time clock starts at the earliest transfer, the loss is the transfers' sum. A fraud
phone is added to the known fraud numbers (source "case") unless already there. An officer's
report sends its stop orders at once (`send`, the default); a citizen's does not — stop orders
carry the police seal, so an officer checks the report and sends them from the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.db.case_numbers import next_case_number
from pingan.db.insert_ignore import insert_ignore
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.fraud.desk import desk
from pingan.fraud.models import FraudCase, FraudNumber, FraudTransfer
from pingan.fraud.schemas import CaseIn, TransferIn
from pingan.i18n import msg
from pingan.pii.id_number import mask_id_number
from pingan.pii.name import mask_name
from pingan.pii.phone import mask_phone
from pingan.pii.vault import Vault

OPEN, CLOSED = "open", "closed"
CITIZEN_ROLES = frozenset({Role.CITIZEN, Role.VOLUNTEER})


def _checked_times(transfers: Sequence[TransferIn], now: datetime) -> None:
    d = desk()
    for i, t in enumerate(transfers):
        if t.tx_time > now + d.future_tolerance:
            raise Bad(msg("fraud.tx_in_future", n=i + 1), code="tx_in_future")
        if t.tx_time < now - d.max_transfer_age:
            raise Bad(
                msg("fraud.tx_too_old", n=i + 1, days=d.max_transfer_age.days), code="tx_too_old"
            )


def transfer_row(case_id: int, t: TransferIn, now: datetime, **extra: object) -> FraudTransfer:
    """A stored transfer: the report's fields as given (TransferIn names them as the table does)."""
    return FraudTransfer(case_id=case_id, **t.model_dump(), receipts=[], created_at=now, **extra)


def file_case(
    session: Session,
    actor: Actor,
    vault: Vault,
    body: CaseIn,
    *,
    now: datetime,
    source: str | None = None,
    incident_id: int | None = None,
) -> tuple[FraudCase, bool]:
    """Store the case and its transfers; (the case, whether its stop orders go out now).

    `source` names where a report came from when no person filed it (the simulated day's
    "sim"); `incident_id` ties it to the 110 incident it was reported with."""
    require(actor, "fraud.report")
    _checked_times(body.transfers, now)
    citizen = actor.role in CITIZEN_ROLES
    v = body.victim
    case = FraudCase(
        case_no=next_case_number(session, desk().case_prefix, now),
        status=OPEN,
        fraud_type=body.fraud_type,
        source=source or ("citizen" if citizen else "officer"),
        victim_name_enc=vault.encrypt(v.name),
        victim_name_masked=mask_name(v.name),
        victim_id_enc=vault.encrypt(v.id_number),
        victim_id_key=vault.index(v.id_number),
        victim_id_masked=mask_id_number(v.id_number),
        victim_phone_enc=vault.encrypt(v.phone),
        victim_phone_key=vault.index(v.phone),
        victim_phone_masked=mask_phone(v.phone),
        fraud_phone=body.fraud_phone,
        description=body.description.strip(),
        area_code=body.area_code,
        incident_id=incident_id,
        reporter_user_id=actor.user_id if citizen else None,
        officer_username=None if citizen else actor.username,
        loss_fen=sum(t.amount_fen for t in body.transfers),
        golden_start=min(t.tx_time for t in body.transfers),
        reported_at=now,
    )
    session.add(case)
    session.flush()
    session.add_all(transfer_row(case.id, t, now) for t in body.transfers)
    if body.fraud_phone:
        _known_number(session, actor, case, body.fraud_phone, now)
    session.flush()
    audit.record(
        session, actor, "fraud.case_filed", "fraud_case", case.id,
        {"case_no": case.case_no, "source": case.source, "fraud_type": case.fraud_type,
         "victim": case.victim_name_masked, "victim_id": case.victim_id_masked,
         "transfers": len(body.transfers), "loss_fen": case.loss_fen},
    )  # fmt: skip
    finish(session)
    return case, body.send and not citizen


def _known_number(
    session: Session, actor: Actor, case: FraudCase, number: str, now: datetime
) -> None:
    """The caller's number joins the known fraud numbers once (another case or a feed may have
    it already: that entry stays as it is)."""
    insert_ignore(
        session,
        FraudNumber.__table__,  # type: ignore[arg-type]
        [
            {
                "number": number,
                "fraud_type": case.fraud_type,
                "source": "case",
                "case_id": case.id,
                "added_by": actor.username,
                "added_at": now,
            }
        ],
    )


# --- reading -----------------------------------------------------------------------------


def get_case(session: Session, case_id: int) -> FraudCase:
    case = session.get(FraudCase, case_id)
    if case is None:
        raise NotFound(msg("fraud.no_such_case"), code="no_such_case")
    return case


def own_case(session: Session, actor: Actor, case_id: int) -> FraudCase:
    """One of the caller's own reports (404 for anyone else's: its existence is not shown)."""
    require(actor, "fraud.report")
    case = get_case(session, case_id)
    if case.reporter_user_id is None or case.reporter_user_id != actor.user_id:
        raise NotFound(msg("fraud.no_such_case"), code="no_such_case")
    return case


def list_cases(
    session: Session, actor: Actor, status: str | None, limit: int, offset: int
) -> tuple[list[FraudCase], int]:
    require(actor, "fraud.read")
    q = select(FraudCase)
    if status:
        q = q.where(FraudCase.status == status)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(FraudCase.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def my_cases(session: Session, actor: Actor) -> list[FraudCase]:
    require(actor, "fraud.report")
    if actor.user_id is None:
        raise Forbidden(msg("fraud.no_such_case"))
    return list(
        session.scalars(
            select(FraudCase)
            .where(FraudCase.reporter_user_id == actor.user_id)
            .order_by(FraudCase.id.desc())
            .limit(200)
        )
    )


def transfers_of(session: Session, case_id: int) -> list[FraudTransfer]:
    return list(
        session.scalars(
            select(FraudTransfer).where(FraudTransfer.case_id == case_id).order_by(FraudTransfer.id)
        )
    )


def close_case(
    session: Session, actor: Actor, case_id: int, reason: str, *, now: datetime
) -> FraudCase:
    require(actor, "fraud.stop")
    case = get_case(session, case_id)
    if case.status == CLOSED:
        raise Conflict(msg("fraud.case_closed", case_no=case.case_no), code="case_closed")
    case.status, case.closed_at, case.close_reason = CLOSED, now, reason.strip()[:200]
    audit.record(
        session, actor, "fraud.case_closed", "fraud_case", case.id,
        {"case_no": case.case_no, "reason": case.close_reason},
    )  # fmt: skip
    finish(session)
    return case


def open_case(session: Session, case_id: int) -> FraudCase:
    """A case orders may still be sent for (409 once closed)."""
    case = get_case(session, case_id)
    if case.status == CLOSED:
        raise Conflict(msg("fraud.case_closed", case_no=case.case_no), code="case_closed")
    return case
