"""Tables: the bureau's criminal records, applications, issued documents, objections, and
the revocation status lists.

ID numbers appear only as the platform's keyed hash (`vault.index("id:…")`, as in the
population register) and a mask; names only masked. Record details never leave the police
side: a notice or an employer's letter carries a reason code, not the record.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class CriminalRecord(Base):
    """One court judgement from the bureau's criminal-record extract (犯罪记录)."""

    __tablename__ = "cert_criminal_records"
    __table_args__ = (Index("ix_cert_criminal_records_subject", "subject_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64))
    court: Mapped[str] = mapped_column(String(100))
    judgement_date: Mapped[date] = mapped_column(Date)
    effective: Mapped[bool] = mapped_column(Boolean)  # judgement in force (生效判决)
    juvenile_sealed: Mapped[bool] = mapped_column(Boolean)  # sealed (未成年人犯罪记录封存)
    offence_code: Mapped[str] = mapped_column(String(20))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Application(Base):
    """A citizen's application, with the identity assurance it was made at and its
    decision (kind of document, reason code), due date in working days."""

    __tablename__ = "cert_applications"
    __table_args__ = (Index("ix_cert_applications_subject_at", "subject_key", "submitted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject_key: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    purpose_statement: Mapped[str | None] = mapped_column(String(500))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    station: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    verification_id: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # issued / not_issued
    reason: Mapped[str | None] = mapped_column(String(40))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consent_hash: Mapped[str | None] = mapped_column(String(64))
    consent_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Document(Base):
    """An issued document: certificate, notice or employer's letter, as its signed VC and
    (certificate only) its QR payload; its place in a status list; scans and PIN."""

    __tablename__ = "cert_documents"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index", name="uq_cert_documents_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # certificate / notice / letter
    application_id: Mapped[int] = mapped_column(ForeignKey("cert_applications.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # letter: employer
    name_masked: Mapped[str] = mapped_column(String(20))
    id_masked: Mapped[str] = mapped_column(String(20))
    credential: Mapped[str] = mapped_column(Text)  # the signed VC, JSON
    qr_payload: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_list_id: Mapped[int | None] = mapped_column(ForeignKey("cert_status_lists.id"))
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(200))
    scans: Mapped[int] = mapped_column(Integer, default=0)
    max_scans: Mapped[int] = mapped_column(Integer)
    pin_hash: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Objection(Base):
    """An applicant's objection (异议/复核) to a decision, answered within working days."""

    __tablename__ = "cert_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("cert_applications.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grounds: Mapped[str] = mapped_column(String(1000))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))  # open / upheld / dismissed
    answer: Mapped[str | None] = mapped_column(String(1000))
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StatusList(Base):
    """A Bitstring Status List (W3C): one bit per issued document, 1 = revoked."""

    __tablename__ = "cert_status_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    used: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
