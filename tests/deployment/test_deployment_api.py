"""Deployment plans over HTTP on both stores: make, read, map, export, approve, re-plan."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from pingan import jobs
from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.db.base import utcnow
from pingan.deployment.service import apply_current_plan
from pingan.dispatch.kpi import shift_day
from pingan.units import service as unit_service
from pingan.units.models import Unit
from tests.helpers import create_unit

ADMIN = Actor.system("test")
JOB = {j.name: j for j in jobs.load_jobs()}

FOUNTAIN_KIOSK = (109.7800, 39.5955)
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def _units(client, accounts) -> list[dict]:
    h = accounts.headers(Role.COMMANDER)
    made = []
    for i in range(4):
        made.append(
            create_unit(
                client,
                h,
                f"F{i}",
                kind="foot_patrol",
                post_lon=FOUNTAIN_KIOSK[0],
                post_lat=FOUNTAIN_KIOSK[1],
            )
        )
    for i in range(3):
        made.append(create_unit(client, h, f"C{i}", kind="patrol_car"))
    made.append(create_unit(client, h, "P0", kind="ptu"))
    made.append(create_unit(client, h, "D0", kind="drone"))
    return made


def test_a_commander_approves_a_plan_made_from_data(client, accounts, db):
    units = _units(client, accounts)
    disp = accounts.headers(Role.DISPATCHER)
    r = client.post(
        "/api/v1/deployment/plans", json={"date": TOMORROW, "shift": "day"}, headers=disp
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "draft" and plan["version"] == 1
    assert plan["solver"] == "highs" and plan["mip_rel_gap"] == 0.001
    assert 0 <= plan["gap"] <= 0.001
    assert plan["detail"]["crowd_source"] == "typical_profile"  # no stored counts yet
    posted = {p["unit_id"] for p in plan["posts"]}
    drone = next(u for u in units if u["kind"] == "drone")
    assert drone["id"] not in posted
    unplaced = {u["unit_id"]: u for u in plan["detail"]["unplaced"]}
    assert "serves no response tier" in unplaced[drone["id"]]["reason_en"]
    assert len(posted) + len(unplaced) == len(units)
    assert plan["coverage"]["tier3"] >= plan["coverage"]["tier1"] > 0
    assert any(p["loop"] for p in plan["posts"] if p["unit_kind"] == "foot_patrol")
    # an empty store: busy fractions and delays from the stated fallbacks, figure beside
    busy = plan["detail"]["busy_model"]
    assert set(busy["delay_sources"].values()) == {"fallback"} and busy["spells"] == 0
    assert plan["expected_coverage"].keys() == plan["coverage"].keys()
    assert plan["expected_coverage"]["tier5"] < plan["coverage"]["tier5"]  # units can be busy

    geo = client.get(f"/api/v1/deployment/plans/{plan['id']}/geojson", headers=disp).json()
    kinds = [f["properties"]["kind"] for f in geo["features"]]
    assert kinds.count("post") == len(posted) and "patrol_loop" in kinds
    csv = client.get(f"/api/v1/deployment/plans/{plan['id']}/export.csv", headers=disp)
    assert csv.status_code == 200 and "呼号" in csv.content.decode("utf-8-sig")
    assert csv.content.decode("utf-8-sig").count("\n") >= len(posted) + 3
    pdf = client.get(f"/api/v1/deployment/plans/{plan['id']}/export.pdf", headers=disp)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content

    # only a commander approves; the approval is audited and published
    r = client.post(f"/api/v1/deployment/plans/{plan['id']}/approve", headers=disp)
    assert r.status_code == 403
    cmd = accounts.headers(Role.COMMANDER)
    r = client.post(f"/api/v1/deployment/plans/{plan['id']}/approve", headers=cmd)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["approved_by"] == "commander1"
    again = client.post(f"/api/v1/deployment/plans/{plan['id']}/approve", headers=cmd)
    assert again.status_code == 409
    with db.session() as s:
        events = s.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "deployment.plan_approved")
        ).all()
        assert [e.payload["plan_id"] for e in events] == [plan["id"]]
        actions = set(s.scalars(select(AuditRecord.action)))
        assert {"deployment.plan", "deployment.approve"} <= actions

    # crowds move to the shopping street: re-plan moving at most one unit
    body = {"crowds": {"shopping_street": 20000}, "max_moves": 1, "max_move_s": 900}
    r = client.post(f"/api/v1/deployment/plans/{plan['id']}/replan", json=body, headers=disp)
    assert r.status_code == 201, r.text
    res = r.json()
    new = res["plan"]
    assert new["version"] == 2 and new["based_on_id"] == plan["id"]
    assert len(new["detail"]["moves"]) <= 1
    assert sum(res["coverage_after"].values()) >= sum(res["coverage_before"].values()) - 1e-9
    kept = {p["unit_id"]: p["site_code"] for p in plan["posts"]}
    changed = [p for p in new["posts"] if kept.get(p["unit_id"]) != p["site_code"]]
    assert len(changed) <= 1
    r = client.post(f"/api/v1/deployment/plans/{new['id']}/approve", headers=cmd)
    assert r.status_code == 200
    listed = client.get(f"/api/v1/deployment/plans?date={TOMORROW}", headers=disp).json()
    assert {p["id"]: p["status"] for p in listed["items"]} == {
        plan["id"]: "superseded",
        new["id"]: "approved",
    }


def test_bad_requests_are_refused_with_reasons_and_store_nothing(client, accounts, db):
    disp = {**accounts.headers(Role.DISPATCHER), "Accept-Language": "en"}
    r = client.post(
        "/api/v1/deployment/plans", json={"date": TOMORROW, "shift": "day"}, headers=disp
    )
    assert r.status_code == 422 and r.json()["detail"] == "no units on shift to plan"
    zh = client.post(
        "/api/v1/deployment/plans",
        json={"date": TOMORROW, "shift": "day"},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert (
        zh.json()["code"] == r.json()["code"]
        and zh.json()["detail"] == "该班次没有在岗警力，无法布警"
    )
    h = accounts.headers(Role.COMMANDER)
    drone = create_unit(client, h, "D1", kind="drone")
    r = client.post(
        "/api/v1/deployment/plans", json={"date": TOMORROW, "shift": "day"}, headers=disp
    )
    assert r.status_code == 422 and "no unit can be posted" in r.json()["detail"]
    assert drone["call_sign"] in r.json()["detail"]
    r = client.post(
        "/api/v1/deployment/plans", json={"date": TOMORROW, "shift": "brunch"}, headers=disp
    )
    assert r.status_code == 422 and "unknown shift" in r.json()["detail"]
    r = client.post(
        "/api/v1/deployment/plans",
        json={"date": TOMORROW, "shift": "day", "unit_ids": [9999]},
        headers=disp,
    )
    assert r.status_code == 404
    r = client.post("/api/v1/deployment/plans/77/approve", headers=h)
    assert r.status_code == 404
    off = client.post(
        "/api/v1/deployment/plans",
        json={"date": TOMORROW, "shift": "day"},
        headers=accounts.headers(Role.OFFICER),
    )
    assert off.status_code == 403
    listed = client.get("/api/v1/deployment/plans", headers=disp).json()
    assert listed["total"] == 0


def _posts(db) -> dict[int, tuple[float | None, float | None]]:
    with db.session() as s:
        return {u.id: (u.post_lon, u.post_lat) for u in s.scalars(select(Unit))}


def test_units_take_the_posts_of_the_plan_for_the_shift_that_is_on(client, accounts, db):
    _units(client, accounts)
    disp, cmd = accounts.headers(Role.DISPATCHER), accounts.headers(Role.COMMANDER)
    day, shift = shift_day(utcnow())
    before = _posts(db)
    # a plan approved ahead of its shift leaves the posts as they are
    ahead = client.post(
        "/api/v1/deployment/plans", json={"date": TOMORROW, "shift": "day"}, headers=disp
    ).json()
    assert client.post(f"/api/v1/deployment/plans/{ahead['id']}/approve", headers=cmd).is_success
    assert _posts(db) == before

    now = client.post(
        "/api/v1/deployment/plans", json={"date": day.isoformat(), "shift": shift}, headers=disp
    ).json()
    assert client.post(f"/api/v1/deployment/plans/{now['id']}/approve", headers=cmd).is_success
    planned = {p["unit_id"]: (p["lon"], p["lat"]) for p in now["posts"]}
    after = _posts(db)
    assert {u: after[u] for u in planned} == planned
    unplaced = set(after) - set(planned)
    assert {u: after[u] for u in unplaced} == {u: before[u] for u in unplaced}
    moved = [u for u in planned if before[u] != planned[u]]
    with db.session() as s:
        records = s.scalars(select(AuditRecord).where(AuditRecord.action == "unit.post")).all()
        assert sorted(int(r.object_id) for r in records) == sorted(moved)
        assert all(r.actor == "commander1" for r in records)

    # a post changed by hand is put back by the timed job; a second turn moves nothing
    unit_id = next(iter(planned))
    with db.session() as s:
        unit_service.set_post(s, ADMIN, unit_id, lon=109.79, lat=39.60, reason="test")
    assert jobs.run_turn(db, JOB["deployment.apply_posts"])
    assert _posts(db)[unit_id] == planned[unit_id]
    with db.session() as s:
        assert apply_current_plan(s, ADMIN) == 0
