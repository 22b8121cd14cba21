"""Identity assurance over HTTP, on SQLite and PostgreSQL: each level reached and refused
with its reason, the face-free path to L2, L3 only by an officer, masking, failure limits."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from pingan.auth.roles import Role
from pingan.trust.identity import register
from pingan.trust.identity.adapters import Adapters, NoFace, TestDoubleFace, TestDoubleSms
from pingan.trust.identity.models import Attempt, Verification
from tests.trust.people import LI, NOT_IN, WANG, ZHANG, ZHAO, bad_check

URL = "/api/v1/trust/identity"
pytestmark = pytest.mark.usefixtures("loaded")


def _verify(client, accounts, role=Role.CITIZEN, **body):
    return client.post(f"{URL}/verify", json=body, headers=accounts.headers(role))


def _level(client, accounts, role=Role.CITIZEN) -> int:
    r = client.get(f"{URL}/me", headers=accounts.headers(role))
    assert r.status_code == 200, r.text
    return r.json()["level"]


def _verifications(db) -> int:
    with db.session(read_only=True) as s:
        return s.scalar(select(func.count()).select_from(Verification))


def _doubles(client, face=None) -> TestDoubleSms:
    sms = TestDoubleSms()
    client.app.state.identity_adapters = Adapters(face=face or TestDoubleFace(), sms=sms)
    return sms


@pytest.mark.parametrize(
    ("id_number", "name", "status", "code"),
    [
        (bad_check(ZHANG), "张三", 422, "invalid_id_number"),
        ("15060219901301123X", "张三", 422, "invalid_id_number"),  # month 13
        ("", "张三", 422, "invalid_id_number"),
        (NOT_IN, "张三", 404, "not_in_register"),
        (ZHANG, "张四", 422, "name_mismatch"),
        (WANG, "王五", 409, "deceased"),
    ],
)
def test_real_name_refused_with_its_reason_and_nothing_stored(
    client, accounts, db, id_number, name, status, code
):
    r = _verify(client, accounts, id_number=id_number, name=name)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert _verifications(db) == 0
    assert _level(client, accounts) == 0


def test_real_name_reaches_l1_and_binds_the_account_to_one_person(client, accounts, db):
    r = _verify(client, accounts, id_number=ZHANG.lower(), name=" 张 三 ")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"] == 1 and body["level_name"] == "L1"
    assert body["verification"]["id_masked"] == ZHANG[:4] + "*" * 10 + ZHANG[-4:]
    assert body["verification"]["name_masked"] == "张*"
    me = client.get(f"{URL}/me", headers=accounts.headers(Role.CITIZEN)).json()
    assert me["level"] == 1 and me["method"] == "id_name"
    expires = datetime.fromisoformat(me["expires_at"])
    assert expires - datetime.fromisoformat(me["verified_at"]) == timedelta(days=365)
    r = _verify(client, accounts, id_number=LI, name="李四")
    assert r.status_code == 409 and r.json()["code"] == "other_subject"


def test_face_reaches_l2_and_stores_only_the_providers_reference(client, accounts, db):
    _doubles(client)
    r = _verify(client, accounts, method="face", image_ref="sdk-token-1")
    assert r.status_code == 403 and r.json()["code"] == "needs_real_name"
    assert _verify(client, accounts, id_number=ZHANG, name="张三").status_code == 200
    r = _verify(client, accounts, method="face", image_ref="spoof-1")
    assert r.status_code == 422 and r.json()["code"] == "liveness_failed"
    r = _verify(client, accounts, method="face", image_ref="other-person")
    assert r.status_code == 422 and r.json()["code"] == "liveness_failed"
    assert _level(client, accounts) == 1
    r = _verify(client, accounts, method="face", image_ref="sdk-token-1")
    assert r.status_code == 200, r.text
    v = r.json()["verification"]
    assert r.json()["level"] == 2 and v["method"] == "face" and v["provider"] == "double"
    assert v["provider_ref"].startswith("double-") and "sdk-token" not in v["provider_ref"]
    assert _level(client, accounts) == 2


def test_one_time_code_reaches_l2_without_any_face_data(client, accounts, db):
    sms = _doubles(client, face=NoFace())  # no face provider at all
    assert _verify(client, accounts, id_number=ZHANG, name="张三").status_code == 200
    r = _verify(client, accounts, method="face", image_ref="x")
    assert r.status_code == 503 and r.json()["code"] == "face_unavailable"
    r = _verify(client, accounts, method="otp")
    assert r.status_code == 200, r.text
    assert r.json()["otp_sent_to"] == "139****5678" and r.json()["level"] == 1
    ((phone, code),) = sms.sent
    assert phone == "13912345678" and len(code) == 6
    wrong = "000000" if code != "000000" else "111111"
    r = _verify(client, accounts, method="otp", code=wrong)
    assert r.status_code == 422 and r.json()["code"] == "otp_wrong"
    r = _verify(client, accounts, method="otp", code=code)
    assert r.status_code == 200, r.text
    v = r.json()["verification"]
    assert r.json()["level"] == 2 and v["method"] == "otp"
    assert v["provider_ref"] is None and v["score"] is None
    assert _level(client, accounts) == 2
    r = _verify(client, accounts, method="otp", code=code)  # used once only
    assert r.status_code == 409 and r.json()["code"] == "otp_not_sent"


def test_an_expired_code_and_a_register_without_phone_are_refused(client, accounts, clock):
    sms = _doubles(client)
    assert _verify(client, accounts, id_number=ZHANG, name="张三").status_code == 200
    assert _verify(client, accounts, method="otp").status_code == 200
    clock.advance(seconds=301)
    r = _verify(client, accounts, method="otp", code=sms.sent[-1][1])
    assert r.status_code == 422 and r.json()["code"] == "otp_expired"
    r = _verify(client, accounts, Role.VOLUNTEER, id_number=ZHAO, name="赵六")
    assert r.status_code == 200
    r = _verify(client, accounts, Role.VOLUNTEER, method="otp")
    assert r.status_code == 409 and r.json()["code"] == "no_phone_on_register"


def test_in_person_needs_an_officer_and_reaches_l3(client, accounts, db):
    citizen = accounts.ids[Role.CITIZEN]
    body = {"id_number": LI, "name": "李四", "user_id": citizen}
    r = client.post(f"{URL}/in-person", json=body, headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    own = {**body, "user_id": accounts.ids[Role.OFFICER]}
    r = client.post(f"{URL}/in-person", json=own, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403 and r.json()["code"] == "own_verification"
    r = client.post(f"{URL}/in-person", json={**body, "name": "李五"},
                    headers=accounts.headers(Role.OFFICER))  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "name_mismatch"
    assert _verifications(db) == 0
    r = client.post(f"{URL}/in-person", json=body, headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 200, r.text
    v = r.json()["verification"]
    assert r.json()["level"] == 3 and v["officer_username"] == "officer1"
    assert _level(client, accounts) == 3
    trail = client.get("/api/v1/audit", headers=accounts.headers(Role.AUDITOR)).json()
    actions = [(e["action"], e["actor"]) for e in trail["items"]]
    assert ("identity.verified", "officer1") in actions, actions


def test_a_person_registered_deceased_later_loses_the_level(client, accounts, db, vault, clock):
    assert _verify(client, accounts, id_number=LI, name="李四").status_code == 200
    assert _level(client, accounts) == 1
    from pingan.auth.actor import Actor

    with db.session() as s:
        register.import_csv(s, Actor.system("test"), vault,
                            f"id_number,name,address_code,status\n{LI},李四,150602,deceased\n",
                            now=clock.now)  # fmt: skip
    assert _level(client, accounts) == 0


def test_failures_are_limited_per_account_then_the_window_passes(client, accounts, db, clock):
    for _ in range(5):
        r = _verify(client, accounts, id_number=ZHANG, name="错名")
        assert r.status_code == 422
    r = _verify(client, accounts, id_number=ZHANG, name="张三")
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    assert int(r.headers["retry-after"]) > 0
    with db.session(read_only=True) as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == 5  # 429 is not counted
    clock.advance(minutes=61)
    assert _verify(client, accounts, id_number=ZHANG, name="张三").status_code == 200


def test_lists_audit_and_logs_show_masked_values_only(client, accounts, caplog):
    caplog.set_level(logging.DEBUG)
    _doubles(client)
    assert _verify(client, accounts, id_number=ZHANG, name="张三").status_code == 200
    _verify(client, accounts, Role.VOLUNTEER, id_number=LI, name="李五")  # refused
    assert _verify(client, accounts, method="face", image_ref="tok").status_code == 200
    officer = accounts.headers(Role.OFFICER)
    texts = [
        client.get(f"{URL}/verifications", headers=officer).text,
        client.get(f"{URL}/register", headers=officer).text,
        client.get("/api/v1/audit?limit=500", headers=accounts.headers(Role.AUDITOR)).text,
        caplog.text,
    ]
    listed = client.get(f"{URL}/register", headers=officer).json()
    assert listed["total"] == 4 and {p["status"] for p in listed["items"]} >= {"deceased"}
    assert client.get(f"{URL}/verifications", headers=officer).json()["total"] == 2
    for shown in texts:
        for secret in (ZHANG, LI, WANG, "张三", "李四", "13912345678", ZHANG[6:14]):
            assert secret not in shown
    assert "张*" in texts[0] and ZHANG[-4:] in texts[0]
    r = client.get(f"{URL}/verifications", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 403


def test_register_import_over_http_is_all_or_nothing(client, accounts):
    admin = accounts.headers(Role.ADMIN)
    bad = f"id_number,name,address_code\n{NOT_IN},新人,150602\n{bad_check(NOT_IN)},错号,150602\n"
    r = client.post(f"{URL}/register", json={"csv": bad}, headers=admin)
    assert r.status_code == 422 and r.json()["code"] == "bad_register_file"
    assert "3" in r.json()["detail"] and "[invalid_id_number]" in r.json()["detail"]
    officer = accounts.headers(Role.OFFICER)
    assert client.get(f"{URL}/register", headers=officer).json()["total"] == 4
    good = f"id_number,name,address_code\n{NOT_IN},新人,150602\n{LI},李四,150603\n"
    r = client.post(f"{URL}/register", json={"csv": good}, headers=admin)
    assert r.status_code == 200 and r.json() == {"added": 1, "updated": 1}
    r = client.post(f"{URL}/register", json={"csv": good}, headers=officer)
    assert r.status_code == 403
