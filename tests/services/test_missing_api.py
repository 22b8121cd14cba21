"""Missing people over HTTP on both stores: report with an incident and alerts in a growing
radius, CAP 1.2, sightings, a found child matched, hand-over to the verified guardian."""

from __future__ import annotations

from datetime import timedelta

from pingan.auth.roles import Role
from pingan.services.cap import SENDER
from pingan.services.models import MissingReport
from tests.helpers import FOUNTAIN, create_unit
from tests.services.cap_conformance import conforming, q, references, texts
from tests.services.conftest import BAD_ID, GUARDIAN_ID, OTHER_ID, ago

API = "/api/v1/services/missing"


def missing_body(**over):
    body = {
        "kind": "child",
        "name": "小明",
        "age": 6,
        "description": "男孩，身高约1米2，短发，圆脸",
        "clothing": "红色上衣，蓝色牛仔裤，白色运动鞋",
        "lon": FOUNTAIN[0],
        "lat": FOUNTAIN[1],
        "last_seen_at": ago(minutes=20),
        "guardian_name": "张女士",
        "guardian_phone": "13612345678",
        "guardian_id_number": GUARDIAN_ID,
    }
    body.update(over)
    return body


def test_missing_child_alerted_sighted_found_and_handed_over(client, accounts, db, png_b64):
    commander, citizen = accounts.headers(Role.COMMANDER), accounts.headers(Role.CITIZEN)
    officer, volunteer = accounts.headers(Role.OFFICER), accounts.headers(Role.VOLUNTEER)
    near = create_unit(client, commander, "巡A01")
    far = create_unit(
        client, commander, "志B01", kind="volunteer", post_lon=FOUNTAIN[0] + 0.05
    )  # ≈ 4.3 km east

    r = client.post(API, json=missing_body(photo_b64=png_b64), headers=citizen)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["guardian_phone_masked"] == "136****5678" and report["radius_km"] == 1
    assert GUARDIAN_ID not in r.text and report["photo_path"]
    incident = client.get(
        f"/api/v1/incidents/{report['incident_id']}", headers=accounts.headers(Role.DISPATCHER)
    ).json()
    assert incident["type_code"] == "missing_person"
    guardian = f"{API}/{report['id']}/guardian"
    assert client.get(guardian, headers=volunteer).status_code == 403
    assert client.get(guardian, headers=officer).json()["guardian_phone"] == "13612345678"
    alerts = client.get(f"{API}/{report['id']}/alerts", headers=citizen).json()
    assert alerts[0]["unit_ids"] == [near["id"]]

    # Two hours later the radius is 10 km and the volunteer is alerted too.
    with db.session() as s:
        row = s.get(MissingReport, report["id"])
        row.last_seen_at = row.last_seen_at - timedelta(hours=2)
        s.commit()
    grown = client.post(f"{API}/radius", headers=officer).json()
    assert grown[0]["radius_km"] == 10 and set(grown[0]["unit_ids"]) == {near["id"], far["id"]}

    root = conforming(client.get(f"{API}/{report['id']}/cap", headers=citizen).content)
    assert root.findtext(q("msgType")) == "Update"  # the wider radius updates the first alert
    assert {i.findtext(q("language")) for i in root.iter(q("info"))} == {"zh-CN", "en-US"}
    for circle in texts(root, "circle"):
        assert circle.endswith(" 10") and circle.startswith(f"{FOUNTAIN[1]:.6f},")

    sighting = {
        "lon": FOUNTAIN[0] + 0.001,
        "lat": FOUNTAIN[1],
        "at": ago(minutes=5),
        "note": "往湖边走",
    }
    assert (
        client.post(f"{API}/{report['id']}/sightings", json=sighting, headers=volunteer).status_code
        == 201
    )
    geo = client.get(f"{API}/{report['id']}/sightings", headers=officer).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [sighting["lon"], sighting["lat"]]

    found = client.post(
        f"{API}/found-persons",
        json={
            "kind": "child",
            "apparent_age": 6,
            "description": "男孩短发圆脸，穿红色上衣蓝色牛仔裤",
            "lon": FOUNTAIN[0] + 0.002,
            "lat": FOUNTAIN[1],
            "at": ago(minutes=1),
        },
        headers=volunteer,
    ).json()
    assert found["matches"][0]["report_id"] == report["id"]

    url = f"{API}/{report['id']}/close"
    wrong = client.post(url, json={"guardian_id_number": OTHER_ID}, headers=officer)
    assert wrong.status_code == 403 and wrong.json()["code"] == "guardian_not_verified"
    assert (
        client.post(url, json={"guardian_id_number": GUARDIAN_ID}, headers=citizen).status_code
        == 403
    )
    done = client.post(
        url,
        json={"guardian_id_number": GUARDIAN_ID, "found_person_id": found["found_person_id"]},
        headers=officer,
    ).json()
    assert done["status"] == "closed" and done["closed_at"]
    assert (
        client.post(url, json={"guardian_id_number": GUARDIAN_ID}, headers=officer).status_code
        == 409
    )

    with db.session() as s:
        from sqlalchemy import select

        from pingan.bus.models import OutboxEvent

        types = set(s.execute(select(OutboxEvent.type)).scalars())
    assert {"missing.reported", "missing.radius_grown", "missing.sighted", "missing.found"} <= types


def test_profile_gives_an_instant_report_and_bad_input_is_refused(client, accounts):
    citizen = accounts.headers(Role.CITIZEN)
    profile = client.post(
        f"{API}/profiles",
        json={
            "kind": "elder",
            "name": "王大爷",
            "age": 78,
            "description": "男，白发，戴眼镜，认知障碍",
            "habits": "常去乌兰木伦湖边散步",
            "guardian_name": "王先生",
            "guardian_phone": "13712345678",
            "guardian_id_number": GUARDIAN_ID,
        },
        headers=citizen,
    )
    assert profile.status_code == 201, profile.text
    url = f"{API}/profiles/{profile.json()['id']}/report"
    place = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1], "last_seen_at": ago(minutes=10)}
    missing_profile = f"{API}/profiles/999/report"
    assert client.post(missing_profile, json=place, headers=citizen).status_code == 404
    r = client.post(url, json={**place, "clothing": "灰色外套"}, headers=citizen)
    assert r.status_code == 201, r.text
    assert (
        r.json()["profile_id"] == profile.json()["id"] and "乌兰木伦湖" in r.json()["description"]
    )

    for body, code in (
        (missing_body(guardian_id_number=BAD_ID), "bad_id_number"),
        (missing_body(last_seen_at=None), "no_time"),
        (missing_body(lon=None), "no_place"),
        (missing_body(photo_b64="aGVsbG8="), "bad_photo"),
        (missing_body(guardian_phone="12345"), "bad_phone"),
    ):
        bad = client.post(API, json=body, headers=citizen)
        assert bad.status_code == 422 and bad.json()["code"] == code, (code, bad.text)
    assert client.get(API, headers=citizen).json()["total"] == 1


def test_retried_missing_person_report_with_an_idempotency_key_is_stored_once(client, accounts):
    headers = {**accounts.headers(Role.CITIZEN), "Idempotency-Key": "missing-1"}
    body = missing_body()
    first = client.post(API, json=body, headers=headers)
    assert first.status_code == 201, first.text
    retry = client.post(API, json=body, headers=headers)
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    assert client.get(API, headers=accounts.headers(Role.COMMANDER)).json()["total"] == 1


def test_sightings_only_from_staff_volunteers_and_the_reporter(client, accounts):
    officer, citizen = accounts.headers(Role.OFFICER), accounts.headers(Role.CITIZEN)
    volunteer = accounts.headers(Role.VOLUNTEER)
    sighting = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1], "at": ago(minutes=5), "note": "湖边"}
    others = client.post(API, json=missing_body(), headers=officer).json()  # not the citizen's
    url = f"{API}/{others['id']}/sightings"

    refused = client.post(url, json=sighting, headers=citizen)
    absent = client.post(f"{API}/999999/sightings", json=sighting, headers=citizen)
    read = client.get(f"{API}/{others['id']}", headers=citizen)
    assert refused.status_code == absent.status_code == read.status_code == 404
    assert refused.json()["code"] == absent.json()["code"] == read.json()["code"]
    assert client.post(url, json=sighting, headers=volunteer).status_code == 201
    assert client.post(url, json=sighting, headers=officer).status_code == 201

    own = client.post(API, json=missing_body(name="小红"), headers=citizen).json()
    mine = client.post(f"{API}/{own['id']}/sightings", json=sighting, headers=citizen)
    assert mine.status_code == 201, mine.text
    geo = client.get(url, headers=officer).json()
    assert len(geo["features"]) == 2  # the refused citizen left nothing


def test_cap_alert_update_and_cancel_served_over_http_are_valid_and_linked(client, accounts, db):
    """Each message a client fetches passes the OASIS schema and the standard's text; the
    Update and the Cancel have their own identifiers and name the earlier messages. (The API
    refuses control characters; the builder's handling of them is tested in test_cap.py.)"""
    citizen, officer = accounts.headers(Role.CITIZEN), accounts.headers(Role.OFFICER)
    body = missing_body(description="<b>男孩</b> & 短发\n圆脸\t👧 ]]>", clothing="红色上衣 <蓝裤>")
    created = client.post(API, json=body, headers=citizen)
    assert created.status_code == 201, created.text
    report = created.json()
    url = f"{API}/{report['id']}/cap"

    def fetch() -> tuple[bytes, tuple[str, str, str], object]:
        r = client.get(url, headers=citizen)
        assert r.status_code == 200 and r.headers["content-type"] == "application/cap+xml"
        root = conforming(r.content)
        assert root.findtext(q("sent")).endswith("-00:00")  # the store keeps UTC
        me = (SENDER, root.findtext(q("identifier")), root.findtext(q("sent")))
        return r.content, me, root

    raw, alert_id, alert = fetch()
    assert fetch()[0] == raw  # a message is the same bytes however often it is fetched
    assert alert.findtext(q("msgType")) == "Alert" and references(alert) == []
    assert texts(alert, "description")[0].startswith("<b>男孩</b> & 短发\n圆脸\t👧 ]]>；衣着")

    with db.session() as s:  # two hours later: the radius grows to 10 km
        row = s.get(MissingReport, report["id"])
        row.last_seen_at = row.last_seen_at - timedelta(hours=2)
        s.commit()
    assert client.post(f"{API}/radius", headers=officer).status_code == 200
    _, update_id, update = fetch()
    assert update.findtext(q("msgType")) == "Update" and update_id[1] != alert_id[1]
    assert references(update) == [alert_id]
    assert texts(update, "circle")[0].endswith(" 10")

    done = client.post(
        f"{API}/{report['id']}/close", json={"guardian_id_number": GUARDIAN_ID}, headers=officer
    )
    assert done.status_code == 200, done.text
    _, cancel_id, cancel = fetch()
    assert cancel.findtext(q("msgType")) == "Cancel"
    assert cancel_id[1] not in {alert_id[1], update_id[1]}
    assert references(cancel) == [alert_id, update_id]
    assert cancel.find(q("info")) is None  # no description of the person once found


def test_guardian_refusing_the_proposed_person_keeps_the_report_open(client, accounts, db):
    """The platform proposes; a guardian who says "not ours" is recorded, the report stays
    open and the proposal is dropped; a person handed over once cannot be handed over again."""
    officer, volunteer = accounts.headers(Role.OFFICER), accounts.headers(Role.VOLUNTEER)
    boy = client.post(API, json=missing_body(), headers=officer).json()
    girl = client.post(
        API,
        json=missing_body(
            name="小红", description="女孩，扎两个小辫", clothing="黄色连衣裙",
            guardian_id_number=OTHER_ID,
        ),
        headers=officer,
    ).json()  # fmt: skip
    person = {"kind": "child", "apparent_age": 6, "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    found = client.post(
        f"{API}/found-persons",
        json={**person, "description": "短发男孩，红上衣，牛仔裤", "at": ago(minutes=2)},
        headers=volunteer,
    ).json()
    pid = found["found_person_id"]
    other = client.post(
        f"{API}/found-persons",
        json={**person, "description": "男孩，短发，红衣服", "at": ago(minutes=1)},
        headers=volunteer,
    ).json()
    assert other["matches"][0]["report_id"] == boy["id"]  # proposed for the boy too
    matches = client.get(f"{API}/found-persons/{pid}/matches", headers=volunteer)
    assert matches.status_code == 200
    assert [m["report_id"] for m in matches.json()] == [boy["id"], girl["id"]]

    # the desk got it wrong and called the girl's guardian: refused, recorded, still open
    r = client.post(f"{API}/{girl['id']}/refuse", json={"found_person_id": pid}, headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "open"
    refused = client.post(
        f"{API}/{girl['id']}/refuse", json={"found_person_id": pid}, headers=volunteer
    )
    assert refused.status_code == 403  # volunteers register people; the desk hands over
    with db.session() as s:
        from sqlalchemy import select

        from pingan.audit.models import AuditRecord

        actions = list(s.execute(select(AuditRecord.action)).scalars())
    assert actions.count("missing.person_refused") == 1

    closed = client.post(
        f"{API}/{boy['id']}/close",
        json={"guardian_id_number": GUARDIAN_ID, "found_person_id": pid},
        headers=officer,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(
        f"{API}/{girl['id']}/close",
        json={"guardian_id_number": OTHER_ID, "found_person_id": pid},
        headers=officer,
    )
    assert again.status_code == 409 and again.json()["code"] == "person_handed_over"
    with db.session() as s:
        from pingan.services.models import FoundPerson

        # the other boy's proposal ended with the hand-over: only the one handed over is linked
        assert s.get(FoundPerson, pid).report_id == boy["id"]
        assert s.get(FoundPerson, other["found_person_id"]).report_id is None
    # the boy's report is closed: it is no longer proposed for anyone
    left = client.get(f"{API}/found-persons/{pid}/matches", headers=volunteer).json()
    assert [m["report_id"] for m in left] == [girl["id"]]
    assert client.get(f"{API}/found-persons/999999/matches", headers=volunteer).status_code == 404
