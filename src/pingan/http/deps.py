"""FastAPI dependencies: the request's store session, the caller, and permission checks.

A GET (or HEAD) request gets a read-only session, so reads neither wait for nor block
writers; an endpoint marked `@audited_read` writes the audit record of what it shows and
gets a write session like every other method.

Every endpoint that needs a login takes `Annotated[Actor, Permit("perm.name")]`; the
permission names live in auth/policy.yaml, and the permission-matrix test reads them back
from the routes, so what is declared is exactly what is enforced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, TypeVar

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
from pingan.i18n import msg, negotiate, set_lang
from pingan.pii.vault import Vault

_bearer = HTTPBearer(auto_error=False, description="http.field.bearer_token")
READ_METHODS = frozenset({"GET", "HEAD"})
_AUDITED_READ = "__pingan_audited_read__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., object])


def audited_read(endpoint: Endpoint) -> Endpoint:
    """Mark a GET endpoint that records an audit entry for what it shows (unmasked personal
    data): its request gets a write session, not a read-only one."""
    setattr(endpoint, _AUDITED_READ, True)
    return endpoint


def is_read_only(request: Request) -> bool:
    """Whether the request's session is read-only: GET or HEAD, not an audited read."""
    endpoint = request.scope.get("endpoint")
    return request.method in READ_METHODS and not getattr(endpoint, _AUDITED_READ, False)


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: read-only for a plain GET. Either way it closes as soon as the
    endpoint's answer is ready (scope="function"), not after the answer has been sent, so a
    write transaction never spans the network."""
    read_only = is_read_only(request)
    db = request.app.state.db
    with db.session(read_only=read_only) as session:
        yield session


def get_vault(request: Request) -> Vault:
    return request.app.state.vault


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_city(request: Request) -> City:
    return request.app.state.city.get()


def get_pools(request: Request) -> PoolCache:
    return request.app.state.pools


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
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
            msg("http.missing_token"),
            code="missing_token",
        )
    return credentials.credentials


def current_user(
    request: Request, session: SessionDep, token: Annotated[str, Depends(bearer_token)]
) -> User:
    """The caller, looked up in the request's session; but where a write transaction locks
    the store as it begins (SQLite), a write request looks it up in a read-only session of
    its own, closed here, so the write lock is taken in the endpoint, not from here on
    across the steps between."""
    db = request.app.state.db
    if is_read_only(request) or not db.write_locks_at_begin:
        return auth_service.user_for_token(session, token)
    with db.session(read_only=True) as own:
        return auth_service.user_for_token(own, token)


async def signed_in(request: Request, user: Annotated[User, Depends(current_user)]) -> User:
    """The caller; a request that names no language (no Accept-Language we have) is answered
    in the user's chosen one. Async, so the choice is made in the request's own context (the
    endpoint and the error handlers see it), not in a worker thread's copy."""
    if user.language and negotiate(request.headers.get("accept-language")) is None:
        set_lang(user.language)
    return user


class Permit:
    """Dependency that admits only the roles policy.yaml lists for one permission."""

    def __init__(self, permission: str) -> None:
        self.permission = permission
        self.roles = allowed_roles(permission)  # fails at import for an undeclared name

    # async: no I/O here, so this step needs no worker thread
    async def __call__(self, request: Request, user: Annotated[User, Depends(signed_in)]) -> Actor:
        role = Role(user.role)
        if role not in self.roles:
            raise Forbidden(
                msg("http.role_not_permitted", role=role.value, permission=self.permission)
            )
        return Actor(user_id=user.id, username=user.username, role=role, ip=client_ip(request))

    def __repr__(self) -> str:
        return f"Permit({self.permission!r})"


def permit(permission: str) -> object:
    """`actor: Annotated[Actor, permit("incident.read")]` in an endpoint's signature."""
    return Depends(Permit(permission))
