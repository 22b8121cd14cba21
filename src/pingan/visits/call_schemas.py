"""API shapes of the call: admission, session with events, warning, ending, recordings.
People appear by masked name only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Input


class AdmitIn(Input):
    """Which side the caller joins as; left out: its role's (citizen/lawyer: visitor,
    officer: terminal, commander: monitor)."""

    side: Literal["visitor", "terminal", "monitor"] | None = None


class Admission(BaseModel):
    session_id: int
    room: str
    side: str
    token: str  # for the signalling socket only, valid `token_ttl_s`
    token_ttl_s: int
    socket_path: str
    ice_servers: list[dict[str, Any]]
    booking_id: int
    booking_no: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    recorded: bool
    monitored: bool
    visitor_name: str  # masked
    detainee_name: str  # masked
    facility_name: str
    terminal_name: str
    party: list[dict[str, Any]]


class EndIn(Input):
    reason: Literal["officer_ended", "violation", "completed", "left"]
    note: str | None = Field(default=None, max_length=200)


class WarnIn(Input):
    note: str = Field(min_length=1, max_length=200)


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    side: str | None
    detail: dict[str, Any]


class SessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    booking_id: int
    status: str
    opened_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    events: list[EventPublic] = []


class RecordingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    media_type: str
    size_bytes: int
    sha256: str
    sm3: str
    signature: dict[str, Any]
    created_at: datetime
    retain_until: datetime
    purged_at: datetime | None


class RecordingCheck(BaseModel):
    ok: bool
    signature_ok: bool
    signature_reason: str | None
    sha256_ok: bool | None
    sm3_ok: bool | None
    file: Literal["present", "missing", "purged"]
