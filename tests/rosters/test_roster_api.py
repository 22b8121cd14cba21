"""Shift rosters over the API: commanders fill them in, others read; every write audited;
bad lines refused with reasons and nothing stored."""

from __future__ import annotations

from pingan.auth.roles import Role

DAY = "2026-10-02"


def _line(call_sign: str, kind: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"call_sign": call_sign, "kind": kind, **extra}


def test_commander_fills_in_a_shift_and_officer_shifts_count_police_only(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    body = {
        "entries": [
            _line("PTU-01", "ptu", crew=4, area_code="music_fountain"),
            _line("巡A01", "patrol_car"),  # the kind's usual crew: 2
            _line("武警01", "armed_police", crew=6, partner="武警鄂尔多斯支队"),
            _line("网格01", "grid_worker", area_code="shopping_street"),
        ]
    }
    r = client.put(f"/api/v1/rosters/{DAY}/day", json=body, headers=cmd)
    assert r.status_code == 200, r.text
    assert r.json()["officer_shifts"] == 6 and r.json()["partner_people"] == 7
    night = {"entries": [_line("巡A01", "patrol_car", crew=3)]}
    assert client.put(f"/api/v1/rosters/{DAY}/night", json=night, headers=cmd).status_code == 200
    for role in (Role.DISPATCHER, Role.COMMANDER, Role.AUDITOR):
        got = client.get(f"/api/v1/rosters?date={DAY}", headers=accounts.headers(role)).json()
        assert got["officer_shifts"] == 9  # 4 + 2 by day, 3 by night
    day = client.get(f"/api/v1/rosters?date={DAY}&shift=day", headers=cmd).json()
    partner = next(e for e in day["entries"] if e["call_sign"] == "武警01")
    assert partner["partner"] == "武警鄂尔多斯支队" and partner["crew"] == 6
    totals = {(t["shift_code"], t["kind"]): t for t in day["totals"]}
    assert totals[("day", "ptu")]["people"] == 4 and not totals[("day", "grid_worker")]["police"]


def test_replacing_a_shift_drops_its_old_lines(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    client.put(f"/api/v1/rosters/{DAY}/day", json={"entries": [_line("A", "k9")]}, headers=cmd)
    r = client.put(f"/api/v1/rosters/{DAY}/day", json={"entries": [_line("B", "k9")]}, headers=cmd)
    assert [e["call_sign"] for e in r.json()["entries"]] == ["B"]


def test_adding_units_to_a_shift_refuses_a_call_sign_already_on_it(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    url = f"/api/v1/rosters/{DAY}/night/entries"
    r = client.post(url, json={"entries": [_line("步01", "foot_patrol")]}, headers=cmd)
    assert r.status_code == 201 and r.json()[0]["crew"] == 2
    r = client.post(url, json={"entries": [_line("步02", "foot_patrol"), _line("步01", "k9")]},
                    headers=cmd)  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "roster_call_sign_taken"
    got = client.get(f"/api/v1/rosters?date={DAY}&shift=night", headers=cmd).json()
    assert [e["call_sign"] for e in got["entries"]] == ["步01"]  # 步02 not stored either


def test_only_commanders_write_and_officers_cannot_read(client, accounts):
    body = {"entries": [_line("巡A01", "patrol_car")]}
    for role in (Role.DISPATCHER, Role.OFFICER, Role.AUDITOR, Role.ADMIN):
        r = client.put(f"/api/v1/rosters/{DAY}/day", json=body, headers=accounts.headers(role))
        assert r.status_code == 403, role
    r = client.get(f"/api/v1/rosters?date={DAY}", headers=accounts.headers(Role.OFFICER))
    assert r.status_code == 403


def test_writes_are_audited(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    client.put(f"/api/v1/rosters/{DAY}/day", json={"entries": [_line("A", "ptu")]}, headers=cmd)
    client.post(f"/api/v1/rosters/{DAY}/day/entries", json={"entries": [_line("B", "ptu")]},
                headers=cmd)  # fmt: skip
    items = client.get("/api/v1/audit?limit=200", headers=accounts.headers(Role.AUDITOR)).json()[
        "items"
    ]
    actions = {a["action"]: a for a in items if a["action"].startswith("roster.")}
    assert set(actions) == {"roster.replace", "roster.add"}
    assert actions["roster.replace"]["detail"]["officer_shifts"] == 4


def test_bad_lines_are_refused_with_every_reason_and_nothing_is_stored(client, accounts):
    cmd = accounts.headers(Role.COMMANDER)
    client.put(f"/api/v1/rosters/{DAY}/day", json={"entries": [_line("keep", "ptu")]}, headers=cmd)
    bad = {
        "entries": [
            _line("X1", "tank"),
            _line("X2", "patrol_car", crew=0),
            _line("X3", "ptu", post_lon=109.78),
            _line("X3", "ptu"),
        ]
    }
    r = client.put(f"/api/v1/rosters/{DAY}/day", json=bad, headers={**cmd, "Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["code"] == "bad_roster"
    detail = r.json()["detail"]
    assert "tank" in detail and "crew" in detail and "post_lat" in detail and "twice" in detail
    got = client.get(f"/api/v1/rosters?date={DAY}&shift=day", headers=cmd).json()
    assert [e["call_sign"] for e in got["entries"]] == ["keep"]
    r = client.put(f"/api/v1/rosters/{DAY}/evening", json={"entries": []}, headers=cmd)
    assert r.status_code == 422 and r.json()["code"] == "bad_shift"
    assert client.get("/api/v1/rosters?date=2026-13-01", headers=cmd).status_code == 422
