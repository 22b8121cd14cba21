"""API shapes for the e-certificate. ID numbers and names appear masked only, except inside
the holder's own signed credential."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input


class ApplyIn(Input):
    purpose: str = Field(max_length=20)
    purpose_statement: str | None = Field(default=None, max_length=500)
    period_from: date
    period_to: date
    station: str = Field(max_length=100)
    sm2: bool = False  # also an SM2-with-SM3 proof (sm2-jcs-2025)


class DocumentBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    kind: str
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    revoke_reason: str | None = None
    scans: int
    max_scans: int


class DocumentOut(DocumentBrief):
    credential: dict[str, Any]
    qr_payload: str | None
    qr_payload_chars: int | None


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    grounds: str
    filed_at: datetime
    due_on: date
    extended: bool
    status: str
    answer: str | None
    answered_at: datetime | None
    due_estimated: bool = False  # due_on counts Mon–Fri in a year the holiday calendar lacks
    overdue: bool = False  # open past its due date (the desk's lists set it)


class ApplicationOut(BaseModel):
    """`status` issued / not_issued; `reason` a code (record_found), never the record;
    `due_on` the decision's time limit in working days."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    id_masked: str
    purpose: str
    period_from: date
    period_to: date
    station: str
    level: int
    method: str | None
    status: str
    reason: str | None
    submitted_at: datetime
    due_on: date
    decided_at: datetime | None
    due_estimated: bool = False  # due_on counts Mon–Fri in a year the holiday calendar lacks
    documents: list[DocumentBrief] = []
    objections: list[ObjectionOut] = []
    name_masked: str | None = None  # from the documents issued (张*)
    overdue: bool = False  # undecided past due_on, or decided after it


class TimelineEntry(BaseModel):
    """One step of an application as the audit trail holds it (masked values only)."""

    at: datetime
    action: str  # cert.apply, cert.objection, cert.objection_extend, … (audit action codes)
    actor: str
    object_type: str
    object_id: str | None
    detail: dict[str, Any]


class ApplicationDetail(ApplicationOut):
    """An application for the officer's desk: the list's fields and its timeline."""

    timeline: list[TimelineEntry] = []
    scans: int = 0  # online verifications of its documents (each one audited as cert.scan)


class ConsentOut(BaseModel):
    code: str
    expires_at: datetime


class QueryIn(Input):
    id_number: str = Field(max_length=32)
    consent_code: str = Field(max_length=16)
    unit: str = Field(max_length=100)


class ObjectIn(Input):
    grounds: str = Field(max_length=1000)


class AnswerIn(Input):
    upheld: bool
    answer: str = Field(max_length=1000)


class AnswerOut(BaseModel):
    objection: ObjectionOut
    document: DocumentBrief | None


class PinIn(Input):
    pin: str | None = Field(default=None, max_length=8)


class RevokeIn(Input):
    reason: str = Field(max_length=200)


class VerifyIn(Input):
    payload: str | None = Field(default=None, max_length=2000)
    credential: dict[str, Any] | None = None
    pin: str | None = Field(default=None, max_length=8)


class VerifyOut(BaseModel):
    """The masked summary a verifier sees."""

    valid: bool
    kind: str
    number: str
    name_masked: str
    id_masked: str
    result: str | None
    valid_from: datetime
    valid_until: datetime | None
    scans_left: int | None


class ImageVerifyOut(VerifyOut):
    """The summary and the payload read from the photo, so a page can check it offline too."""

    payload: str


class RecordsIn(Input):
    multiline_fields = frozenset({"csv"})

    csv: str = Field(max_length=5_000_000)


class RecordsOut(BaseModel):
    imported: int


class RecordsStatus(BaseModel):
    """The criminal-record table as the desk sees it: counts only, never a record."""

    rows: int
    counting: int  # effective and not sealed: what makes a notice
    imported_at: datetime | None
    imported_by: str | None
