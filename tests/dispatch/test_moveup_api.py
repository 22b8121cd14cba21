"""Cover moves over HTTP on the sample city and both stores: proposals while the fountain's
own patrol is on a call, who may see and accept them, the audit trail, and the standby point
set on the unit and cleared when the fountain's patrol is free again."""

from __future__ import annotations

from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from tests.dispatch.test_dispatch_api import FOUNTAIN, unit_at
from tests.helpers import create_incident

SPARE = (FOUNTAIN[0] + 0.002, FOUNTAIN[1])  # a patrol car about 170 m east of the fountain


def _fountain_patrol_on_a_call(client, accounts) -> tuple[dict, dict, dict]:
    disp = accounts.headers(Role.DISPATCHER)
    own = unit_at(client, accounts, "步-泉", "foot_patrol", FOUNTAIN, area_code="music_fountain")
    spare = unit_at(client, accounts, "巡-备", "patrol_car", SPARE, area_code="lakeside")
    far = (FOUNTAIN[0], FOUNTAIN[1] + 0.02)
    call = create_incident(client, disp, type="disturbance", lon=far[0], lat=far[1])
    r = client.post(f"/api/v1/incidents/{call['id']}/dispatch", json={"unit_ids": [own["id"]]},
                    headers=disp)  # fmt: skip
    assert r.status_code == 200, r.text
    return own, spare, call


def _audit(db, action: str) -> list[AuditRecord]:
    with db.session() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_moveups_propose_the_spare_unit_with_the_cover_it_restores(client, accounts):
    _, spare, _ = _fountain_patrol_on_a_call(client, accounts)
    # a filed locksmith's van nearer still is not police cover: never proposed
    unit_at(client, accounts, "开锁-近", "locksmith", (FOUNTAIN[0] + 0.001, FOUNTAIN[1]),
            area_code="lakeside")  # fmt: skip
    r = client.get("/api/v1/dispatch/moveups", headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 200, r.text
    body = r.json()
    assert "tier1" in body["uncovered"]["music_fountain"]
    (move,) = body["proposals"]
    assert move["unit_id"] == spare["id"] and move["area_code"] == "music_fountain"
    assert move["post_of"] == "步-泉"
    assert move["after"]["tier1"] > move["before"]["tier1"]
    assert body["after"]["music_fountain"]["tier1"] == move["after"]["tier1"]
    assert body["restored"] > 0 and "备勤" in move["text_zh"]


def test_only_dispatchers_and_commanders_see_and_accept_moveups(client, accounts):
    _, spare, _ = _fountain_patrol_on_a_call(client, accounts)
    body = {"unit_id": spare["id"], "lon": FOUNTAIN[0], "lat": FOUNTAIN[1],
            "area_code": "music_fountain"}  # fmt: skip
    for role in (Role.OFFICER, Role.AUDITOR, Role.VOLUNTEER, Role.CITIZEN, Role.ADMIN):
        h = accounts.headers(role)
        assert client.get("/api/v1/dispatch/moveups", headers=h).status_code == 403
        r = client.post("/api/v1/dispatch/moveups/accept", json=body, headers=h)
        assert r.status_code == 403
    bad = {**body, "area_code": "nowhere"}
    r = client.post("/api/v1/dispatch/moveups/accept", json=bad,
                    headers=accounts.headers(Role.DISPATCHER))  # fmt: skip
    assert r.status_code == 422 and "nowhere" in r.text


def test_accept_sets_the_standby_point_until_the_areas_own_unit_is_free(client, accounts, db):
    disp = accounts.headers(Role.DISPATCHER)
    own, spare, call = _fountain_patrol_on_a_call(client, accounts)
    body = {"unit_id": spare["id"], "lon": FOUNTAIN[0], "lat": FOUNTAIN[1],
            "area_code": "music_fountain", "note": "补位"}  # fmt: skip
    r = client.post("/api/v1/dispatch/moveups/accept", json=body, headers=disp)
    assert r.status_code == 200, r.text
    unit = client.get(f"/api/v1/units/{spare['id']}", headers=disp).json()
    assert unit["cover_area_code"] == "music_fountain" and unit["cover_by"]
    assert (unit["cover_lon"], unit["cover_lat"]) == FOUNTAIN
    assert (unit["post_lon"], unit["post_lat"]) == SPARE  # the post itself is unchanged
    (rec,) = _audit(db, "unit.cover")
    assert rec.actor == unit["cover_by"] and rec.object_id == str(spare["id"])
    assert rec.detail["area"] == "music_fountain"
    # a busy unit cannot be sent to cover
    busy = {**body, "unit_id": own["id"]}
    r = client.post("/api/v1/dispatch/moveups/accept", json=busy, headers=disp)
    assert r.status_code == 409 and r.json()["code"] == "unit_busy"
    r = client.post(f"/api/v1/incidents/{call['id']}/units/{own['id']}/release", json={},
                    headers=disp)  # fmt: skip
    assert r.status_code == 200, r.text
    unit = client.get(f"/api/v1/units/{spare['id']}", headers=disp).json()
    assert unit["cover_lon"] is None and unit["cover_area_code"] is None
    (done,) = _audit(db, "unit.cover_release")
    assert done.actor == "cover-release"  # the reason: a message, read in each reader's words
    assert done.detail["reason"] == {
        "code": "units.cover_home_free",
        "params": {"call_sign": "步-泉"},
    }


def test_the_dispatcher_releases_a_cover_by_hand(client, accounts, db):
    disp = accounts.headers(Role.DISPATCHER)
    _, spare, _ = _fountain_patrol_on_a_call(client, accounts)
    body = {"unit_id": spare["id"], "lon": FOUNTAIN[0], "lat": FOUNTAIN[1],
            "area_code": "music_fountain"}  # fmt: skip
    client.post("/api/v1/dispatch/moveups/accept", json=body, headers=disp)
    r = client.post("/api/v1/dispatch/moveups/release", json={"unit_id": spare["id"]},
                    headers=accounts.headers(Role.COMMANDER))  # fmt: skip
    assert r.status_code == 200 and r.json()["cover_lon"] is None
    (done,) = _audit(db, "unit.cover_release")
    assert done.actor_role == "commander"
    assert done.detail["reason"] == {"code": "dispatch.released_by_dispatcher", "params": {}}
    shown = client.get(
        "/api/v1/audit",
        params={"action": "unit.cover_release"},
        headers={**accounts.headers(Role.AUDITOR), "Accept-Language": "en"},
    ).json()["items"][0]
    assert shown["detail_shown"]["reason"] == "released by the dispatcher"
    assert shown["detail"] == done.detail  # as stored and hashed
