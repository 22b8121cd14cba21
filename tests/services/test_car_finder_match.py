"""Finding a car: an owner sees only reads of their own plate (a misread corrected I→1,
O→0 still counts), never an OCR-confusable neighbour that may be someone else's car;
officers with a reason get the neighbours, marked and audited."""

from __future__ import annotations

from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from tests.helpers import FOUNTAIN
from tests.services.conftest import GUARDIAN_ID, OTHER_ID, ago

API = "/api/v1/services"
A, B = "蒙K85123", "蒙KB5123"  # B folds onto A: OCR-confusable neighbours, two real cars


def read(plate: str, minutes: float, camera: str) -> dict:
    return {
        "plate": plate,
        "camera_id": camera,
        "lon": FOUNTAIN[0] + 0.003,
        "lat": FOUNTAIN[1],
        "at": ago(minutes=minutes),
        "place": "湖滨停车场",
    }


def find(client, headers, plate: str, **extra: str):
    body = {"plate": plate, "lon": FOUNTAIN[0], "lat": FOUNTAIN[1], **extra}
    return client.post(f"{API}/parking/find", json=body, headers=headers)


def test_owner_sees_own_misread_car_but_never_a_confusable_neighbour(client, accounts, db):
    officer, citizen = accounts.headers(Role.OFFICER), accounts.headers(Role.CITIZEN)
    reads = [
        read(A, 90, "P-1"),
        read("蒙K85I23", 40, "P-2"),  # A misread: I is never on a plate, so it is A
        read(B, 10, "P-3"),  # newest of all, but B's car
        read("蒙KS5555", 5, "P-4"),  # only a neighbour of 蒙K55555
    ]
    assert client.post(f"{API}/parking/reads", json={"reads": reads}, headers=officer).is_success
    for plate, owner in ((A, GUARDIAN_ID), (B, OTHER_ID), ("蒙K55555", GUARDIAN_ID)):
        body = {"plate": plate, "owner_id_number": owner}
        assert client.post(f"{API}/parking/owners", json=body, headers=officer).is_success

    mine = find(client, citizen, A, owner_id_number=GUARDIAN_ID)
    assert mine.status_code == 200, mine.text
    car = mine.json()
    assert car["plate_read"] == "蒙K85I23" and car["camera_id"] == "P-2"
    assert car["match"] == "corrected" and car["exact"] is False
    assert "I→1" in car["match_rule"] and "登记车牌" in car["match_rule"]
    # one language at a time: the rule in English when English is asked for
    en = find(client, {**citizen, "Accept-Language": "en"}, A, owner_id_number=GUARDIAN_ID)
    assert en.json()["match_rule"] == (
        "only reads equal to the registered plate are shown, after correcting I→1, O→0 in the read"
    )

    # A's owner cannot ask for B, and B's owner gets B's own read
    refused = find(client, citizen, B, owner_id_number=GUARDIAN_ID)
    assert refused.status_code == 403 and "lon" not in refused.json()
    theirs = find(client, citizen, B, owner_id_number=OTHER_ID).json()
    assert theirs["plate_read"] == B and theirs["match"] == "exact"

    # a neighbour alone is no sighting for the owner, and the answer says the rule
    none = find(client, citizen, "蒙K55555", owner_id_number=GUARDIAN_ID)
    assert none.status_code == 404 and none.json()["code"] == "no_sighting"
    assert "I→1" in none.json()["detail"]

    reason = "车主报称车辆被盗，案件号 JQ7"
    by_officer = find(client, officer, A, reason=reason)
    assert by_officer.status_code == 200
    seen = by_officer.json()
    assert seen["plate_read"] == B and seen["match"] == "neighbour"
    assert "可能是另一辆车" in seen["match_rule"]
    with db.session() as s:
        details = s.scalars(
            select(AuditRecord.detail).where(
                AuditRecord.action == "parking.query", AuditRecord.object_id == A
            )
        ).all()
    assert {d["match"] for d in details} == {"corrected", "neighbour"}
    assert any(d["basis"] == "officer" and d["reason"] == reason for d in details)
