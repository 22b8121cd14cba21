"""Every role against every endpoint, generated from the routes and policy.yaml.

The expected answer for each cell comes from the permission each route declares (its
Permit dependency) and the roles policy.yaml grants it — nothing here is hand-picked.
"""

from __future__ import annotations

import re

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from pingan.api import API_PREFIX, DOMAIN_ROUTERS
from pingan.auth.policy import allowed_roles, load_policy
from pingan.auth.roles import Role
from pingan.http.deps import Permit, current_user

PUBLIC = {
    ("POST", "/auth/login"),
    ("POST", "/auth/register"),
    ("GET", "/trust/keys"),
    ("GET", "/trust/certificates/status/{list_id}"),
    ("GET", "/trust/certificates/verify"),
    ("POST", "/trust/certificates/verify"),
    ("POST", "/trust/certificates/verify/image"),
}
# Any signed-in role, for themself; logout is checked on its own because it revokes the
# caller's token.
AUTHENTICATED_ONLY = {
    ("GET", "/auth/me"),
    ("POST", "/auth/logout"),
    ("PUT", "/auth/me/language"),
    ("GET", "/visits/facilities"),  # where visits can be made: any signed-in role
}


def _permission(dependant: Dependant) -> str | None:
    for dep in dependant.dependencies:
        if isinstance(dep.call, Permit):
            return dep.call.permission
        found = _permission(dep)
        if found:
            return found
    return None


def _needs_login(dependant: Dependant) -> bool:
    return any(d.call is current_user or _needs_login(d) for d in dependant.dependencies)


def _routes() -> list[tuple[str, str, str | None, bool]]:
    out = []
    for router in DOMAIN_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods):
                out.append(
                    (
                        method,
                        route.path,
                        _permission(route.dependant),
                        _needs_login(route.dependant),
                    )
                )
    return out


ROUTES = _routes()
GUARDED = [(m, p, perm) for m, p, perm, _ in ROUTES if perm]


def _url(path: str) -> str:
    return API_PREFIX + re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_is_declared():
    for method, path, perm, needs_login in ROUTES:
        key = (method, path)
        if key in PUBLIC:
            assert perm is None and not needs_login, key
        elif key in AUTHENTICATED_ONLY:
            assert needs_login, key
        else:
            assert perm is not None, f"{method} {path} declares no permission"


def test_openapi_lists_no_route_outside_the_matrix(client):
    spec = client.get("/api/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    enumerated = {(m, API_PREFIX + p) for m, p, _, _ in ROUTES} | {("GET", "/healthz")}
    assert documented == enumerated


def test_every_policy_permission_is_used_by_some_route():
    used = {perm for _, _, perm in GUARDED}
    unused = set(load_policy()) - used
    # incident.read_pii is also used; anything else unused is a stale policy entry.
    assert not unused, f"policy.yaml entries no route uses: {unused}"


@pytest.mark.parametrize(("method", "path", "perm"), GUARDED, ids=lambda v: str(v))
def test_role_matrix(client, accounts, method, path, perm):
    url = _url(path)
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    anonymous = client.request(method, url, **kwargs)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["www-authenticate"] == "Bearer"
    allowed = allowed_roles(perm)
    for role in Role:
        r = client.request(method, url, headers=accounts.headers(role), **kwargs)
        if role in allowed:
            assert r.status_code not in (401, 403), f"{role} refused on {method} {url}: {r.text}"
        else:
            assert r.status_code == 403, f"{role} let through on {method} {url}: {r.status_code}"
            assert r.json()["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), sorted(AUTHENTICATED_ONLY))
def test_authenticated_only_routes_refuse_anonymous(client, method, path):
    assert client.request(method, API_PREFIX + path).status_code == 401


def test_me_works_for_every_role(client, accounts):
    for role in Role:
        r = client.get(API_PREFIX + "/auth/me", headers=accounts.headers(role))
        assert r.status_code == 200 and r.json()["role"] == role.value
