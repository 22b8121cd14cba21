"""Tables of the unlock service (all named `unlock_*`): filed locksmiths, the bureau's
entitlement rows, requests, and the signed records filed to the police station."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class Locksmith(Base):
    """A filed locksmith (开锁从业人员备案): checked by an officer, bound to one account and one
    dispatchable unit of kind `locksmith`. Only `active` filings are dispatched."""

    __tablename__ = "unlock_locksmiths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_number: Mapped[str] = mapped_column(String(40), unique=True)
    company: Mapped[str] = mapped_column(String(100))
    certification: Mapped[str] = mapped_column(String(100))
    name_masked: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    clean_record_checked_by: Mapped[str] = mapped_column(String(64))
    clean_record_checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)  # active / suspended
    status_reason: Mapped[str | None] = mapped_column(String(200))
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Entitlement(Base):
    """One row of the bureau's tables: a person (ID-number key) entitled at an address code or
    to a plate, by household, residence, property, lease or vehicle registration."""

    __tablename__ = "unlock_entitlements"
    __table_args__ = (Index("ix_unlock_entitlements_subject_target", "subject_key", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_key: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(40))  # address code, or plate
    reference: Mapped[str | None] = mapped_column(String(60))  # 证号 of the source document
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnlockRequest(Base):
    """A request to open a lock, from the resident's ask to the filed record."""

    __tablename__ = "unlock_requests"
    __table_args__ = (Index("ix_unlock_requests_target_at", "target", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    level_method: Mapped[str | None] = mapped_column(String(20))
    verification_id: Mapped[int | None] = mapped_column(Integer)
    lock_type: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    entitlement_kind: Mapped[str | None] = mapped_column(String(20))
    entitlement_ref: Mapped[str | None] = mapped_column(String(60))
    flags: Mapped[list[str]] = mapped_column(JSON)
    witness_required: Mapped[bool] = mapped_column(Boolean)
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    witness_kind: Mapped[str | None] = mapped_column(String(20))
    witness_username: Mapped[str | None] = mapped_column(String(64))
    locksmith_id: Mapped[int | None] = mapped_column(ForeignKey("unlock_locksmiths.id"))
    eta_s: Mapped[float | None] = mapped_column(Float)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checkin: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    photos: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    notified_110: Mapped[bool] = mapped_column(Boolean)
    declined_by: Mapped[list[int]] = mapped_column(JSON)  # filings that turned the job down
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UnlockRecord(Base):
    """The 电子开锁登记单: one canonical record (JCS), each party's signature over it, the
    platform's seal over both; kept until `retain_until`."""

    __tablename__ = "unlock_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("unlock_requests.id"), unique=True)
    record_json: Mapped[str] = mapped_column(Text)  # the canonical bytes, as text
    record_sha256: Mapped[str] = mapped_column(String(64))
    parties: Mapped[list[str]] = mapped_column(JSON)  # roles that must sign
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    seal: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retain_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
