"""Tables of the help services: lost and found, missing people, parked cars, breakdowns.

Personal data (names, contacts, identifiers, guardian ID numbers) is stored encrypted with a
masked copy for lists and a keyed hash where equality must be checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime, utcnow


class HelpItem(Base):
    """A lost report (kind=lost) or a found item (kind=found)."""

    __tablename__ = "help_items"
    __table_args__ = (
        # Candidates: the range on `at`, then cells and status checked inside the index so only
        # the rows in the grid are read from the table (bench/matching.py).
        Index("ix_help_items_candidates", "kind", "category", "at", "cell_x", "cell_y", "status"),
        Index("ix_help_items_cell", "cell_x", "cell_y"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), index=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(1000))
    # The matcher's tokens of description, colour and brand, made once at registration.
    match_tokens: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(20))
    brand: Mapped[str | None] = mapped_column(String(40))
    hidden_details_enc: Mapped[str | None] = mapped_column(String(4000))
    identifiers_masked: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    cell_x: Mapped[int] = mapped_column(Integer)
    cell_y: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(200))
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    holder: Mapped[str | None] = mapped_column(String(100))
    storage: Mapped[str | None] = mapped_column(String(200))
    photo_path: Mapped[str | None] = mapped_column(String(300))
    contact_phone_enc: Mapped[str | None] = mapped_column(String(400))
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disposal_note: Mapped[str | None] = mapped_column(String(500))


class HelpIdentifier(Base):
    """Keyed hash of one identifier of an item (IMEI, serial, ID number): lookup only."""

    __tablename__ = "help_identifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("help_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(64), index=True)


class HelpClaim(Base):
    """A claim on a found item: how ownership was shown and both sides of the hand-over."""

    __tablename__ = "help_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("help_items.id"), index=True)
    lost_item_id: Mapped[int | None] = mapped_column(ForeignKey("help_items.id"))
    claimant_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    claimant_name_enc: Mapped[str] = mapped_column(String(700))
    claimant_name_masked: Mapped[str] = mapped_column(String(20))
    proof: Mapped[str] = mapped_column(String(12))  # identifier / details
    status: Mapped[str] = mapped_column(String(12))  # verified / handed_over
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    holder_confirmed_by: Mapped[str | None] = mapped_column(String(64))
    holder_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimant_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AtRiskProfile(Base):
    """A person at risk filed ahead by the family (Herbert Protocol): photo, habits, places."""

    __tablename__ = "help_at_risk_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(64))
    age: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1000))
    habits: Mapped[str | None] = mapped_column(String(1000))
    photo_path: Mapped[str | None] = mapped_column(String(300))
    guardian_name_enc: Mapped[str] = mapped_column(String(700))
    guardian_name_masked: Mapped[str] = mapped_column(String(20))
    guardian_phone_enc: Mapped[str] = mapped_column(String(400))
    guardian_phone_masked: Mapped[str] = mapped_column(String(20))
    guardian_id_key: Mapped[str] = mapped_column(String(64))
    guardian_id_masked: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MissingReport(Base):
    """A missing child, elder or visitor, from report to hand-over to a verified guardian."""

    __tablename__ = "help_missing_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)  # open / found / closed
    name: Mapped[str] = mapped_column(String(64))
    age: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1000))
    clothing: Mapped[str | None] = mapped_column(String(500))
    photo_path: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    guardian_name_enc: Mapped[str] = mapped_column(String(700))
    guardian_name_masked: Mapped[str] = mapped_column(String(20))
    guardian_phone_enc: Mapped[str] = mapped_column(String(400))
    guardian_phone_masked: Mapped[str] = mapped_column(String(20))
    guardian_id_key: Mapped[str] = mapped_column(String(64))
    guardian_id_masked: Mapped[str] = mapped_column(String(20))
    reporter_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("help_at_risk_profiles.id"))
    incident_id: Mapped[int | None] = mapped_column(Integer)
    radius_km: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    found_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MissingAlert(Base):
    """One push of a missing-person alert: the radius then and who received it."""

    __tablename__ = "help_missing_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("help_missing_reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    radius_km: Mapped[float] = mapped_column(Float)
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class MissingSighting(Base):
    """Someone saw the person: where, when, what they noticed."""

    __tablename__ = "help_missing_sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("help_missing_reports.id"), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    reported_by: Mapped[str] = mapped_column(String(64))


class FoundPerson(Base):
    """A person found without a guardian (a child at a kiosk), matched to open reports."""

    __tablename__ = "help_found_persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    apparent_age: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1000))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    registered_by: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("help_missing_reports.id"))


class PlateRead(Base):
    """One ANPR plate read from a parking-lot or road camera."""

    __tablename__ = "help_plate_reads"
    __table_args__ = (
        Index("ix_help_plate_reads_key_at", "plate_key", "at"),
        # a camera's redelivered read is the same read: stored once
        UniqueConstraint("camera_id", "plate", "at", name="uq_help_plate_reads_read"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate: Mapped[str] = mapped_column(String(12))
    plate_key: Mapped[str] = mapped_column(String(12))
    camera_id: Mapped[str] = mapped_column(String(40))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    confidence: Mapped[float | None] = mapped_column(Float)
    place: Mapped[str | None] = mapped_column(String(200))


class VehicleOwner(Base):
    """Who may find a car: the plate and the keyed hash of its owner's ID number."""

    __tablename__ = "help_vehicle_owners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate: Mapped[str] = mapped_column(String(12), unique=True)
    owner_id_key: Mapped[str] = mapped_column(String(64))
    owner_id_masked: Mapped[str] = mapped_column(String(20))
    registered_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CarFind(Base):
    """A car location revealed: on what basis, to whom (the article's 'found cars')."""

    __tablename__ = "help_car_finds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate: Mapped[str] = mapped_column(String(12))
    read_id: Mapped[int] = mapped_column(ForeignKey("help_plate_reads.id"))
    basis: Mapped[str] = mapped_column(String(10))  # owner / officer
    reason: Mapped[str | None] = mapped_column(String(500))
    requested_by: Mapped[str] = mapped_column(String(64))
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class TowService(Base):
    """A registered tow / roadside-help company."""

    __tablename__ = "help_tow_services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Breakdown(Base):
    """A broken-down vehicle: request, dispatch to traffic police or a tow service, cleared."""

    __tablename__ = "help_breakdowns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    plate: Mapped[str | None] = mapped_column(String(12))
    vehicle: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(String(500))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    area_code: Mapped[str | None] = mapped_column(String(40), index=True)
    phone_enc: Mapped[str | None] = mapped_column(String(400))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(10))  # police / tow
    tow_service_id: Mapped[int | None] = mapped_column(ForeignKey("help_tow_services.id"))
    incident_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
