"""Small builders shared by API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from pingan.auth.roles import Role

FOUNTAIN = (109.7835, 39.5993)


def incident_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "type": "fight",
        "summary": "音乐喷泉南侧两名游客发生冲突",
        "lon": FOUNTAIN[0],
        "lat": FOUNTAIN[1],
        "address": "康巴什区音乐喷泉",
        "area_code": "music_fountain",
        "source": "call_110",
        "reporter_name": "李先生",
        "reporter_phone": "13912345678",
    }
    body.update(overrides)
    return body


def create_incident(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict:
    r = client.post("/api/v1/incidents", json=incident_body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def create_unit(client: TestClient, headers: dict[str, str], call_sign: str, **extra: Any) -> dict:
    body = {
        "call_sign": call_sign,
        "kind": "patrol_car",
        "post_lon": FOUNTAIN[0] + 0.002,
        "post_lat": FOUNTAIN[1],
        **extra,
    }
    r = client.post("/api/v1/units", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def counts(client: TestClient, accounts: Any) -> tuple[int, int]:
    """(incidents, audit records) as seen by a dispatcher and an auditor."""
    inc = client.get("/api/v1/incidents", headers=accounts.headers(Role.DISPATCHER)).json()
    aud = client.get("/api/v1/audit", headers=accounts.headers(Role.AUDITOR)).json()
    return inc["total"], aud["total"]


def bind(client: TestClient, accounts: Any, unit_id: int, role: Role = Role.OFFICER) -> dict:
    """Bind the test account of a role (default: the officer) to a unit, as a dispatcher."""
    r = client.post(
        f"/api/v1/units/{unit_id}/bindings",
        json={"user_id": accounts.ids[role]},
        headers=accounts.headers(Role.DISPATCHER),
    )
    assert r.status_code == 201, r.text
    return r.json()


def report_fix(
    client: TestClient,
    headers: dict[str, str],
    unit_id: int,
    where: tuple[float, float],
    at: Any = None,
) -> dict:
    """A unit's position fix (at: an aware datetime, default now)."""
    body: dict[str, Any] = {"lon": where[0], "lat": where[1]}
    if at is not None:
        body["at"] = at.isoformat()
    r = client.put(f"/api/v1/units/{unit_id}/position", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def raw_table(db: Any, table: str) -> str:
    """Every stored value of a table as text, read past the models (what a disk thief sees)."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return str(conn.execute(text(f"SELECT * FROM {table}")).all())


def response_report(client: TestClient, accounts: Any, since: Any) -> dict:
    """`GET /reports/response` from `since` (a datetime, exclusive of what came before), as
    the commander reads it."""
    r = client.get(
        "/api/v1/reports/response",
        params={"since": since.isoformat()},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert r.status_code == 200, r.text
    return r.json()
