"""Account management from the admin pages: a password reset under the password policy that
ends the account's sessions, the units an account crews, and what the signed-in role may do."""

from __future__ import annotations

import pytest

from pingan.auth.policy import role_may
from pingan.auth.roles import Role
from tests.conftest import TEST_PASSWORD
from tests.helpers import bind, create_unit

NEW_PASSWORD = "Fresh-start-42"


def _login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _resets(client, accounts) -> list[dict]:
    r = client.get(
        "/api/v1/audit?action=user.password_reset", headers=accounts.headers(Role.AUDITOR)
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_admin_resets_a_password_old_one_and_old_sessions_refused(client, accounts):
    officer_id = accounts.ids[Role.OFFICER]
    old_session = accounts.headers(Role.OFFICER)
    assert client.get("/api/v1/auth/me", headers=old_session).status_code == 200
    r = client.put(
        f"/api/v1/users/{officer_id}/password",
        json={"password": NEW_PASSWORD},
        headers=accounts.headers(Role.ADMIN),
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == officer_id and "password" not in r.text.lower()
    assert client.get("/api/v1/auth/me", headers=old_session).json()["code"] == "token_revoked"
    assert _login(client, "officer1", TEST_PASSWORD).status_code == 401
    assert _login(client, "officer1", NEW_PASSWORD).status_code == 200
    (entry,) = _resets(client, accounts)
    assert entry["actor"] == "admin1" and entry["object_id"] == str(officer_id)
    assert entry["detail"]["sessions_revoked"] == 1
    assert NEW_PASSWORD not in str(entry)


def test_a_weak_password_is_refused_and_nothing_changes(client, accounts):
    r = client.put(
        f"/api/v1/users/{accounts.ids[Role.OFFICER]}/password",
        json={"password": "short"},
        headers=accounts.headers(Role.ADMIN),
    )
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    assert "密码" in r.json()["detail"]
    assert _login(client, "officer1", TEST_PASSWORD).status_code == 200
    assert client.get("/api/v1/auth/me", headers=accounts.headers(Role.OFFICER)).status_code == 200
    assert _resets(client, accounts) == []


def test_reset_of_an_unknown_account_is_404(client, accounts):
    r = client.put(
        "/api/v1/users/999999/password",
        json={"password": NEW_PASSWORD},
        headers=accounts.headers(Role.ADMIN),
    )
    assert r.status_code == 404 and r.json()["code"] == "user_not_found"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_reset_passwords(client, accounts, role):
    r = client.put(
        f"/api/v1/users/{accounts.ids[Role.CITIZEN]}/password",
        json={"password": NEW_PASSWORD},
        headers=accounts.headers(role),
    )
    assert r.status_code == 403
    assert _login(client, "citizen1", TEST_PASSWORD).status_code == 200
    assert _resets(client, accounts) == []


def test_create_user_errors_name_the_field(client, accounts):
    admin = accounts.headers(Role.ADMIN)
    body = {"username": "new-officer", "password": "weak", "role": "officer"}
    r = client.post("/api/v1/users", json=body, headers=admin)
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = client.post("/api/v1/users", json={**body, "password": NEW_PASSWORD, "phone": "12"},
                    headers=admin)  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "bad_phone"
    r = client.post("/api/v1/users", json={**body, "username": "two words",
                    "password": NEW_PASSWORD}, headers=admin)  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "bad_username"


def test_user_bindings_list_the_units_an_account_crews(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    car = create_unit(client, cmd, "巡A01")
    other = create_unit(client, cmd, "巡A02")
    bind(client, accounts, car["id"], Role.OFFICER)
    binding = bind(client, accounts, other["id"], Role.OFFICER)
    url = f"/api/v1/users/{accounts.ids[Role.OFFICER]}/bindings"
    rows = client.get(url, headers=accounts.headers(Role.ADMIN)).json()
    assert {b["unit_id"] for b in rows} == {car["id"], other["id"]}
    assert {b["username"] for b in rows} == {"officer1"}
    admin = accounts.headers(Role.ADMIN)
    r = client.delete(f"/api/v1/units/{other['id']}/bindings/{binding['id']}", headers=admin)
    assert r.status_code == 200
    rows = client.get(url, headers=admin).json()
    assert [b["unit_id"] for b in rows] == [car["id"]]
    assert client.get(url, headers=accounts.headers(Role.DISPATCHER)).status_code == 403
    assert client.get("/api/v1/users/999999/bindings", headers=admin).status_code == 404


def test_admin_sees_the_units_it_registers(client, accounts):
    admin = accounts.headers(Role.ADMIN)
    unit = create_unit(client, admin, "巡A03")
    r = client.get("/api/v1/units?limit=500", headers=admin)
    assert r.status_code == 200 and unit["id"] in {u["id"] for u in r.json()["items"]}
    assert client.get(f"/api/v1/units/{unit['id']}/bindings", headers=admin).json() == []


@pytest.mark.parametrize("role", list(Role))
def test_me_says_what_the_role_may_do(client, accounts, role):
    me = client.get("/api/v1/auth/me", headers=accounts.headers(role)).json()
    assert me["role"] == role.value
    assert ("video.read" in me["permissions"]) == role_may(role, "video.read")
    assert ("user.write" in me["permissions"]) == (role is Role.ADMIN)
    login = _login(client, f"{role.value}1", TEST_PASSWORD).json()
    assert login["user"]["permissions"] == me["permissions"]
