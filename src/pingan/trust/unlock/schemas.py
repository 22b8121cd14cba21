"""API shapes for the unlock service. Requesters appear by masked ID number only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Id, Input


class LocksmithIn(Input):
    filing_number: str = Field(max_length=40)
    company: str = Field(max_length=100)
    certification: str = Field(max_length=100)
    name: str = Field(max_length=50)
    user_id: Id
    unit_id: Id
    clean_record_checked: bool


class LocksmithStatusIn(Input):
    status: Literal["active", "suspended"]
    reason: str = Field(max_length=200)


class LocksmithPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filing_number: str
    company: str
    certification: str
    name_masked: str
    user_id: int
    unit_id: int
    status: str
    status_reason: str | None
    clean_record_checked_by: str
    clean_record_checked_at: datetime
    filed_at: datetime
    username: str | None = None  # the filed account and unit by name, for the station's list
    call_sign: str | None = None


class EntitlementImportIn(Input):
    multiline_fields = frozenset({"csv"})

    csv: str = Field(max_length=5_000_000)


class ImportResult(BaseModel):
    imported: int


class RequestIn(Input):
    lock_type: str = Field(max_length=20)
    target: str = Field(max_length=40)
    lon: float
    lat: float
    address: str | None = Field(default=None, max_length=200)


class WitnessIn(Input):
    kind: str = Field(max_length=30)


class PointIn(Input):
    lon: float
    lat: float


class OverrideIn(PointIn):
    reason: str = Field(max_length=200)


class PhotoIn(Input):
    stage: Literal["before", "after"]
    photo_b64: str = Field(max_length=900_000)


class RecordIn(Input):
    method: Literal["technical", "destructive"]
    fee_fen: int = Field(ge=0, le=10_000_000)


class RequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    id_masked: str
    level: int
    lock_type: str
    target: str
    address: str | None
    lon: float
    lat: float
    entitlement_kind: str | None
    flags: list[str]
    witness_required: bool
    witness_kind: str | None
    witness_username: str | None
    locksmith_id: int | None
    eta_s: float | None
    dispatched_at: datetime | None
    accepted_at: datetime | None
    checkin: dict[str, Any] | None
    photos: list[dict[str, str]]
    notified_110: bool
    created_at: datetime


class RecordPublic(BaseModel):
    request_id: int
    record_sha256: str
    parties: list[str]
    signed: list[str]
    filed_at: datetime | None
    retain_until: datetime | None
    document: dict[str, Any] | None  # the filed document (JCS form when re-serialised)


class LocksmithBrief(BaseModel):
    """Who was sent, as the requester and the witness see them: the filing, a masked name."""

    model_config = ConfigDict(from_attributes=True)

    filing_number: str
    company: str
    name_masked: str


class Progress(BaseModel):
    """What the requester's and the witness's pages follow beside the request itself."""

    locksmith: LocksmithBrief | None = None
    record: dict[str, Any] | None = None  # the drafted record (masked data only), once drafted
    signed: list[str] = []
    filed_at: datetime | None = None
    retain_until: datetime | None = None


class MyRequestPublic(RequestPublic, Progress):
    """One of the caller's own requests with its progress (`GET /requests/mine`)."""


class WitnessRequestPublic(Progress):
    """A request as a witness sees it: where and what, the requester by masked ID number."""

    id: int
    status: str
    id_masked: str
    lock_type: str
    target: str
    address: str | None
    lon: float
    lat: float
    flags: list[str]
    witness_kind: str | None
    checkin: dict[str, Any] | None
    created_at: datetime
    distance_m: float | None = None  # from the unit the caller crews now, when one


class WitnessList(BaseModel):
    waiting: list[WitnessRequestPublic]  # no witness yet, nearest first
    mine: list[WitnessRequestPublic]  # those the caller attends


class LocksmithUnit(BaseModel):
    """The filed unit as the locksmith's phone needs it: whether this account crews it now,
    and its last fix (the check-in is compared with it)."""

    id: int
    call_sign: str
    status: str
    bound: bool
    lon: float | None
    lat: float | None
    position_at: datetime | None


class LocksmithMe(BaseModel):
    filing: LocksmithPublic | None
    unit: LocksmithUnit | None = None
    jobs: list[RequestPublic]


class FilingAccount(BaseModel):
    id: int
    username: str


class FilingUnit(BaseModel):
    id: int
    call_sign: str


class FilingCandidates(BaseModel):
    """What a new filing may bind: locksmith accounts and locksmith units not filed yet."""

    accounts: list[FilingAccount]
    units: list[FilingUnit]


class VerifyIn(Input):
    document: dict[str, Any]


class VerifyOut(BaseModel):
    ok: bool
    reason: str | None
    where: str | None
