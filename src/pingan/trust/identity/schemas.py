"""API shapes for identity assurance. Lists show masked ID numbers and names only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pingan.http.inputs import Id, Input


class VerifyIn(Input):
    """L1: `id_name` with id_number and name. L2: `face` with the provider's image_ref, or
    `otp` — without `code` a code is sent to the register's phone, with `code` it is
    checked."""

    method: Literal["id_name", "face", "otp"] = "id_name"
    id_number: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=50)
    image_ref: str | None = Field(
        default=None, max_length=200, description="trust.identity.field.image_ref"
    )
    code: str | None = Field(default=None, max_length=12)


class InPersonIn(Input):
    """An officer saw the person and their resident ID card; their account, if any, by
    user_id or by username (one of them)."""

    id_number: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=50)
    user_id: Id | None = None
    username: str | None = Field(default=None, max_length=64)


class RegisterImportIn(Input):
    multiline_fields = frozenset({"csv"})

    csv: str = Field(max_length=5_000_000, description="trust.identity.field.register_csv")


class VerificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None
    id_masked: str
    name_masked: str
    level: int
    method: str
    provider: str | None
    provider_ref: str | None
    score: float | None
    officer_username: str | None
    verified_at: datetime
    expires_at: datetime


class VerifyOut(BaseModel):
    """The level the account holds after the call; for `otp` without a code, where the code
    went instead (masked) and until when it works."""

    level: int
    level_name: str
    verification: VerificationPublic | None = None
    otp_sent_to: str | None = None
    otp_expires_at: datetime | None = None


class AssurancePublic(BaseModel):
    level: int
    level_name: str
    verification_id: int | None
    method: str | None
    id_masked: str | None
    verified_at: datetime | None
    expires_at: datetime | None


class MethodsOut(BaseModel):
    """Which ways to L2 this deployment offers, for a page to show only those: `face` the
    configured face provider's name (`none`: no face check), `otp` whether one-time codes
    can be sent, `sms_sender` the sender's name (`outbox`: the demo's file)."""

    face: str
    otp: bool
    sms_sender: str


class RegisterPersonPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    id_masked: str
    name_masked: str
    birth_date: date
    address_code: str
    status: str
    phone_masked: str | None
    updated_at: datetime


class ImportResult(BaseModel):
    added: int
    updated: int
