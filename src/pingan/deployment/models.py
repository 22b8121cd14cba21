"""Tables: deployment plans (versioned per day and shift) and each unit's post in a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class DeploymentPlan(Base):
    """One version of a shift's plan. Approving one supersedes the earlier approved version."""

    __tablename__ = "deployment_plans"
    __table_args__ = (UniqueConstraint("plan_date", "shift_code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_date: Mapped[str] = mapped_column(String(10), index=True)  # local date, ISO
    shift_code: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # draft/approved/superseded
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("deployment_plans.id"))
    solver: Mapped[str] = mapped_column(String(20))
    gap: Mapped[float] = mapped_column(Float)
    mip_rel_gap: Mapped[float | None] = mapped_column(Float)
    objective: Mapped[float] = mapped_column(Float)
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON)  # tier -> share
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # by area, unplaced, moves, demand
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def expected_coverage(self) -> dict[str, float] | None:
        """Tier → expected share with busy units and delays (None: an older plan)."""
        return (self.detail or {}).get("expected_coverage")


class DeploymentPost(Base):
    """A unit's post in a plan, with its patrol loop (动中备勤)."""

    __tablename__ = "deployment_posts"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("deployment_plans.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    call_sign: Mapped[str] = mapped_column(String(40))
    unit_kind: Mapped[str] = mapped_column(String(20))
    site_code: Mapped[str] = mapped_column(String(60))
    site_kind: Mapped[str] = mapped_column(String(20))
    site_name: Mapped[str] = mapped_column(String(100))
    area_code: Mapped[str | None] = mapped_column(String(40))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    loop: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # stops, coords, duration, length
