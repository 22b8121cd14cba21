"""Tables: incidents, their append-only timeline and unit assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import expression
from sqlalchemy.types import Boolean

from pingan.db.base import Base, UtcDateTime


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_state_received", "state", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    type_code: Mapped[str] = mapped_column(String(40), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    reporter_name_enc: Mapped[str | None] = mapped_column(String(700))
    reporter_name_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_phone_enc: Mapped[str | None] = mapped_column(String(300))
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    reporter_id_enc: Mapped[str | None] = mapped_column(String(300))
    reporter_id_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    response_seconds: Mapped[float | None] = mapped_column(Float)
    response_tier: Mapped[str | None] = mapped_column(String(10), index=True)
    # how the first arrival was accepted: verified (by the unit's fix) or overridden; None for
    # arrivals recorded before the check existed (neither counts towards compliance)
    arrival_check: Mapped[str | None] = mapped_column(String(12))
    outcome: Mapped[str | None] = mapped_column(Text)
    # a demo's scripted sample (样例): listed, but left out of the KPIs and the demand history
    sample: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    version: Mapped[int] = mapped_column(Integer, default=1)


class IncidentEvent(Base):
    """One step of the timeline. Rows are only ever inserted."""

    __tablename__ = "incident_events"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)  # as typed, or a message's Chinese text
    # a note the system wrote: its message, put into words in each reader's language
    note_code: Mapped[str | None] = mapped_column(String(80))
    note_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Assignment(Base):
    """A unit sent to an incident, with its own acknowledged / en route / on scene times."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_unit_state", "unit_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    state: Mapped[str] = mapped_column(String(20))
    dispatched_by: Mapped[str] = mapped_column(String(64))
    dispatched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the travel time the platform predicted when it sent the unit (the recommendation's ETA,
    # seconds): with en_route_at and on_scene_at it measures the platform's ETAs
    eta_s: Mapped[float | None] = mapped_column(Float)
    arrival_check: Mapped[str | None] = mapped_column(String(12))  # verified / overridden
    arrival_distance_m: Mapped[float | None] = mapped_column(Float)  # last fix to the scene
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(64))
