"""API shapes of the early warnings. People appear by masked phone only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input, Instant


class NumberIn(Input):
    number: str = Field(max_length=40)
    fraud_type: str | None = Field(default=None, max_length=30)


class NumberPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    fraud_type: str | None
    source: str
    case_id: int | None
    added_by: str
    added_at: datetime


class NumberPage(BaseModel):
    items: list[NumberPublic]
    total: int


class CsvIn(Input):
    multiline_fields = frozenset({"csv"})

    csv: str = Field(max_length=5_000_000)


class NumbersImportOut(BaseModel):
    rows: int
    added: int
    known: int


class FeedIn(Input):
    """The operator's feed: a CSV text, or the JSON items (one of the two)."""

    multiline_fields = frozenset({"csv"})

    csv: str | None = Field(default=None, max_length=5_000_000)
    items: list[Any] | None = Field(default=None, max_length=50_000)


class FeedOut(BaseModel):
    rows: int
    stored: int
    unknown_numbers: int
    duplicates: int
    created: list[str]
    upgraded: list[str]
    updated: list[str]


class Reason(BaseModel):
    code: str
    text: str


class WarningPublic(BaseModel):
    id: int
    warning_no: str
    person_phone_masked: str
    grade: str
    reasons: list[Reason]
    numbers: list[str]
    fraud_type: str | None
    case_id: int | None
    status: str
    assigned_to: str | None
    assigned_at: datetime | None
    due_at: datetime | None
    overdue: bool
    outcome: str | None
    outcome_note: str | None
    contacted_at: datetime | None
    attempts: int  # unreachable attempts so far
    closed_at: datetime | None
    created_at: datetime


class WarningPage(BaseModel):
    items: list[WarningPublic]
    total: int
    now: datetime  # the server's time: pages count down to each due time from it


class AssignIn(Input):
    officer: str = Field(min_length=1, max_length=64)


class OutcomeIn(Input):
    outcome: Literal["dissuaded", "unreachable", "refused", "already_lost", "false_alarm"]
    note: str = Field(min_length=1, max_length=500)
    contacted_at: Instant


class PhoneOut(BaseModel):
    warning_no: str
    phone: str
