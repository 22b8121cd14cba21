"""Account deactivation cannot lock the bureau out: no admin deactivates their own account,
and the last active admin stays active (409 with the reason, nothing changed or audited)."""

from __future__ import annotations

import pytest

from pingan.auth import service
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.errors import Conflict
from tests.conftest import TEST_PASSWORD


def _deactivations(client, accounts) -> int:
    audit = client.get(
        "/api/v1/audit?action=user.deactivate", headers=accounts.headers(Role.AUDITOR)
    )
    return audit.json()["total"]


def _second_admin(client, accounts) -> tuple[int, dict[str, str]]:
    body = {"username": "admin2", "password": TEST_PASSWORD, "role": "admin"}
    r = client.post("/api/v1/users", json=body, headers=accounts.headers(Role.ADMIN))
    assert r.status_code == 201, r.text
    login = client.post(
        "/api/v1/auth/login", json={"username": "admin2", "password": TEST_PASSWORD}
    )
    return r.json()["id"], {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_admin_cannot_deactivate_their_own_account(client, accounts):
    admin = accounts.headers(Role.ADMIN)
    r = client.put(
        f"/api/v1/users/{accounts.ids[Role.ADMIN]}/active", json={"active": False}, headers=admin
    )
    assert r.status_code == 409 and r.json()["code"] == "self_deactivation"
    assert "自己" in r.json()["detail"]
    en = client.put(
        f"/api/v1/users/{accounts.ids[Role.ADMIN]}/active",
        json={"active": False},
        headers={**admin, "Accept-Language": "en"},
    )
    assert "your own account" in en.json()["detail"]
    assert client.get("/api/v1/auth/me", headers=admin).json()["active"] is True
    assert _deactivations(client, accounts) == 0


def test_an_admin_deactivates_another_admin_but_not_the_last_one(client, accounts, db):
    second_id, second = _second_admin(client, accounts)
    first_id = accounts.ids[Role.ADMIN]
    r = client.put(f"/api/v1/users/{first_id}/active", json={"active": False}, headers=second)
    assert r.status_code == 200 and r.json()["active"] is False
    assert _deactivations(client, accounts) == 1
    r = client.put(f"/api/v1/users/{second_id}/active", json={"active": False}, headers=second)
    assert r.status_code == 409 and r.json()["code"] == "self_deactivation"
    with db.session() as session, pytest.raises(Conflict) as refused:  # e.g. a CLI, no user
        service.set_active(session, Actor.system("test"), second_id, False)
    assert refused.value.code == "last_admin" and "最后一个" in refused.value.detail
    with db.session() as session:
        assert session.get(User, second_id).active is True
    assert _deactivations(client, accounts) == 1


def test_deactivating_other_accounts_still_works(client, accounts):
    r = client.put(
        f"/api/v1/users/{accounts.ids[Role.OFFICER]}/active",
        json={"active": False},
        headers=accounts.headers(Role.ADMIN),
    )
    assert r.status_code == 200 and r.json()["active"] is False
