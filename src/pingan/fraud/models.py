"""Tables of the anti-fraud service (all named `fraud_*`).

A case (`FraudCase`) is one victim's report; its transfers (`FraudTransfer`) are what the
victim paid, each to a receiving account. Stop, freeze, release and ATM-revocation orders
(`FraudOrder`) go to the receiving account's bank; the bank's answer is stored on the order.
Onward transfers a bank reports (`FraudOnward`) feed the money trail. Money handed back to the
victim is a `FraudReturn`. Early warnings to people contacted by known fraud numbers
(`FraudWarning`) become dissuasion tasks for officers.

Amounts are integer fen (BigInteger: ¥21 million overflows a 32-bit column). Personal data is
stored encrypted (`*_enc`, the vault) with a masked copy for lists and a keyed hash
(`*_key`) where equality must be found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime

Fen = BigInteger().with_variant(Integer(), "sqlite")  # SQLite's INTEGER is 64-bit already


class FraudCase(Base):
    """One victim's report (报案): who, what kind of fraud, and when the money first left.

    `golden_start` is the first transfer's time: the golden-time clock (黄金止付时间) runs
    from it, not from the report."""

    __tablename__ = "fraud_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open / closed
    fraud_type: Mapped[str] = mapped_column(String(30), index=True)
    source: Mapped[str] = mapped_column(String(10))  # officer / citizen / sim
    victim_name_enc: Mapped[str] = mapped_column(String(700))
    victim_name_masked: Mapped[str] = mapped_column(String(20))
    victim_id_enc: Mapped[str] = mapped_column(String(700))
    victim_id_key: Mapped[str] = mapped_column(String(64), index=True)
    victim_id_masked: Mapped[str] = mapped_column(String(20))
    victim_phone_enc: Mapped[str] = mapped_column(String(400))
    victim_phone_key: Mapped[str] = mapped_column(String(64), index=True)
    victim_phone_masked: Mapped[str] = mapped_column(String(20))
    fraud_phone: Mapped[str | None] = mapped_column(
        String(30), index=True
    )  # the number that called
    description: Mapped[str] = mapped_column(String(2000))
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    officer_username: Mapped[str | None] = mapped_column(String(64))  # who took it / owns it
    loss_fen: Mapped[int] = mapped_column(Fen)  # the sum of the transfers
    golden_start: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    first_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_stop_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(200))


class FraudTransfer(Base):
    """One payment the victim made: payer side, the receiving (payee) side that is stopped,
    and the proof (receipt images by hash)."""

    __tablename__ = "fraud_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fraud_cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # messages.CHANNELS
    payer_account: Mapped[str] = mapped_column(String(40))
    payer_bank: Mapped[str] = mapped_column(String(12))
    payee_account: Mapped[str] = mapped_column(String(40), index=True)
    payee_name: Mapped[str] = mapped_column(String(100))
    payee_bank: Mapped[str] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(Fen)
    tx_time: Mapped[datetime] = mapped_column(UtcDateTime)
    serial_no: Mapped[str | None] = mapped_column(String(64))
    receipts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    hop: Mapped[int] = mapped_column(Integer, default=0)  # 0: the victim's own payment
    from_onward_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_onward.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FraudOrder(Base):
    """An order sent (or being sent) to a bank, and the bank's answer.

    `status`: `sending` (tries under way), `answered` (the bank's `result` is stored),
    `unavailable` (no answer after every try: the officer is told, and may resend), `refused`
    (4xx from the bank: `error` says why)."""

    __tablename__ = "fraud_orders"
    __table_args__ = (Index("ix_fraud_orders_account_kind", "payee_account", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(40), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fraud_cases.id"), index=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_transfers.id"))
    kind: Mapped[str] = mapped_column(String(12))  # stop / freeze / release / atm_revoke
    bank: Mapped[str] = mapped_column(String(12))
    payee_account: Mapped[str] = mapped_column(String(40))
    payee_name: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(Fen)
    tx_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stop_count: Mapped[int | None] = mapped_column(Integer)
    parent_order_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_orders.id"))
    sealed: Mapped[str] = mapped_column(String(8000))  # the JCS bytes sent, as text
    status: Mapped[str] = mapped_column(String(12), index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[str | None] = mapped_column(String(20), index=True)
    mismatched: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the BankResult as sent
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stop_until: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    frozen_until: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    held_fen: Mapped[int | None] = mapped_column(Fen)
    returned_fen: Mapped[int | None] = mapped_column(Fen)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expiry_alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class FraudOnward(Base):
    """A transfer out of a stopped account, as its bank reported it (the money trail's input)."""

    __tablename__ = "fraud_onward"
    __table_args__ = (Index("ix_fraud_onward_bank_serial", "bank", "serial_no", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fraud_cases.id"), index=True)
    bank: Mapped[str] = mapped_column(String(12))  # the bank that reported it
    serial_no: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    payer_account: Mapped[str] = mapped_column(String(40), index=True)
    payee_account: Mapped[str] = mapped_column(String(40), index=True)
    payee_name: Mapped[str | None] = mapped_column(String(100))
    payee_bank: Mapped[str | None] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(Fen)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FraudReturn(Base):
    """Money handed back to the victim (返还), from a held account or an ATM revocation."""

    __tablename__ = "fraud_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fraud_cases.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_orders.id"))
    amount_fen: Mapped[int] = mapped_column(Fen)
    returned_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    reference: Mapped[str | None] = mapped_column(String(100))  # the bank's or court's document
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FraudNumber(Base):
    """A phone number known to be used by fraudsters (涉诈号码), from cases or a feed."""

    __tablename__ = "fraud_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    fraud_type: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20))  # case / feed / officer
    case_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_cases.id"))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FraudContact(Base):
    """A call or message from a known fraud number to a person (the operator's feed)."""

    __tablename__ = "fraud_contacts"
    __table_args__ = (Index("ix_fraud_contacts_person_at", "person_phone_key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), index=True)
    person_phone_enc: Mapped[str] = mapped_column(String(400))
    person_phone_key: Mapped[str] = mapped_column(String(64))
    person_phone_masked: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # call / sms / app
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FraudWarning(Base):
    """An early warning (预警) to a likely victim, graded high / medium / low, and the
    dissuasion task (劝阻) it became, with the closed loop recorded."""

    __tablename__ = "fraud_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warning_no: Mapped[str] = mapped_column(String(20), unique=True)
    person_phone_enc: Mapped[str] = mapped_column(String(400))
    person_phone_key: Mapped[str] = mapped_column(String(64), index=True)
    person_phone_masked: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = mapped_column(String(6), index=True)  # high / medium / low
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    numbers: Mapped[list[str]] = mapped_column(JSON, default=list)  # the fraud numbers involved
    fraud_type: Mapped[str | None] = mapped_column(String(30))
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    contacted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_cases.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
