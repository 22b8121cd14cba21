"""Tables: the population register, verifications reached, failed attempts, one-time codes.

No ID number, name or phone number is stored in clear: each is a vault token (Fernet) with a
masked copy for lists, and the ID number also as a keyed hash (`vault.index("id:…")`, the
same key the help services use), so a lookup needs the store's key and the hash column alone
does not give the number back. No face image is stored at all (see face.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime, utcnow


class RegisterPerson(Base):
    """One person of the bureau's population register (人口信息), as last imported."""

    __tablename__ = "identity_register"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_key: Mapped[str] = mapped_column(String(64), unique=True)  # keyed hash for lookup
    id_enc: Mapped[str] = mapped_column(String(700))
    id_masked: Mapped[str] = mapped_column(String(20))
    name_enc: Mapped[str] = mapped_column(String(700))
    name_masked: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date] = mapped_column(Date)
    address_code: Mapped[str] = mapped_column(String(12))  # household (户籍) address code
    status: Mapped[str] = mapped_column(String(10))  # normal / deceased / cancelled
    phone_enc: Mapped[str | None] = mapped_column(String(700))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Verification(Base):
    """One level reached: by whom (account and subject), how, with which provider or officer,
    until when. Refusals are not stored here (see Attempt)."""

    __tablename__ = "identity_verifications"
    __table_args__ = (
        Index("ix_identity_verifications_user_expires", "user_id", "expires_at"),
        Index("ix_identity_verifications_subject", "subject_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: desk-only
    subject_key: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(20))
    name_masked: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))  # id_name / face / otp / in_person
    provider: Mapped[str | None] = mapped_column(String(40))
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float | None] = mapped_column(Float)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    officer_username: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Attempt(Base):
    """A refused verification, counted for the per-account and per-subject limits."""

    __tablename__ = "identity_attempts"
    __table_args__ = (
        Index("ix_identity_attempts_user_at", "user_id", "at"),
        Index("ix_identity_attempts_subject_at", "subject_key", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    subject_key: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class OtpChallenge(Base):
    """A one-time code sent to the register's phone: only its keyed hash is kept."""

    __tablename__ = "identity_otps"
    __table_args__ = (Index("ix_identity_otps_user_sent", "user_id", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject_key: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_to_masked: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
