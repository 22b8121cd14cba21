"""A demo's sample incidents (scripted arrival times) are listed as samples and change no KPI:
a store with them reports the same response figures and demand as one without them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pingan import store
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db import migrate
from pingan.demo import _sample_incidents
from pingan.deployment.service import past_incidents
from pingan.incidents.models import Incident
from pingan.units import service as units
from tests.helpers import FOUNTAIN, bind, create_incident, create_unit, report_fix


def _real_call(client, accounts, received: datetime) -> int:  # type: ignore[no-untyped-def]
    """A call a unit reached in 200 s, its arrival confirmed by its fix at the scene."""
    disp, officer = accounts.headers(Role.DISPATCHER), accounts.headers(Role.OFFICER)
    inc = create_incident(client, disp, type="theft", received_at=received.isoformat())
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡K1")
    bind(client, accounts, unit["id"])
    base = f"/api/v1/incidents/{inc['id']}"
    at = (received + timedelta(seconds=5)).isoformat()
    sent = client.post(f"{base}/dispatch", json={"unit_ids": [unit["id"]], "at": at}, headers=disp)
    assert sent.is_success, sent.text
    arrived = received + timedelta(seconds=200)
    report_fix(client, officer, unit["id"], FOUNTAIN, arrived)
    r = client.post(
        f"{base}/units/{unit['id']}/on-scene", json={"at": arrived.isoformat()}, headers=officer
    )
    assert r.status_code == 200 and r.json()["arrival_check"] == "verified", r.text
    return inc["id"]


def _kpis(client, accounts, since: datetime) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    r = client.get(
        "/api/v1/reports/response",
        params={"since": since.isoformat(), "by": "type"},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert r.status_code == 200, r.text
    return r.json()["rows"]


def test_sample_incidents_are_listed_as_samples_and_change_no_kpi(client, accounts, db, vault):
    now = datetime.now(UTC)
    since = now - timedelta(hours=2)
    real = _real_call(client, accounts, now - timedelta(minutes=30))
    without = _kpis(client, accounts, since)
    with db.session() as session:
        demand = len(past_incidents(session, now + timedelta(minutes=1), 1))

    demo = Actor.system("demo")
    with db.session() as session:
        ids = {
            sign: units.create_unit(
                session, demo, call_sign=sign, kind=kind, area_code="music_fountain", post=FOUNTAIN
            ).id
            for sign, kind in (("步01", "foot_patrol"), ("巡A02", "patrol_car"))
        }
        _sample_incidents(session, demo, vault, ids)

    listed = client.get("/api/v1/incidents", headers=accounts.headers(Role.DISPATCHER)).json()
    flags = {i["id"]: i["sample"] for i in listed["items"]}
    assert flags.pop(real) is False
    assert len(flags) == 3 and all(flags.values())  # the demo's three, each marked 样例
    # the samples have arrivals (one in 95 s, one in 230 s), yet every figure is unchanged
    with_samples = _kpis(client, accounts, since)
    assert with_samples == without
    assert [r["group"] for r in with_samples] == ["all", "theft"]
    assert with_samples[0]["incidents"] == 1 and with_samples[0]["p50_s"] == 200
    with db.session() as session:
        assert len(past_incidents(session, now + timedelta(minutes=1), 1)) == demand == 1


def test_db_upgrade_marks_the_samples_an_earlier_demo_wrote(client, accounts, db, settings, vault):
    real = create_incident(client, accounts.headers(Role.DISPATCHER))
    demo = Actor.system("demo")
    with db.session() as session:
        unit = units.create_unit(
            session, demo, call_sign="步01", kind="foot_patrol", area_code="music_fountain",
            post=FOUNTAIN,
        )  # fmt: skip
        _sample_incidents(session, demo, vault, {"步01": unit.id, "巡A02": unit.id})
    migrate.downgrade(db.engine, "0016_assignment_eta", vault=vault)  # a store from before
    store.upgrade(db, settings, vault)
    with db.session() as session:
        flags = dict(session.execute(select(Incident.id, Incident.sample)).all())
    assert flags.pop(real["id"]) is False
    assert len(flags) == 3 and all(flags.values())
