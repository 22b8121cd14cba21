"""Online unlock, end to end: filing → request with entitlement → dispatch by road →
check-in inside the geofence → three-party signed record → verification; refusals and
tampering."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import cv2
import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.bus.models import OutboxEvent
from pingan.trust.identity.adapters import Adapters, TestDoubleFace, TestDoubleSms
from pingan.trust.signing.jwk import b64u, unb64u
from pingan.trust.unlock import record, risk
from pingan.trust.unlock.rules import parse, rules
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus
from tests.helpers import FOUNTAIN
from tests.trust.people import LI, ZHANG

API = "/api/v1/trust/unlock"
HOME = "150602001001"  # ZHANG's household address code
NEAR = (FOUNTAIN[0] + 0.004, FOUNTAIN[1])  # a locksmith's post, ~340 m east
FAR = (FOUNTAIN[0] + 0.02, FOUNTAIN[1] + 0.01)  # ~2 km away


def _photo() -> str:
    ok, png = cv2.imencode(".png", np.full((8, 8, 3), 128, dtype=np.uint8))
    assert ok
    return base64.b64encode(png.tobytes()).decode()


@pytest.fixture
def world(client, db, accounts, loaded, clock):
    """A resident at L2, the bureau's tables, and one filed locksmith crewing unit LS1."""
    client.app.state.identity_adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    citizen = accounts.headers(Role.CITIZEN)
    r = client.post(
        "/api/v1/trust/identity/verify", json={"id_number": ZHANG, "name": "张三"}, headers=citizen
    )
    assert r.status_code == 200, r.text
    r = client.post(
        "/api/v1/trust/identity/verify",
        json={"method": "face", "image_ref": "selfie"},
        headers=citizen,
    )
    assert r.json()["level"] == 2, r.text
    csv = (
        "kind,id_number,target,reference,valid_until\n"
        f"household,{ZHANG},{HOME},HK-1,\nvehicle,{LI},蒙K12345,XS-1,\n"
    )
    r = client.post(
        f"{API}/entitlements", json={"csv": csv}, headers=accounts.headers(Role.COMMANDER)
    )
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    with db.session() as s:
        unit = units.create_unit(
            s, Actor.system("test"), call_sign="LS1", kind="locksmith", post=NEAR
        )
        units.bind_user(
            s,
            Actor.system("test"),
            unit.id,
            user_id=accounts.ids[Role.LOCKSMITH],
            valid_from=clock.now - timedelta(hours=1),
        )
        unit_id = unit.id
    body = {
        "filing_number": "KS-150602-2026-0001",
        "company": "康巴什安心锁业",
        "certification": "开锁职业技能证书 0001",
        "name": "王师傅",
        "user_id": accounts.ids[Role.LOCKSMITH],
        "unit_id": unit_id,
        "clean_record_checked": True,
    }
    r = client.post(f"{API}/locksmiths", json=body, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 201, r.text
    assert r.json()["name_masked"] == "王**"
    return {"unit_id": unit_id, "locksmith_id": r.json()["id"], "filing": body}


def _request(client, accounts, lock_type="home", target=HOME, point=FOUNTAIN):
    return client.post(
        f"{API}/requests",
        json={"lock_type": lock_type, "target": target, "lon": point[0], "lat": point[1]},
        headers=accounts.headers(Role.CITIZEN),
    )


def _position(client, accounts, clock, unit_id, point):
    r = client.put(
        f"/api/v1/units/{unit_id}/position",
        json={"lon": point[0], "lat": point[1], "at": clock.now.isoformat()},
        headers=accounts.headers(Role.LOCKSMITH),
    )
    assert r.status_code == 200, r.text


def _on_site(client, accounts, clock, world, rid):
    smith = accounts.headers(Role.LOCKSMITH)
    assert client.post(f"{API}/jobs/{rid}/accept", headers=smith).json()["status"] == "accepted"
    r = client.post(
        f"{API}/jobs/{rid}/checkin", json={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}, headers=smith
    )
    assert r.status_code == 409 and r.json()["code"] == "position_unknown"
    _position(client, accounts, clock, world["unit_id"], FOUNTAIN)
    r = client.post(f"{API}/jobs/{rid}/checkin", json={"lon": FAR[0], "lat": FAR[1]}, headers=smith)
    assert r.status_code == 422 and r.json()["code"] == "outside_geofence"
    r = client.post(
        f"{API}/jobs/{rid}/checkin", json={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}, headers=smith
    )
    assert r.status_code == 200 and r.json()["status"] == "on_site", r.text
    assert r.json()["checkin"]["confirmed_by"] == "position"
    for stage in ("before", "after"):
        r = client.post(
            f"{API}/jobs/{rid}/photos", json={"stage": stage, "photo_b64": _photo()}, headers=smith
        )
        assert r.status_code == 200, r.text
    r = client.post(
        f"{API}/jobs/{rid}/record", json={"method": "technical", "fee_fen": 15000}, headers=smith
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_three_party_record_from_request_to_verification(client, db, accounts, world, clock):
    # Not entitled at this address: a witness is required before anyone is sent.
    r = _request(client, accounts, target="150602009999")
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "awaiting_witness" and req["flags"][0] == "not_entitled"
    assert req["id_masked"].startswith("1506") and ZHANG not in r.text
    rid = req["id"]
    # The requester cannot witness; a community worker (volunteer account) can.
    r = client.post(
        f"{API}/requests/{rid}/witness",
        json={"kind": "officer"},
        headers=accounts.headers(Role.VOLUNTEER),
    )
    assert r.status_code == 403 and r.json()["code"] == "witness_kind"
    r = client.post(
        f"{API}/requests/{rid}/witness",
        json={"kind": "community_worker"},
        headers=accounts.headers(Role.VOLUNTEER),
    )
    assert r.status_code == 200 and r.json()["status"] == "dispatched", r.text
    assert r.json()["locksmith_id"] == world["locksmith_id"] and r.json()["eta_s"] > 0
    mine = client.get(f"{API}/locksmith/me", headers=accounts.headers(Role.LOCKSMITH)).json()
    assert [j["id"] for j in mine["jobs"]] == [rid]

    drafted = _on_site(client, accounts, clock, world, rid)
    assert drafted["parties"] == ["requester", "locksmith", "witness"]

    # The requester re-verifies on site before signing.
    citizen = accounts.headers(Role.CITIZEN)
    r = client.post(f"{API}/requests/{rid}/sign/requester", headers=citizen)
    assert r.status_code == 409 and r.json()["code"] == "reverify_needed"
    clock.advance(minutes=1)
    client.post(
        "/api/v1/trust/identity/verify",
        json={"method": "face", "image_ref": "onsite"},
        headers=citizen,
    )
    assert client.post(f"{API}/requests/{rid}/sign/requester", headers=citizen).status_code == 200
    r = client.post(f"{API}/requests/{rid}/sign/requester", headers=citizen)
    assert r.status_code == 409 and r.json()["code"] == "already_signed"
    r = client.post(f"{API}/requests/{rid}/sign/witness", headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403 and r.json()["code"] == "not_a_party"
    assert (
        client.post(f"{API}/jobs/{rid}/sign", headers=accounts.headers(Role.LOCKSMITH)).status_code
        == 200
    )
    r = client.post(f"{API}/requests/{rid}/sign/witness", headers=accounts.headers(Role.VOLUNTEER))
    assert r.status_code == 200, r.text
    filed = r.json()
    assert filed["signed"] == ["requester", "locksmith", "witness"]
    assert datetime.fromisoformat(filed["retain_until"]) - datetime.fromisoformat(
        filed["filed_at"]
    ) >= timedelta(days=90)

    # Filed to the station: its copy verifies with nothing but the published key list.
    station = client.get(
        f"{API}/requests/{rid}/record", headers=accounts.headers(Role.OFFICER)
    ).json()
    raw = record.canonical(station["document"])
    keys = client.get("/api/v1/trust/keys").json()
    assert record.check(raw, keys)
    doc = station["document"]
    assert doc["record"]["people"]["locksmith"]["filing_number"] == "KS-150602-2026-0001"
    assert doc["signatures"][0]["statement"]["reverified"]["method"] == "face"
    assert len({s["sig"] for s in doc["signatures"]}) == 3  # three different signatures
    own = client.get(f"{API}/requests/{rid}/my-record", headers=citizen).json()
    assert own["document"] == doc
    r = client.get(f"{API}/requests/{rid}/my-record", headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403 and r.json()["code"] == "not_your_request"
    r = client.post(f"{API}/verify", json={"document": doc}, headers=accounts.headers(Role.AUDITOR))
    assert r.json() == {"ok": True, "reason": None, "where": None}
    with db.session() as s:
        types = s.scalars(
            select(OutboxEvent.type).where(OutboxEvent.aggregate_type == "unlock_request")
        ).all()
        assert "unlock.record_filed" in types
        unit = units.get_unit(s, world["unit_id"])
        assert unit.status == "available"  # free again

    # Tampering: any flipped byte of the document, or of any signature, fails.
    _tamper(raw, keys)


def _tamper(raw: bytes, keys: dict) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(raw) - 1), st.integers(1, 255))
    def any_byte(i: int, mask: int) -> None:
        changed = bytearray(raw)
        changed[i] ^= mask
        assert not record.check(bytes(changed), keys)

    doc = json.loads(raw)
    parts = [*doc["signatures"], doc["seal"]]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(parts) - 1), st.integers(0, 63), st.integers(1, 255))
    def any_signature_byte(p: int, i: int, mask: int) -> None:
        d = json.loads(raw)
        target = [*d["signatures"], d["seal"]][p]
        sig = bytearray(unb64u(target["sig"]))
        sig[i] ^= mask
        target["sig"] = b64u(bytes(sig))
        check = record.check(record.canonical(d), keys)
        assert not check and check.reason == "bad_signature"

    any_byte()
    any_signature_byte()


def test_entitled_request_is_dispatched_to_the_filed_locksmith_only(
    client, db, accounts, world, clock
):
    # An unfiled locksmith unit nearer the door is never sent.
    with db.session() as s:
        units.create_unit(s, Actor.system("test"), call_sign="LS0", kind="locksmith", post=FOUNTAIN)
    r = _request(client, accounts)
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "dispatched" and req["locksmith_id"] == world["locksmith_id"]
    assert req["entitlement_kind"] == "household" and "not_entitled" not in req["flags"]
    assert not req["witness_required"]
    # The station sees it, ID numbers masked.
    listed = client.get(f"{API}/requests", headers=accounts.headers(Role.OFFICER)).json()
    assert [x["id"] for x in listed] == [req["id"]] and ZHANG not in json.dumps(listed)
    # The locksmith declines: free again, and not sent this job again (the unfiled unit never).
    r = client.post(f"{API}/jobs/{req['id']}/decline", headers=accounts.headers(Role.LOCKSMITH))
    assert r.status_code == 200 and r.json()["status"] == "ready", r.text
    assert r.json()["locksmith_id"] is None
    r = client.post(f"{API}/requests/{req['id']}/dispatch", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 409 and r.json()["code"] == "no_locksmith"
    # A second request at the same address within the window: flagged, witness required.
    clock.advance(minutes=5)
    r = _request(client, accounts)
    assert "repeat" not in r.json()["flags"]  # one earlier request; the rule wants two
    r = _request(client, accounts)
    assert "repeat" in r.json()["flags"] and r.json()["status"] == "awaiting_witness"


def test_forged_unfiled_and_suspended_locksmiths_are_refused(client, db, accounts, world, clock):
    rid = _request(client, accounts).json()["id"]
    # Another locksmith account, bound to the filed unit but not filed itself.
    with db.session() as s:
        from pingan.auth import service as auth_service
        from pingan.pii.vault import Vault
        from tests.conftest import SECRET, TEST_PASSWORD

        vault = Vault(base64.urlsafe_b64decode(SECRET))
        forged = auth_service.create_user(
            s,
            Actor.system("test"),
            vault,
            username="fake1",
            password=TEST_PASSWORD,
            role=Role.LOCKSMITH,
        )
        units.bind_user(
            s,
            Actor.system("test"),
            world["unit_id"],
            user_id=forged.id,
            valid_from=clock.now - timedelta(hours=1),
        )
    token = client.post(
        "/api/v1/auth/login", json={"username": "fake1", "password": TEST_PASSWORD}
    ).json()["access_token"]
    r = client.post(f"{API}/jobs/{rid}/accept", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.json()["code"] == "locksmith_not_filed"
    # A police account is not a locksmith at all.
    r = client.post(f"{API}/jobs/{rid}/accept", headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # Filing refusals: a made-up number, an unchecked record, a police unit.
    officer = accounts.headers(Role.OFFICER)
    for change, code in (
        ({"filing_number": "GA-2026-0001"}, "bad_filing_number"),
        ({"clean_record_checked": False}, "clean_record_unchecked"),
        ({"filing_number": "KS-150602-2026-0002"}, "already_filed"),
    ):
        r = client.post(f"{API}/locksmiths", json={**world["filing"], **change}, headers=officer)
        assert r.status_code in (409, 422) and r.json()["code"] == code, r.text
    r = client.post(
        f"{API}/locksmiths", json=world["filing"], headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 403
    # Suspended: cannot act, and is not dispatched again.
    r = client.post(
        f"{API}/locksmiths/{world['locksmith_id']}/status",
        json={"status": "suspended", "reason": "投诉核查"},
        headers=officer,
    )
    assert r.status_code == 200
    r = client.post(f"{API}/jobs/{rid}/accept", headers=accounts.headers(Role.LOCKSMITH))
    assert r.status_code == 403 and r.json()["code"] == "locksmith_suspended"
    with db.session() as s:
        units.move_status(s, world["unit_id"], UnitStatus.AVAILABLE)  # the unit itself is free
        s.commit()
    clock.advance(minutes=1)
    r = _request(client, accounts)
    assert r.json()["status"] == "ready" and r.json()["locksmith_id"] is None
    r = client.post(
        f"{API}/requests/{r.json()['id']}/dispatch", headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 409 and r.json()["code"] == "no_locksmith"


def test_refusals_and_110(client, db, accounts, world):
    r = _request(client, accounts, lock_type="vehicle", target="蒙K12345")
    assert r.status_code == 403 and r.json()["code"] == "vehicle_not_owned"
    r = _request(client, accounts, lock_type="safe", target="150602009999")
    assert r.status_code == 403 and r.json()["code"] == "safe_without_proof"
    r = _request(client, accounts, lock_type="boat")
    assert r.status_code == 422 and r.json()["code"] == "unknown_lock_type"
    r = _request(client, accounts, target="not-an-address")
    assert r.status_code == 422 and r.json()["code"] == "bad_target"
    r = _request(client, accounts, lock_type="safe")  # a safe at home: entitled, 110 told first
    assert r.status_code == 201 and r.json()["notified_110"]
    with db.session() as s:
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "unlock.notify_110")).all()
        assert len(events) == 1 and ZHANG not in json.dumps(events[0].payload)
    # Below L2: refused.
    r = client.post(
        f"{API}/requests",
        json={"lock_type": "home", "target": HOME, "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]},
        headers=accounts.headers(Role.OFFICER),
    )
    assert r.status_code == 403 and r.json()["code"] == "assurance_too_low"
    r = client.post(
        f"{API}/entitlements",
        json={"csv": "kind,id_number,target\nflat,1,2\n"},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_entitlement_file"


def test_night_hours_and_rules_data():
    r = rules()
    at = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    assert risk.is_night(at, r) and not risk.is_night(at.replace(hour=4), r)  # 12:00
    assert r.filing_number.fullmatch("KS-150602-2026-0001")
    assert not r.filing_number.fullmatch("KS-150602-2026-001")
    text = resources.files("pingan.trust.unlock").joinpath("rules.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    with pytest.raises(ValueError, match="retention_days"):
        parse({**data, "retention_days": 30})  # under three months


def test_check_in_position_checks_and_officer_override(client, db, accounts, world, clock):
    from tests.helpers import create_incident

    create_incident(client, accounts.headers(Role.DISPATCHER), lon=FOUNTAIN[0], lat=FOUNTAIN[1])
    clock.advance(minutes=1)
    r = _request(client, accounts)
    req = r.json()
    assert "recent_incident" in req["flags"] and req["status"] == "awaiting_witness"
    rid = req["id"]
    r = client.post(
        f"{API}/requests/{rid}/witness",
        json={"kind": "officer"},
        headers=accounts.headers(Role.OFFICER),
    )
    assert r.json()["status"] == "dispatched", r.text
    smith = accounts.headers(Role.LOCKSMITH)
    client.post(f"{API}/jobs/{rid}/accept", headers=smith)
    # The phone claims the door while the platform's fix puts the unit 2 km away.
    _position(client, accounts, clock, world["unit_id"], FAR)
    r = client.post(
        f"{API}/jobs/{rid}/checkin", json={"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}, headers=smith
    )
    assert r.status_code == 422 and r.json()["code"] == "position_mismatch"
    # An officer accepts it; the override is recorded and shown as such.
    body = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1], "reason": "定位漂移，民警在场确认"}
    r = client.post(
        f"{API}/requests/{rid}/checkin-override", json=body, headers=accounts.headers(Role.CITIZEN)
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/requests/{rid}/checkin-override", json=body, headers=accounts.headers(Role.OFFICER)
    )
    assert r.status_code == 200, r.text
    checkin = r.json()["checkin"]
    assert checkin["confirmed_by"] == "override" and checkin["override"]["by"] == "officer1"
    # Audit records carry masked ID numbers only.
    rows = client.get("/api/v1/audit", headers=accounts.headers(Role.AUDITOR)).json()
    text = json.dumps(rows, ensure_ascii=False)
    assert "unlock.checked_in" in text and ZHANG not in text


def test_pages_read_names_candidates_and_the_phones_unit(client, db, accounts, world, clock):
    """The filing list names account and van; the filing form picks from unfiled locksmith
    accounts and units; the phone sees its unit, whether it crews it, and its last fix."""
    officer = accounts.headers(Role.OFFICER)
    listed = client.get(f"{API}/locksmiths", headers=accounts.headers(Role.AUDITOR)).json()
    assert [(s["username"], s["call_sign"]) for s in listed] == [("locksmith1", "LS1")]
    with db.session() as s:
        spare = units.create_unit(s, Actor.system("test"), call_sign="LS2", kind="locksmith")
        units.create_unit(s, Actor.system("test"), call_sign="P9", kind="patrol_car")
        spare_id = spare.id
    r = client.get(f"{API}/locksmiths/candidates", headers=officer)
    assert r.status_code == 200, r.text
    assert r.json() == {"accounts": [], "units": [{"id": spare_id, "call_sign": "LS2"}]}
    r = client.get(f"{API}/locksmiths/candidates", headers=accounts.headers(Role.AUDITOR))
    assert r.status_code == 403  # reading the station's list is not filing
    smith = accounts.headers(Role.LOCKSMITH)
    me = client.get(f"{API}/locksmith/me", headers=smith).json()
    assert me["filing"]["call_sign"] == "LS1"
    assert me["unit"]["id"] == world["unit_id"] and me["unit"]["bound"] is True
    _position(client, accounts, clock, world["unit_id"], FOUNTAIN)
    me = client.get(f"{API}/locksmith/me", headers=smith).json()
    assert (me["unit"]["lon"], me["unit"]["lat"]) == pytest.approx(FOUNTAIN)
    assert me["unit"]["position_at"] is not None
