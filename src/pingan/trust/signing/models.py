"""Table: the platform's signing keys — public part in clear, private part sealed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime

ONE_ACTIVE = "ux_signing_keys_one_active"
_ACTIVE_ONLY = text("status = 'active'")


class SigningKey(Base):
    """One key of one algorithm. Rotation retires the active key (it still verifies);
    revocation withdraws it (its signatures no longer verify). Rows are never deleted, so
    old signatures stay checkable. The store itself holds at most one active key per
    algorithm (a partial unique index), so two racing rotations cannot leave two."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        Index("ix_signing_keys_algorithm_status", "algorithm", "status"),
        Index(
            ONE_ACTIVE,
            "algorithm",
            unique=True,
            postgresql_where=_ACTIVE_ONLY,
            sqlite_where=_ACTIVE_ONLY,
        ),
    )

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # active, retired, revoked
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_sealed: Mapped[bytes] = mapped_column(LargeBinary)  # kek.seal: nonce || AES-GCM
    sm2_uid: Mapped[str | None] = mapped_column(String(64))  # SM2 signer id (GM/T 0009), else None
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(200))
