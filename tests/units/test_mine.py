"""An officer's phone reads its own units and their open jobs from the server, nothing else."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.helpers import bind, create_incident, create_unit

UNITS = "/api/v1/units"
INCIDENTS = "/api/v1/incidents"


def _dispatch(client, accounts, incident_id: int, unit_id: int) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        f"{INCIDENTS}/{incident_id}/dispatch",
        json={"unit_ids": [unit_id]},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 200, r.text


def test_my_units_are_the_units_bound_to_me_now(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    mine, other = create_unit(client, cmd, "巡M01"), create_unit(client, cmd, "巡M02")
    officer = accounts.headers(Role.OFFICER)
    assert client.get(f"{UNITS}/mine", headers=officer).json() == []
    bind(client, accounts, mine["id"])
    listed = client.get(f"{UNITS}/mine", headers=officer).json()
    assert [u["call_sign"] for u in listed] == ["巡M01"] and other["id"] not in {
        u["id"] for u in listed
    }
    # the volunteer's bindings are its own; a citizen may not read units at all
    assert client.get(f"{UNITS}/mine", headers=accounts.headers(Role.VOLUNTEER)).json() == []
    assert client.get(f"{UNITS}/mine", headers=accounts.headers(Role.CITIZEN)).status_code == 403


def test_my_incidents_are_the_open_jobs_of_my_units_only(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    mine, other = create_unit(client, cmd, "巡M03"), create_unit(client, cmd, "巡M04")
    bind(client, accounts, mine["id"])
    officer = accounts.headers(Role.OFFICER)
    job = create_incident(client, cmd, summary="音乐喷泉东侧争吵")
    elsewhere = create_incident(client, cmd, summary="广场西侧争吵")
    unsent = create_incident(client, cmd, summary="无人派出")
    _dispatch(client, accounts, job["id"], mine["id"])
    _dispatch(client, accounts, elsewhere["id"], other["id"])
    got = client.get(f"{INCIDENTS}/mine", headers=officer)
    assert got.status_code == 200, got.text
    jobs = got.json()
    assert [j["id"] for j in jobs] == [job["id"]]
    assert unsent["id"] not in {j["id"] for j in jobs}
    assert [(a["unit_id"], a["state"]) for a in jobs[0]["assignments"]] == [
        (mine["id"], "dispatched")
    ]
    # a released unit has no job there any more
    r = client.post(
        f"{INCIDENTS}/{job['id']}/units/{mine['id']}/release",
        json={},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 200, r.text
    assert client.get(f"{INCIDENTS}/mine", headers=officer).json() == []
    # a dispatcher bound to nothing has no jobs of its own (it sees the queue instead)
    assert client.get(f"{INCIDENTS}/mine", headers=accounts.headers(Role.DISPATCHER)).json() == []
