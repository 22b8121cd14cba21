"""HTTP adapter for login, logout, self-registration and account management."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from pingan.auth import service, throttle
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.policy import load_policy
from pingan.auth.roles import Role
from pingan.auth.schemas import (
    ActiveChange,
    LanguageChange,
    LoginRequest,
    PasswordReset,
    RegisterRequest,
    TokenResponse,
    UserCreate,
    UserPublic,
    UserSelf,
)
from pingan.http.deps import (
    ClockDep,
    SessionDep,
    SettingsDep,
    VaultDep,
    bearer_token,
    client_ip,
    permit,
    signed_in,
)
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset, Page
from pingan.pii.phone import mask_phone
from pingan.pii.vault import Vault
from pingan.units.schemas import BindingPublic, binding_public
from pingan.units.service import bindings_of_user

router = APIRouter(tags=["auth.tag"])


def to_public(user: User, vault: Vault) -> UserPublic:
    phone = vault.decrypt(user.phone_enc) if user.phone_enc else None
    return UserPublic(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        phone_masked=mask_phone(phone) if phone else None,
        unit_id=user.unit_id,
        active=user.active,
        created_at=user.created_at,
        language=user.language,
    )


def to_self(user: User, vault: Vault) -> UserSelf:
    """The signed-in account with the permissions its role holds (policy.yaml)."""
    role = Role(user.role)
    held = sorted(p for p, roles in load_policy().items() if role in roles)
    return UserSelf(**to_public(user, vault).model_dump(), permissions=held)


@router.post("/auth/login", summary="auth.api.login")
def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    vault: VaultDep,
    clock: ClockDep,
) -> TokenResponse:
    issued = service.login(
        session,
        service.LoginPolicy(
            token_ttl=timedelta(minutes=settings.token_ttl_minutes),
            limits=throttle.LoginLimits.from_settings(settings),
        ),
        username=body.username,
        password=body.password,
        ip=client_ip(request),
        now=clock(),
    )
    return TokenResponse(
        access_token=issued.token, expires_at=issued.expires_at, user=to_self(issued.user, vault)
    )


@router.post("/auth/logout", status_code=204, summary="auth.api.logout")
def logout(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(signed_in)],
    token: Annotated[str, Depends(bearer_token)],
) -> None:
    actor = Actor(user.id, user.username, Role(user.role), client_ip(request))
    service.logout(session, actor, token)


@router.get("/auth/me", summary="auth.api.me")
def me(user: Annotated[User, Depends(signed_in)], vault: VaultDep) -> UserSelf:
    return to_self(user, vault)


@router.put("/auth/me/language", summary="auth.api.set_language")
def set_language(
    body: LanguageChange,
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(signed_in)],
    vault: VaultDep,
) -> UserPublic:
    actor = Actor(user.id, user.username, Role(user.role), client_ip(request))
    return to_public(service.set_language(session, actor, body.language), vault)


@router.post("/auth/register", status_code=201, summary="auth.api.register")
def register(
    body: RegisterRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    vault: VaultDep,
    clock: ClockDep,
) -> UserPublic:
    user = service.register_citizen(
        session,
        vault,
        throttle.RegisterLimits.from_settings(settings),
        username=body.username,
        password=body.password,
        phone=body.phone,
        ip=client_ip(request),
        now=clock(),
    )
    return to_public(user, vault)


@router.get("/users", summary="auth.api.list_users")
def list_users(
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("user.read")],
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UserPublic]:
    rows, total = service.list_users(session, actor, limit=limit, offset=offset)
    return Page[UserPublic](
        items=[to_public(u, vault) for u in rows], total=total, limit=limit, offset=offset
    )


@router.post("/users", status_code=201, summary="auth.api.create_user")
def create_user(
    body: UserCreate,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("user.write")],
) -> UserPublic:
    user = service.create_user(
        session,
        actor,
        vault,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        phone=body.phone,
        unit_id=body.unit_id,
    )
    return to_public(user, vault)


@router.put("/users/{user_id}/active", summary="auth.api.set_active")
def set_active(
    user_id: Id,
    body: ActiveChange,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("user.write")],
) -> UserPublic:
    return to_public(service.set_active(session, actor, user_id, body.active), vault)


@router.put("/users/{user_id}/password", summary="auth.api.reset_password")
def reset_password(
    user_id: Id,
    body: PasswordReset,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("user.write")],
) -> UserPublic:
    """A new initial password under the password policy; the account's sessions end."""
    return to_public(service.reset_password(session, actor, user_id, body.password), vault)


@router.get("/users/{user_id}/bindings", summary="auth.api.user_bindings")
def user_bindings(
    user_id: Id, session: SessionDep, actor: Annotated[Actor, permit("user.read")]
) -> list[BindingPublic]:
    """Bindings not yet ended, newest first (end one at /units/{unit_id}/bindings/{id})."""
    return [binding_public(b, n) for b, n in bindings_of_user(session, user_id)]
