"""Login, tokens, rate limiting, self-registration and account management."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from pingan.auth.models import AuthToken
from pingan.auth.roles import Role
from pingan.db.base import utcnow
from tests.conftest import TEST_PASSWORD


def test_login_issues_a_token_and_logout_revokes_it(client, accounts):
    r = client.post("/api/v1/auth/login", json={"username": "officer1", "password": TEST_PASSWORD})
    assert r.status_code == 200
    token = r.json()["access_token"]
    assert r.json()["user"]["phone_masked"] == "138****8000"
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "token_revoked"


def test_wrong_password_and_unknown_user_look_the_same(client, accounts):
    a = client.post("/api/v1/auth/login", json={"username": "officer1", "password": "nope"})
    b = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_expired_token_is_refused(client, accounts, db):
    with db.engine.begin() as conn:
        conn.execute(update(AuthToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = client.get("/api/v1/incidents", headers=accounts.headers(Role.DISPATCHER))
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


def test_garbage_and_missing_tokens(client):
    assert client.get("/api/v1/incidents").json()["code"] == "missing_token"
    r = client.get("/api/v1/incidents", headers={"Authorization": "Bearer abc"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    r = client.get("/api/v1/incidents", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_repeated_failures_hold_the_source_back_even_with_the_right_password(
    client, accounts, clock
):
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "admin1", "password": "bad"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "admin1", "password": TEST_PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "login_throttled"
    assert int(r.headers["retry-after"]) > 0
    # another account from the same client is not held back
    r = client.post("/api/v1/auth/login", json={"username": "officer1", "password": TEST_PASSWORD})
    assert r.status_code == 200


def test_failed_logins_are_audited(client, accounts):
    client.post("/api/v1/auth/login", json={"username": "admin1", "password": "bad"})
    page = client.get(
        "/api/v1/audit?action=auth.login_failed", headers=accounts.headers(Role.AUDITOR)
    ).json()
    assert page["total"] == 1 and page["items"][0]["actor"] == "admin1"


def test_citizen_can_register_and_gets_only_the_citizen_role(client):
    r = client.post(
        "/api/v1/auth/register",
        json={"username": "tourist", "password": "Kangbashi-2026", "phone": "13700001111"},
    )
    assert r.status_code == 201 and r.json()["role"] == "citizen"
    r = client.post(
        "/api/v1/auth/register",
        json={
            "username": "x2",
            "password": "Kangbashi-2026",
            "phone": "13700001111",
            "role": "admin",
        },
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/auth/register",
        json={"username": "tourist", "password": "Kangbashi-2026", "phone": "13700001111"},
    )
    assert r.status_code == 409
    r = client.post(
        "/api/v1/auth/register",
        json={"username": "weak", "password": "short", "phone": "13700001111"},
    )
    assert r.status_code == 422 and "10" in r.json()["detail"]
    r = client.post(
        "/api/v1/auth/register",
        json={"username": "badphone", "password": "Kangbashi-2026", "phone": "12345"},
    )
    assert r.status_code == 422


def test_admin_creates_and_disables_users(client, accounts):
    admin = accounts.headers(Role.ADMIN)
    r = client.post(
        "/api/v1/users",
        json={
            "username": "newcop",
            "password": "Strong-pass-1",
            "role": "officer",
            "phone": "13600002222",
        },
        headers=admin,
    )
    assert r.status_code == 201
    uid = r.json()["id"]
    users = client.get("/api/v1/users?limit=100", headers=admin).json()
    assert "13600002222" not in str(users) and users["total"] == len(Role) + 1
    login = client.post(
        "/api/v1/auth/login", json={"username": "newcop", "password": "Strong-pass-1"}
    ).json()
    r = client.put(f"/api/v1/users/{uid}/active", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {login['access_token']}"})
    assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "newcop", "password": "Strong-pass-1"})
    assert r.status_code == 401
    r = client.post(
        "/api/v1/users",
        json={"username": "x", "password": "Strong-pass-1", "role": "emperor"},
        headers=admin,
    )
    assert r.status_code == 422
