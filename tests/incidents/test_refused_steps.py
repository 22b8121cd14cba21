"""A refused lifecycle step changes nothing: not the incident's state, times or timeline, not
its assignments, not the units it names, not the audit trail (both stores, over HTTP)."""

from __future__ import annotations

import pytest

from pingan.auth.roles import Role
from tests.helpers import FOUNTAIN, create_incident, create_unit, report_fix

UNIT_STEPS = ("acknowledge", "en-route", "on-scene")
ALL_STEPS = ("dispatch", *UNIT_STEPS, "resolve", "close", "cancel", "merge")

# How the incident reaches each state: steps in order ("fix": the unit reports a position
# at the scene, so that its arrival is confirmed).
JOURNEY = {
    "received": (),
    "dispatched": ("send",),
    "acknowledged": ("send", "acknowledge"),
    "en_route": ("send", "acknowledge", "en-route"),
    "on_scene": ("send", "acknowledge", "en-route", "fix", "on-scene"),
    "resolved": ("send", "acknowledge", "en-route", "fix", "on-scene", "resolve"),
    "closed": ("send", "acknowledge", "en-route", "fix", "on-scene", "resolve", "close"),
    "cancelled": ("cancel",),
    "merged": ("merge",),
}

# Every step refused from each state: by the lifecycle table, because the unit has already
# passed that stage, because the unit is busy, or (en route, no fix) because the arrival is
# not confirmed.
REFUSED = {
    "received": (*UNIT_STEPS, "resolve", "close"),
    "dispatched": ("dispatch a busy unit", "resolve", "close"),
    "acknowledged": ("dispatch a busy unit", "acknowledge", "resolve", "close"),
    "en_route": ("dispatch a busy unit", "acknowledge", "en-route", "on-scene", "resolve", "close"),
    "on_scene": ("dispatch a busy unit", *UNIT_STEPS, "close", "cancel"),
    "resolved": tuple(s for s in ALL_STEPS if s != "close"),
    "closed": ALL_STEPS,
    "cancelled": ALL_STEPS,
    "merged": ALL_STEPS,
}
# States in which the unit has no live assignment: its steps are 'not assigned' (404).
UNASSIGNED = {"received", "resolved", "closed", "cancelled", "merged"}


def _requests(unit: int, spare: int, other: int) -> dict[str, tuple[str, dict]]:
    """Each step as (path under the incident, body)."""
    return {
        "send": ("dispatch", {"unit_ids": [unit]}),
        "dispatch": ("dispatch", {"unit_ids": [spare]}),
        "dispatch a busy unit": ("dispatch", {"unit_ids": [spare, unit]}),
        **{step: (f"units/{unit}/{step}", {}) for step in UNIT_STEPS},
        "resolve": ("resolve", {"outcome": "双方已调解"}),
        "close": ("close", {"note": "结案"}),
        "cancel": ("cancel", {"reason": "重复报警"}),
        "merge": ("merge", {"into_id": other}),
    }


def _unit(client, headers: dict[str, str], unit_id: int) -> dict:
    """The unit as stored (less the age of its fix, which grows with the clock)."""
    body = client.get(f"/api/v1/units/{unit_id}", headers=headers).json()
    body.pop("position_age_s")
    return body


@pytest.mark.parametrize("state", REFUSED)
def test_a_refused_step_leaves_the_incident_as_it_was(client, accounts, state):
    disp, auditor = accounts.headers(Role.DISPATCHER), accounts.headers(Role.AUDITOR)
    commander = accounts.headers(Role.COMMANDER)
    inc, other = create_incident(client, disp), create_incident(client, disp)
    unit, spare = (create_unit(client, commander, c)["id"] for c in ("巡R1", "巡R2"))
    requests = _requests(unit, spare, other["id"])
    base = f"/api/v1/incidents/{inc['id']}"
    for step in JOURNEY[state]:
        if step == "fix":
            report_fix(client, disp, unit, FOUNTAIN)
            continue
        path, body = requests[step]
        assert client.post(f"{base}/{path}", json=body, headers=disp).status_code == 200, step

    def snapshot() -> tuple:
        """The incident (state, times, version, timeline, assignments), the other incident,
        both units and the audit trail's length."""
        return (
            client.get(base, headers=disp).json(),
            client.get(f"/api/v1/incidents/{other['id']}", headers=disp).json(),
            [_unit(client, disp, u) for u in (unit, spare)],
            client.get("/api/v1/audit?limit=1", headers=auditor).json()["total"],
        )

    before = snapshot()
    assert before[0]["state"] == state
    for step in REFUSED[state]:
        path, body = requests[step]
        r = client.post(f"{base}/{path}", json=body, headers=disp)
        expected = 404 if step in UNIT_STEPS and state in UNASSIGNED else 409
        assert r.status_code == expected, (step, r.text)
        assert snapshot() == before, step
