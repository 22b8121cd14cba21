"""API shapes of the visits registry. People appear by masked name and ID number only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Id, Input, Instant

Hours = dict[str, list[list[str]]]  # {"0": [["09:00", "11:30"], …]}, 0 = Monday


class TerminalIn(Input):
    code: str = Field(max_length=30)
    name: str = Field(max_length=100)
    use: Literal["lawyer", "family", "any"] = "any"
    active: bool = True


class FacilityIn(Input):
    code: str = Field(max_length=30)
    name: str = Field(max_length=100)
    kind: Literal["detention_centre", "admin_detention_centre", "rehab_centre"]
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)
    hours: Hours = Field(default_factory=dict)
    slot_minutes: int = Field(default=30, ge=5, le=240)
    terminals: list[TerminalIn] = Field(default_factory=list, max_length=100)


class FacilityChange(Input):
    name: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    hours: Hours | None = None
    slot_minutes: int | None = Field(default=None, ge=5, le=240)
    active: bool | None = None


class TerminalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    use: str
    active: bool


class FacilityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    address: str
    phone: str
    hours: Hours
    slot_minutes: int
    active: bool
    terminals: list[TerminalPublic] = []


class DetaineeIn(Input):
    detainee_no: str = Field(max_length=30)
    facility_id: Id
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18)
    stage: str = Field(max_length=30)
    case_authority: str = Field(max_length=100)
    case_no: str = Field(default="", max_length=40)
    charge: str = Field(default="", max_length=100)
    restrictions: list[str] = Field(default_factory=list, max_length=10)
    held_since: Instant
    held_until: Instant | None = None


class DetaineeChange(Input):
    status: Literal["held", "released", "transferred"] | None = None
    stage: str | None = Field(default=None, max_length=30)
    restrictions: list[str] | None = Field(default=None, max_length=10)
    case_authority: str | None = Field(default=None, max_length=100)
    case_no: str | None = Field(default=None, max_length=40)
    charge: str | None = Field(default=None, max_length=100)
    held_until: Instant | None = None


class DetaineePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    detainee_no: str
    facility_id: int
    name_masked: str
    id_masked: str
    status: str
    stage: str
    case_authority: str
    case_no: str
    charge: str
    restrictions: list[str]
    held_since: datetime
    held_until: datetime | None
    released_at: datetime | None
    created_at: datetime


class VisitorIn(Input):
    role: Literal["family", "lawyer"]
    phone: str | None = Field(default=None, max_length=30)
    licence_no: str | None = Field(default=None, max_length=40)
    organisation: str | None = Field(default=None, max_length=100)


class ConsularIn(Input):
    user_id: Id
    name: str = Field(max_length=50)
    document_no: str = Field(max_length=40)
    organisation: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=30)


class VisitorPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    role: str
    name_masked: str
    id_masked: str
    phone_masked: str | None
    licence_no: str | None
    organisation: str | None
    status: str
    suspended_until: datetime | None
    suspended_reason: str | None
    created_at: datetime


class ReasonIn(Input):
    reason: str = Field(min_length=1, max_length=200)


class RelationIn(Input):
    detainee_no: str = Field(max_length=30)
    detainee_name: str = Field(max_length=50)
    relation: str = Field(max_length=20)
    proof_kind: str = Field(max_length=30)
    proof_b64: str = Field(max_length=7_000_000)  # the rules' 5 MiB, base64
    role: Literal["family", "lawyer", "consular"] | None = None  # which of the caller's records


class ReviewIn(Input):
    decision: Literal["accept", "refuse"]
    reason: str | None = Field(default=None, max_length=200)


class VisitorBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    name_masked: str
    organisation: str | None
    licence_no: str | None


class DetaineeBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    detainee_no: str
    name_masked: str
    facility_id: int
    status: str


class RelationPublic(BaseModel):
    id: int
    visitor: VisitorBrief
    detainee: DetaineeBrief
    relation: str
    proof_kind: str
    proof_sha256: str
    status: str
    reviewed_at: datetime | None
    review_reason: str | None
    created_at: datetime


class ApprovalIn(Input):
    detainee_id: Id
    visitor_id: Id | None = None
    authority: str = Field(max_length=100)
    document_no: str = Field(max_length=60)
    valid_from: Instant
    valid_until: Instant


class ApprovalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    detainee_id: int
    visitor_id: int | None
    authority: str
    document_no: str
    valid_from: datetime
    valid_until: datetime
    recorded_by: int
    revoked_at: datetime | None
    created_at: datetime
    state: str = ""  # valid / not_yet / expired / revoked, now


class ImportResult(BaseModel):
    added: int
    updated: int
