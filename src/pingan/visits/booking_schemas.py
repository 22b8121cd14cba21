"""API shapes of booking: the slot list, the booking request and the booking as every page
reads it (the contract's shape; people appear by masked name only)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from pingan.http.inputs import Id, Input, Instant


class SlotPublic(BaseModel):
    starts_at: datetime
    ends_at: datetime
    free: int
    terminals: list[int]


class PartyIn(Input):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=15, max_length=18)
    relation: str = Field(max_length=20)


class BookingIn(Input):
    relation_id: Id
    starts_at: Instant | None = None  # lawyers may leave it out: arranged within 48 h
    minutes: int | None = Field(default=None, ge=1, le=600)
    party: list[PartyIn] = Field(default_factory=list, max_length=10)  # companions
    recorded: bool | None = None
    monitored: bool | None = None


class CancelIn(Input):
    reason: str = Field(default="", max_length=200)


class DecideIn(Input):
    decision: Literal["approve", "refuse"]
    reason: str = Field(default="", max_length=200)


class FacilityRef(BaseModel):
    id: int
    code: str
    name: str
    kind: str


class TerminalRef(BaseModel):
    id: int
    code: str
    name: str


class DetaineeRef(BaseModel):
    id: int
    detainee_no: str
    name_masked: str


class VisitorRef(BaseModel):
    id: int
    role: str
    name_masked: str


class PartyPublic(BaseModel):
    name_masked: str
    relation: str
    id_masked: str


class BookingPublic(BaseModel):
    id: int
    booking_no: str
    facility: FacilityRef
    terminal: TerminalRef
    detainee: DetaineeRef
    visitor: VisitorRef
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    party: list[PartyPublic]
    recorded: bool
    monitored: bool
    approval_id: int | None
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None
    can_cancel: bool
