"""Phone numbers known to be used by fraudsters (涉诈号码): added by an officer, imported from a
CSV list, or linked to a reported case.

A fraud number is not the personal data of a victim: it is stored and listed in clear. Every
number the platform compares — typed, imported, or in the operator's contact feed — goes
through `normalise_number`, so one number is never two rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.paging import page
from pingan.db.tx import finish
from pingan.errors import Conflict, ValidationFailed
from pingan.fraud.fraud_types import FRAUD_TYPES
from pingan.fraud.models import FraudNumber
from pingan.fraud.warnings import files
from pingan.i18n import msg

COLUMNS = ("number", "fraud_type", "source")
SOURCES = ("officer", "feed", "case")  # who said the number is a fraudster's
IMPORT_SOURCES = ("feed", "officer")  # what a CSV row may say (case numbers come with a case)
MIN_DIGITS, MAX_DIGITS = 5, 20  # 95xxx service numbers … international numbers with 00
_SEPARATORS = re.compile(r"[\s\-().]")


def normalise_number(raw: str) -> str:
    """Digits only: separators dropped, China's +86 / 0086 stripped, another country's `+`
    written `00` (the international prefix dialled from China). Raises ValidationFailed
    (`bad_number`) for anything else, or fewer than 5 or more than 20 digits."""
    value = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    else:
        if value.startswith("+"):
            value = "00" + value[1:]
    if not (value.isascii() and value.isdigit() and MIN_DIGITS <= len(value) <= MAX_DIGITS):
        raise ValidationFailed(
            msg("fraud.warn.bad_number", low=MIN_DIGITS, high=MAX_DIGITS), code="bad_number"
        )
    return value


def _fraud_type(raw: str | None) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if value not in FRAUD_TYPES:
        raise ValidationFailed(
            msg("fraud.warn.bad_fraud_type", types=", ".join(FRAUD_TYPES)), code="bad_fraud_type"
        )
    return value


def known(session: Session, numbers: set[str]) -> dict[str, FraudNumber]:
    """The known fraud numbers among `numbers` (normalised), by number."""
    if not numbers:
        return {}
    rows = session.scalars(select(FraudNumber).where(FraudNumber.number.in_(sorted(numbers))))
    return {r.number: r for r in rows}


def _audit(
    session: Session, actor: Actor, action: str, row: FraudNumber | None, **detail: Any
) -> None:
    audit.record(
        session, actor, f"fraud.{action}", "fraud_number", row.id if row else None, detail or None
    )


def add(
    session: Session,
    actor: Actor,
    *,
    number: str,
    fraud_type: str | None,
    now: datetime,
    source: str = "officer",
    case_id: int | None = None,
) -> FraudNumber:
    """One number added by hand (or from a case); a number already known is a conflict."""
    require(actor, "fraud.warn_manage")
    value = normalise_number(number)
    kind = _fraud_type(fraud_type)
    if source not in SOURCES:
        raise ValidationFailed(
            msg("fraud.warn.bad_source", sources=", ".join(SOURCES)), code="bad_source"
        )
    if known(session, {value}):
        raise Conflict(msg("fraud.warn.number_known", number=value), code="number_known")
    row = FraudNumber(
        number=value,
        fraud_type=kind,
        source=source,
        case_id=case_id,
        added_by=actor.username,
        added_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, "number_added", row, number=value, fraud_type=kind, source=source)
    finish(session)
    return row


def link_case(
    session: Session,
    actor: Actor,
    *,
    number: str,
    case_id: int,
    fraud_type: str | None,
    now: datetime,
) -> FraudNumber:
    """The number that called a reported case's victim: added (source `case`) or, if already
    known, tied to the case — contacts from it then grade `case_number` (grading.yaml). For the
    case intake to call inside its own transaction: this flushes, the intake commits."""
    value = normalise_number(number)
    row = known(session, {value}).get(value)
    if row is None:
        row = FraudNumber(
            number=value,
            fraud_type=_fraud_type(fraud_type),
            source="case",
            case_id=case_id,
            added_by=actor.username,
            added_at=now,
        )
        session.add(row)
        session.flush()
    else:
        row.case_id = case_id
        row.fraud_type = row.fraud_type or _fraud_type(fraud_type)
    _audit(session, actor, "number_linked", row, number=value, case_id=case_id)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class Row:
    number: str
    fraud_type: str | None
    source: str


def _row(raw: dict[str, Any]) -> Row:
    source = files.text(raw, "source") or "feed"
    if source not in IMPORT_SOURCES:
        raise ValidationFailed(
            msg("fraud.warn.bad_source", sources=", ".join(IMPORT_SOURCES)), code="bad_source"
        )
    return Row(
        normalise_number(files.text(raw, "number")),
        _fraud_type(files.text(raw, "fraud_type")),
        source,
    )


@dataclass(frozen=True, slots=True)
class NumbersImported:
    rows: int
    added: int
    known: int  # already on the list (or twice in the file): left as they were


def import_csv(session: Session, actor: Actor, data: str, *, now: datetime) -> NumbersImported:
    """A CSV list `number,fraud_type,source` (fraud_type and source may be empty; source feed
    or officer, empty: feed), all or nothing. Numbers already known are kept as they are."""
    require(actor, "fraud.warn_manage")
    rows = files.checked(files.csv_rows(data, COLUMNS, 1), _row)
    have = known(session, {r.number for r in rows})
    added: dict[str, Row] = {}
    for r in rows:
        if r.number not in have and r.number not in added:
            added[r.number] = r
    session.add_all(
        FraudNumber(
            number=r.number,
            fraud_type=r.fraud_type,
            source=r.source,
            added_by=actor.username,
            added_at=now,
        )
        for r in added.values()
    )
    result = NumbersImported(len(rows), len(added), len(rows) - len(added))
    _audit(
        session,
        actor,
        "numbers_imported",
        None,
        rows=result.rows,
        added=result.added,
        known=result.known,
    )
    finish(session)
    return result


def list_numbers(
    session: Session, *, q: str | None, limit: int, offset: int
) -> tuple[list[FraudNumber], int]:
    """Known numbers, newest first; `q` keeps those containing its digits."""
    query = select(FraudNumber)
    digits = re.sub(r"\D", "", q or "")
    if digits:
        query = query.where(FraudNumber.number.contains(digits, autoescape=True))
    return page(
        session,
        query,
        FraudNumber.added_at.desc(),
        FraudNumber.id.desc(),
        limit=limit,
        offset=offset,
    )
