"""FastAPI dependencies: the request's store session, the caller, and permission checks.

Every endpoint that needs a login takes `Annotated[Actor, Permit("perm.name")]`; the
permission names live in auth/policy.yaml, and the permission-matrix test reads them back
from the routes, so what is declared is exactly what is enforced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.policy import allowed_roles
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.dispatch.service import PoolCache
from pingan.errors import Forbidden, Unauthorized
from pingan.geo.city import City
from pingan.http.source import source_address
from pingan.pii.vault import Vault

_bearer = HTTPBearer(auto_error=False, description="登录后获得的令牌 / token from /auth/login")


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


def get_vault(request: Request) -> Vault:
    return request.app.state.vault


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_city(request: Request) -> City:
    return request.app.state.city.get()


def get_pools(request: Request) -> PoolCache:
    return request.app.state.pools


SessionDep = Annotated[Session, Depends(get_session)]
CityDep = Annotated[City, Depends(get_city)]
PoolsDep = Annotated[PoolCache, Depends(get_pools)]
VaultDep = Annotated[Vault, Depends(get_vault)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def client_ip(request: Request) -> str:
    """The caller's address for throttles and audit (X-Forwarded-For only via our proxies)."""
    peer = request.client.host if request.client else "unknown"
    proxies = request.app.state.settings.trusted_proxy_networks
    if not proxies:
        return peer
    return source_address(peer, request.headers.getlist("x-forwarded-for"), proxies)


def get_clock(request: Request) -> Callable[[], datetime]:
    """The app's clock (tests pin it); throttles and token lifetimes read time from here."""
    return request.app.state.clock


ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]


def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "需要登录：缺少 Bearer 令牌 / login required: missing bearer token",
            code="missing_token",
        )
    return credentials.credentials


def current_user(session: SessionDep, token: Annotated[str, Depends(bearer_token)]) -> User:
    return auth_service.user_for_token(session, token)


class Permit:
    """Dependency that admits only the roles policy.yaml lists for one permission."""

    def __init__(self, permission: str) -> None:
        self.permission = permission
        self.roles = allowed_roles(permission)  # fails at import for an undeclared name

    # async: no I/O here, and on SQLite the login check's transaction (BEGIN IMMEDIATE) is held
    # from current_user on, so this step must not wait for a free worker thread
    async def __call__(
        self, request: Request, user: Annotated[User, Depends(current_user)]
    ) -> Actor:
        role = Role(user.role)
        if role not in self.roles:
            raise Forbidden(
                f"角色「{role.value}」无权访问此功能（需要 {self.permission}）/ "
                f"role {role.value} may not use this ({self.permission})"
            )
        return Actor(user_id=user.id, username=user.username, role=role, ip=client_ip(request))

    def __repr__(self) -> str:
        return f"Permit({self.permission!r})"


def permit(permission: str) -> object:
    """`actor: Annotated[Actor, permit("incident.read")]` in an endpoint's signature."""
    return Depends(Permit(permission))
