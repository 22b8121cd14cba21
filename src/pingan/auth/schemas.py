"""API shapes for login, registration and user accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from pingan.auth.roles import Role
from pingan.http.inputs import Input

Language = Literal["zh_CN", "en"]


class LoginRequest(Input):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    phone_masked: str | None
    unit_id: int | None
    active: bool
    created_at: datetime
    language: Language | None = None  # answers' language when a request names none


class LanguageChange(Input):
    """The language the server answers this user in when a request names none (null: the
    platform's default, Chinese)."""

    language: Language | None = Field(description="auth.field.language")


class UserSelf(UserPublic):
    """The signed-in account, with what its role may do: the pages offer only what the API
    will answer (a role refused an endpoint never calls it)."""

    permissions: list[str]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserSelf


class RegisterRequest(Input):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    phone: str = Field(max_length=30, description="auth.field.phone")


class UserCreate(Input):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    role: Role
    display_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=30)
    unit_id: int | None = None


class ActiveChange(Input):
    active: bool


class PasswordReset(Input):
    password: str = Field(min_length=1, max_length=200, description="auth.field.new_password")
