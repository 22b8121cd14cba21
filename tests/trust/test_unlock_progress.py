"""What the requester's and the witness's pages read: one's own requests with who was sent and
the drafted record, and the witness's list (waiting requests nearest the unit first, masked)."""

from __future__ import annotations

from datetime import timedelta

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.units import service as units
from tests.helpers import FOUNTAIN
from tests.trust import test_unlock as base
from tests.trust.people import ZHANG

API = base.API
world = base.world  # the resident at L2, the tables and the filed locksmith


def test_my_requests_show_the_locksmith_and_the_drafted_record(client, accounts, world, clock):
    citizen = accounts.headers(Role.CITIZEN)
    rid = base._request(client, accounts).json()["id"]
    mine = client.get(f"{API}/requests/mine", headers=citizen).json()
    row = next(r for r in mine if r["id"] == rid)
    assert row["status"] == "dispatched"
    assert row["locksmith"] == {
        "filing_number": "KS-150602-2026-0001",
        "company": "康巴什安心锁业",
        "name_masked": "王**",
    }
    assert row["record"] is None and row["signed"] == [] and row["retain_until"] is None

    base._on_site(client, accounts, clock, world, rid)
    row = next(
        r for r in client.get(f"{API}/requests/mine", headers=citizen).json() if r["id"] == rid
    )
    assert row["status"] == "signing"
    assert row["record"]["method"] == "technical" and row["record"]["fee_fen"] == 15000
    assert row["record"]["checkin"]["confirmed_by"] == "position"
    assert [p["stage"] for p in row["record"]["photos"]] == ["before", "after"]
    assert ZHANG not in str(row)  # masked only

    smith = accounts.headers(Role.LOCKSMITH)
    assert client.post(f"{API}/jobs/{rid}/sign", headers=smith).status_code == 200
    clock.advance(minutes=1)
    client.post(
        "/api/v1/trust/identity/verify", json={"method": "face", "image_ref": "x"}, headers=citizen
    )
    assert client.post(f"{API}/requests/{rid}/sign/requester", headers=citizen).status_code == 200
    row = next(
        r for r in client.get(f"{API}/requests/mine", headers=citizen).json() if r["id"] == rid
    )
    assert row["status"] == "filed" and row["signed"] == ["requester", "locksmith"]
    assert row["retain_until"] and row["filed_at"]


def test_witness_list_nearest_first_masked_and_permission_checked(
    client, db, accounts, world, clock
):
    far = (FOUNTAIN[0] + 0.02, FOUNTAIN[1] + 0.01)
    near_id = base._request(client, accounts, target="150602009998").json()["id"]
    far_id = base._request(client, accounts, target="150602009997", point=far).json()["id"]
    volunteer = accounts.headers(Role.VOLUNTEER)

    # Not crewing a unit: newest first, no distance.
    listed = client.get(f"{API}/witness/requests", headers=volunteer)
    assert listed.status_code == 200, listed.text
    waiting = listed.json()["waiting"]
    assert [w["id"] for w in waiting][:2] == [far_id, near_id]
    assert waiting[0]["distance_m"] is None
    assert waiting[0]["id_masked"].startswith("1506") and ZHANG not in listed.text
    assert "requester_id" not in waiting[0] and "subject_key" not in waiting[0]

    # Crewing a unit near the fountain: the request there comes first.
    with db.session() as s:
        unit = units.create_unit(
            s, Actor.system("test"), call_sign="V9", kind="volunteer", post=FOUNTAIN
        )
        units.bind_user(
            s,
            Actor.system("test"),
            unit.id,
            user_id=accounts.ids[Role.VOLUNTEER],
            valid_from=clock.now - timedelta(hours=1),
        )
    waiting = client.get(f"{API}/witness/requests", headers=volunteer).json()["waiting"]
    assert [w["id"] for w in waiting][:2] == [near_id, far_id]
    assert waiting[0]["distance_m"] < 50 < waiting[1]["distance_m"]

    # Joined: off the waiting list, on the witness's own.
    r = client.post(
        f"{API}/requests/{near_id}/witness", json={"kind": "community_worker"}, headers=volunteer
    )
    assert r.status_code == 200, r.text
    listed = client.get(f"{API}/witness/requests", headers=volunteer).json()
    assert near_id not in [w["id"] for w in listed["waiting"]]
    assert [(w["id"], w["witness_kind"]) for w in listed["mine"]] == [(near_id, "community_worker")]
    assert listed["mine"][0]["locksmith"]["filing_number"] == "KS-150602-2026-0001"

    # Residents, locksmiths and the station's readers are not witnesses.
    for role in (Role.CITIZEN, Role.LOCKSMITH, Role.AUDITOR):
        r = client.get(f"{API}/witness/requests", headers=accounts.headers(role))
        assert r.status_code == 403, role
