"""Officers and volunteers act only for the units bound to them; dispatchers for any unit.
Bindings are managed over the API and the CLI, and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from typer.testing import CliRunner

from pingan.auth.roles import Role
from pingan.cli import app
from tests.helpers import FOUNTAIN, bind, create_unit, report_fix

UNITS = "/api/v1/units"


def _move(client, accounts, unit_id: int, role: Role):  # type: ignore[no-untyped-def]
    body = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    return client.put(f"{UNITS}/{unit_id}/position", json=body, headers=accounts.headers(role))


def test_officer_moving_an_unbound_unit_is_refused_with_a_reason(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C01")
    r = _move(client, accounts, unit["id"], Role.OFFICER)
    assert r.status_code == 403
    assert r.json()["code"] == "unit_not_bound" and "巡C01" in r.json()["detail"]
    assert client.get(f"{UNITS}/{unit['id']}", headers=accounts.headers(Role.OFFICER)).json()[
        "lon"
    ] is None  # fmt: skip


def test_officer_and_volunteer_move_the_units_bound_to_them(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    car = create_unit(client, cmd, "巡C02")
    blue = create_unit(client, cmd, "蓝C01", kind="volunteer")
    bind(client, accounts, car["id"], Role.OFFICER)
    bind(client, accounts, blue["id"], Role.VOLUNTEER)
    assert _move(client, accounts, car["id"], Role.OFFICER).status_code == 200
    assert _move(client, accounts, blue["id"], Role.VOLUNTEER).status_code == 200
    assert _move(client, accounts, car["id"], Role.VOLUNTEER).status_code == 403  # not theirs


def test_dispatcher_acts_for_any_unit_without_a_binding(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C03")
    assert _move(client, accounts, unit["id"], Role.DISPATCHER).status_code == 200


def test_officer_cannot_change_the_duty_of_an_unbound_unit(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C04")
    officer = accounts.headers(Role.OFFICER)
    duty = f"{UNITS}/{unit['id']}/duty"
    r = client.put(duty, json={"on_duty": False}, headers=officer)
    assert r.status_code == 403 and r.json()["code"] == "unit_not_bound"
    bind(client, accounts, unit["id"])
    assert client.put(duty, json={"on_duty": False}, headers=officer).json()["status"] == "off_duty"


def test_ended_binding_no_longer_lets_the_officer_act_and_both_are_audited(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C05")
    binding = bind(client, accounts, unit["id"])
    assert binding["username"] == "officer1" and binding["valid_until"] is None
    assert _move(client, accounts, unit["id"], Role.OFFICER).status_code == 200
    admin = accounts.headers(Role.ADMIN)
    r = client.delete(f"{UNITS}/{unit['id']}/bindings/{binding['id']}", headers=admin)
    assert r.status_code == 200 and r.json()["valid_until"] is not None
    assert _move(client, accounts, unit["id"], Role.OFFICER).status_code == 403
    again = client.delete(f"{UNITS}/{unit['id']}/bindings/{binding['id']}", headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "binding_ended"
    disp = accounts.headers(Role.DISPATCHER)
    listed = client.get(f"{UNITS}/{unit['id']}/bindings?current=false", headers=disp)
    assert [b["id"] for b in listed.json()] == [binding["id"]]
    assert client.get(f"{UNITS}/{unit['id']}/bindings", headers=disp).json() == []
    auditor = accounts.headers(Role.AUDITOR)
    actions = {
        a["action"] for a in client.get("/api/v1/audit?limit=200", headers=auditor).json()["items"]
    }
    assert {"unit.bind", "unit.unbind"} <= actions


def test_binding_for_a_later_shift_does_not_let_the_officer_act_yet(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C06")
    later = date.today() + timedelta(days=3)
    r = client.post(
        f"{UNITS}/{unit['id']}/bindings",
        json={"user_id": accounts.ids[Role.OFFICER], "shift": "night", "day": later.isoformat()},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 201, r.text
    start = datetime.fromisoformat(r.json()["valid_from"])
    end = datetime.fromisoformat(r.json()["valid_until"])
    assert end - start == timedelta(hours=12) and start > datetime.now(UTC)
    assert _move(client, accounts, unit["id"], Role.OFFICER).status_code == 403


def test_bad_bindings_are_refused_with_reasons(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C07")
    disp = accounts.headers(Role.DISPATCHER)
    url = f"{UNITS}/{unit['id']}/bindings"
    citizen = client.post(url, json={"user_id": accounts.ids[Role.CITIZEN]}, headers=disp)
    assert citizen.status_code == 422 and citizen.json()["code"] == "cannot_bind"
    bind(client, accounts, unit["id"])
    twice = client.post(url, json={"user_id": accounts.ids[Role.OFFICER]}, headers=disp)
    assert twice.status_code == 409 and twice.json()["code"] == "already_bound"
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    ended = client.post(
        url, json={"user_id": accounts.ids[Role.VOLUNTEER], "valid_until": past}, headers=disp
    )
    assert ended.status_code == 422 and ended.json()["code"] == "bad_binding_window"
    shift = client.post(
        url,
        json={"user_id": accounts.ids[Role.VOLUNTEER], "shift": "noon", "day": "2026-08-01"},
        headers=disp,
    )
    assert shift.status_code == 422 and shift.json()["code"] == "bad_shift"
    officer = client.post(
        url, json={"user_id": accounts.ids[Role.VOLUNTEER]}, headers=accounts.headers(Role.OFFICER)
    )
    assert officer.status_code == 403


def test_account_created_for_its_unit_is_bound_to_it(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C08")
    r = client.post(
        "/api/v1/users",
        json={
            "username": "patrol8",
            "password": "Correct-horse-9",
            "role": "officer",
            "unit_id": unit["id"],
        },
        headers=accounts.headers(Role.ADMIN),
    )
    assert r.status_code == 201, r.text
    token = client.post(
        "/api/v1/auth/login", json={"username": "patrol8", "password": "Correct-horse-9"}
    ).json()["access_token"]
    fix = report_fix(client, {"Authorization": f"Bearer {token}"}, unit["id"], FOUNTAIN)
    assert fix["lon"] == FOUNTAIN[0]


def test_position_fix_from_the_future_is_refused(client, accounts):
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡C09")
    later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    r = client.put(
        f"{UNITS}/{unit['id']}/position",
        json={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1], "at": later},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 422 and r.json()["code"] == "future_time"


def test_cli_binds_lists_and_unbinds_as_a_named_user(tmp_path, monkeypatch):
    """On the data directory's SQLite store, as `pingan` runs by default."""
    from pingan.auth import service as auth_service
    from pingan.auth.actor import Actor
    from pingan.config import Settings
    from pingan.store import open_store
    from pingan.units import service as units

    monkeypatch.setenv("PINGAN_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.delenv("PINGAN_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    store, vault = open_store(Settings())  # the data directory's key, as the CLI opens it
    with store.session() as session:
        system = Actor.system("test")
        for name, role in (("chief", Role.COMMANDER), ("patrol", Role.OFFICER)):
            auth_service.create_user(
                session, system, vault, username=name, password="Correct-horse-9", role=role
            )
        units.create_unit(session, system, call_sign="步09", kind="foot_patrol")
    store.dispose()
    r = runner.invoke(app, ["unit", "bind", "步09", "patrol", "--by", "chief"])
    assert r.exit_code == 0 and "patrol" in r.output, r.output
    r = runner.invoke(app, ["unit", "bind", "步09", "patrol", "--by", "patrol"])
    assert r.exit_code == 2  # an officer may not bind
    r = runner.invoke(app, ["unit", "bindings", "步09"])
    assert r.exit_code == 0 and "patrol" in r.output
    r = runner.invoke(app, ["unit", "unbind", "步09", "patrol", "--by", "chief"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["unit", "bindings", "步09"])
    assert "步09" in r.output and ": 0" in r.output
