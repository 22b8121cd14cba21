"""Fraud rows put straight into the tables, for tests that count them (the KPIs, the wall):
only the columns the figures read carry meaning; personal data is a placeholder. Numbers are
the platform's own (FZ…/YJ… from the case-number counters), as pages show them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from pingan.db.case_numbers import next_case_number
from pingan.db.engine import Database
from pingan.fraud.models import FraudCase, FraudOrder, FraudReturn, FraudWarning


def at(day: str, hhmm: str = "10:00") -> datetime:
    """A local time, as the tables store it (UTC)."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00").astimezone(UTC)


def case(
    session: Any,
    reported: datetime,
    *,
    fraud_type: str = "rebate",
    loss: int = 10_000,
    golden: datetime | None = None,
) -> FraudCase:
    n = uuid.uuid4().hex[:10]
    row = FraudCase(
        case_no=next_case_number(session, "FZ", reported),
        status="open",
        fraud_type=fraud_type,
        source="officer",
        victim_name_enc="x",
        victim_name_masked="张*",
        victim_id_enc="x",
        victim_id_key=f"k{n}",
        victim_id_masked="1101**********1234",
        victim_phone_enc="x",
        victim_phone_key=f"p{n}",
        victim_phone_masked="138****0000",
        description="",
        loss_fen=loss,
        golden_start=golden or reported - timedelta(minutes=30),
        reported_at=reported,
    )
    session.add(row)
    session.flush()
    return row


def order(
    session: Any,
    of: FraudCase,
    *,
    kind: str = "stop",
    status: str = "answered",
    result: str | None = "stopped",
    account: str = "6222000000000001",
    held: int | None = None,
    stopped_at: datetime | None = None,
    stop_count: int | None = 1,
    returned: int | None = None,
) -> FraudOrder:
    n = uuid.uuid4().hex[:10]
    issued = of.reported_at + timedelta(minutes=1)
    answered = status == "answered"
    row = FraudOrder(
        order_no=f"ZF-{n}",
        case_id=of.id,
        kind=kind,
        bank="ICBC",
        payee_account=account,
        payee_name="李四",
        amount_fen=of.loss_fen,
        stop_count=stop_count if kind == "stop" else None,
        sealed="{}",
        status=status,
        tries=1,
        result=result if answered else None,
        stopped_at=stopped_at if answered else None,
        held_fen=held,
        returned_fen=returned,
        issued_by="officer1",
        issued_at=issued,
        answered_at=(stopped_at or issued) if answered else None,
    )
    session.add(row)
    session.flush()
    return row


def give_back(session: Any, of: FraudCase, fen: int, order_id: int | None = None) -> None:
    when = of.reported_at + timedelta(days=3)
    session.add(FraudReturn(case_id=of.id, order_id=order_id, amount_fen=fen, returned_at=when,
                            recorded_by="officer1", recorded_at=when))  # fmt: skip
    session.flush()


def warning(
    session: Any,
    created: datetime,
    grade: str,
    status: str = "new",
    outcome: str | None = None,
    assigned: bool = False,
) -> None:
    n = uuid.uuid4().hex[:10]
    session.add(
        FraudWarning(
            warning_no=next_case_number(session, "YJ", created),
            person_phone_enc="x",
            person_phone_key=f"w{n}",
            person_phone_masked="139****0000",
            grade=grade,
            status=status,
            assigned_to="officer1" if assigned else None,
            assigned_at=created + timedelta(minutes=5) if assigned else None,
            outcome=outcome,
            created_at=created,
            closed_at=created + timedelta(hours=1) if status == "closed" else None,
        )
    )


@contextmanager
def rows(db: Database) -> Iterator[Any]:
    """A session whose rows are committed at the end of the block."""
    with db.session() as session:
        yield session
        session.commit()
