"""Finding a parked car and breakdown help over HTTP on both stores, then the statistics
(API and CLI) checked against the stored records."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.cli import app
from pingan.services.models import Breakdown, CarFind, HelpItem, MissingReport, PlateRead
from tests.helpers import FOUNTAIN
from tests.services.conftest import GUARDIAN_ID, OTHER_ID, ago

API = "/api/v1/services"


def read(plate: str, minutes: float, dx: float = 0.004) -> dict:
    return {
        "plate": plate,
        "camera_id": "P-LAKE-01",
        "lon": FOUNTAIN[0] + dx,
        "lat": FOUNTAIN[1],
        "at": ago(minutes=minutes),
        "confidence": 0.93,
        "place": "湖滨停车场B区",
    }


def test_car_found_only_for_the_owner_or_a_stated_reason(client, accounts, db):
    officer, citizen = accounts.headers(Role.OFFICER), accounts.headers(Role.CITIZEN)
    reads = [read("蒙K85123", 90, dx=0.002), read("蒙KB5I23", 30), read("蒙K77777", 10)]
    r = client.post(f"{API}/parking/reads", json={"reads": reads}, headers=officer)
    assert r.status_code == 201 and r.json() == {"stored": 3, "duplicates": 0}
    # a camera redelivers two reads with a new one: the two are stored once
    again = client.post(
        f"{API}/parking/reads", json={"reads": [*reads[:2], read("蒙K66666", 5)]}, headers=officer
    )
    assert again.status_code == 201 and again.json() == {"stored": 1, "duplicates": 2}
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(PlateRead)) == 4
    bad = client.post(f"{API}/parking/reads", json={"reads": [read("ABC", 1)]}, headers=officer)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_plate"
    assert (
        client.post(f"{API}/parking/reads", json={"reads": reads}, headers=citizen).status_code
        == 403
    )

    owner = {"plate": "蒙K·85123", "owner_id_number": GUARDIAN_ID}
    registered = client.post(f"{API}/parking/owners", json=owner, headers=officer).json()
    assert registered["plate"] == "蒙K85123" and GUARDIAN_ID not in str(registered)

    ask = {"plate": "蒙K85123", "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    refused = client.post(
        f"{API}/parking/find", json={**ask, "owner_id_number": OTHER_ID}, headers=citizen
    )
    assert refused.status_code == 403 and refused.json()["code"] == "owner_not_verified"
    assert "lon" not in refused.json()
    found = client.post(
        f"{API}/parking/find", json={**ask, "owner_id_number": GUARDIAN_ID}, headers=citizen
    )
    assert found.status_code == 200, found.text
    car = found.json()
    # The newer read 蒙KB5I23 may be another car (蒙KB5123): the owner gets only their own.
    assert car["plate_read"] == "蒙K85123" and car["exact"] is True and car["match"] == "exact"
    assert car["walk_length_m"] > 0 and len(car["walk_route"]) >= 2

    no_reason = client.post(f"{API}/parking/find", json=ask, headers=officer)
    assert no_reason.status_code == 403
    by_officer = client.post(
        f"{API}/parking/find",
        json={**ask, "reason": "车主报称车辆被盗，案件号 JQ1"},
        headers=officer,
    )
    assert by_officer.status_code == 200
    assert by_officer.json()["plate_read"] == "蒙KB5I23"
    assert by_officer.json()["match"] == "neighbour"
    with db.session() as s:
        actions = list(
            s.execute(
                select(AuditRecord.action).where(AuditRecord.object_type == "vehicle")
            ).scalars()
        )
    assert actions.count("parking.query_refused") == 2 and actions.count("parking.query") == 2


def test_breakdowns_dispatched_cleared_and_statistics_match_the_store(
    client, accounts, db, monkeypatch
):
    citizen, dispatcher = accounts.headers(Role.CITIZEN), accounts.headers(Role.DISPATCHER)
    officer, commander = accounts.headers(Role.OFFICER), accounts.headers(Role.COMMANDER)
    body = {
        "lon": FOUNTAIN[0],
        "lat": FOUNTAIN[1],
        "vehicle": "白色大众轿车",
        "problem": "发动机无法启动，停在右侧车道",
        "plate": "蒙K12345",
        "phone": "13512345678",
        "area_code": "music_fountain",
    }
    first = client.post(f"{API}/breakdowns", json=body, headers=citizen).json()
    assert first["status"] == "requested" and first["phone_masked"] == "135****5678"
    early = client.post(f"{API}/breakdowns/{first['id']}/clear", headers=officer)
    assert early.status_code == 409
    sent = client.post(
        f"{API}/breakdowns/{first['id']}/dispatch", json={"to": "police"}, headers=dispatcher
    ).json()
    assert sent["status"] == "dispatched" and sent["incident_id"]
    incident = client.get(f"/api/v1/incidents/{sent['incident_id']}", headers=dispatcher).json()
    assert incident["type_code"] == "breakdown"
    cleared = client.post(f"{API}/breakdowns/{first['id']}/clear", headers=officer).json()
    assert cleared["status"] == "cleared" and cleared["cleared_at"]

    tow = client.post(
        f"{API}/tow-services",
        json={"name": "康巴什道路救援", "phone": "0477-8123456"},
        headers=commander,
    ).json()
    second = client.post(f"{API}/breakdowns", json=body, headers=citizen).json()
    to_tow = f"{API}/breakdowns/{second['id']}/dispatch"
    assert (
        client.post(
            to_tow, json={"to": "tow", "tow_service_id": 999}, headers=dispatcher
        ).status_code
        == 422
    )
    assert (
        client.post(
            to_tow, json={"to": "tow", "tow_service_id": tow["id"]}, headers=dispatcher
        ).json()["assigned_to"]
        == "tow"
    )
    client.post(f"{API}/breakdowns/{second['id']}/clear", headers=dispatcher)
    third = client.post(f"{API}/breakdowns", json=body, headers=citizen).json()
    assert (
        client.post(
            f"{API}/breakdowns/{third['id']}/dispatch", json={"to": "tow"}, headers=citizen
        ).status_code
        == 403
    )
    for bad, code in (
        ({**body, "lon": None}, "no_place"),
        ({**body, "plate": "X"}, "bad_plate"),
        ({**body, "area_code": "atlantis"}, "unknown_area"),
    ):
        r = client.post(f"{API}/breakdowns", json=bad, headers=citizen)
        assert r.status_code == 422 and r.json()["code"] == code

    stats = client.get(f"{API}/stats", headers=dispatcher).json()
    with db.session() as s:

        def count(model, *where):
            return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

        stored = {
            "breakdowns_requested": count(Breakdown),
            "breakdowns_helped": count(Breakdown, Breakdown.status == "cleared"),
            "cars_found": count(CarFind),
            "items_returned": count(
                HelpItem, HelpItem.status == "returned", HelpItem.kind == "found"
            ),
            "missing_found": count(MissingReport, MissingReport.status == "closed"),
        }
    assert stored["breakdowns_helped"] == 2
    assert {k: stats[k] for k in stored} == stored
    assert client.get(f"{API}/stats", headers=citizen).status_code == 403
    here = client.get(f"{API}/stats", params={"area": "music_fountain"}, headers=dispatcher)
    elsewhere = client.get(f"{API}/stats", params={"area": "museum"}, headers=dispatcher)
    assert here.json()["breakdowns_helped"] == 2 and elsewhere.json()["breakdowns_requested"] == 0

    monkeypatch.setenv("PINGAN_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PINGAN_LANG", "zh_CN")
    out = CliRunner().invoke(app, ["report", "services", "--days", "30"])
    assert out.exit_code == 0, out.output
    line = next(x for x in out.output.splitlines() if x.startswith("救助故障车辆"))
    assert line.split()[-1] == str(stored["breakdowns_helped"])
    assert "breakdowns helped" not in out.output  # one language: Chinese here
