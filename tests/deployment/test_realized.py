"""Busy fractions and delays measured from stored calls, and planned vs realized coverage on
a small stored day with known arrivals (both stores; every time pinned)."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.deployment import history
from pingan.deployment.models import DeploymentPlan
from pingan.deployment.realized import planned_lines, planned_vs_realized
from pingan.i18n import use_lang
from pingan.incidents.models import Assignment, Incident
from pingan.units.models import Unit

LOCAL = ZoneInfo("Asia/Shanghai")
ADMIN = Actor.system("test")
DAY = (2026, 7, 1)
_numbers = itertools.count(1)


def local(h: int, m: int = 0, s: int = 0) -> datetime:
    return datetime(*DAY, h, m, s, tzinfo=LOCAL)


def _unit(session, kind: str) -> Unit:
    n = next(_numbers)
    u = Unit(call_sign=f"T{n}", kind=kind, name=f"T{n}", capabilities=[], crew_size=2,
             status="available")  # fmt: skip
    session.add(u)
    session.flush()
    return u


def _incident(session, received, dispatched=None, acknowledged=None, on_scene=None,
              check="verified", sample=False, en_route=None) -> Incident:  # fmt: skip
    n = next(_numbers)
    i = Incident(case_number=f"C{n}", type_code="dispute", priority=2, state="closed",
                 source="phone", summary="x", lon=109.78, lat=39.59, created_by="test",
                 received_at=received, dispatched_at=dispatched, acknowledged_at=acknowledged,
                 en_route_at=en_route, on_scene_at=on_scene,
                 arrival_check=check if on_scene else None, sample=sample)  # fmt: skip
    session.add(i)
    session.flush()
    return i


def _sent(session, incident, unit, start, end, **times) -> None:
    session.add(Assignment(incident_id=incident.id, unit_id=unit.id, state="released",
                           dispatched_by="test", dispatched_at=start, released_at=end,
                           **times))  # fmt: skip


def test_busy_fractions_and_delays_come_from_the_stored_calls(db):
    with db.session() as session:
        foot = [_unit(session, "foot_patrol") for _ in range(2)]
        car = _unit(session, "patrol_car")
        traffic = _unit(session, "traffic")
        a = _incident(session, local(10), local(10, 0, 30), local(10, 0, 50),
                      en_route=local(10, 1, 5))  # fmt: skip
        b = _incident(session, local(11), local(11, 1, 30))
        _sent(session, a, foot[0], local(10, 0, 30), local(10, 30, 30),  # 30 min in hour 10
              acknowledged_at=local(10, 0, 50), en_route_at=local(10, 1, 5),
              on_scene_at=local(10, 3, 5), eta_s=100.0, arrival_check="verified")  # fmt: skip
        _sent(session, b, car, local(10, 1), local(11, 1))  # 59 min in hour 10, 1 in hour 11
        noise = _incident(session, local(10), local(10, 5), sample=True)  # a demo's sample
        _sent(session, noise, foot[1], local(10, 5), local(11, 55))
        session.commit()
        m = history.busy_model(session, local(12), [*foot, car, traffic])
    assert m.spells == 2
    assert m.q["foot_patrol"][10] == pytest.approx(1800 / (3600 * 2))
    assert m.q["foot_patrol"][11] == 0.0
    assert m.q["foot_patrol"][3] == pytest.approx(0.125)  # unobserved: the observed mean
    assert m.q["patrol_car"][10] == 0.95  # 3,540 s of 3,600, capped
    assert m.q["patrol_car"][11] == pytest.approx(60 / 3600)
    assert m.q["traffic"] == [0.08] * 24  # never sent: the stated fallback
    assert m.delays.handling_s == 60.0  # median of 30 s and 90 s
    assert m.delays.acknowledge_s == 20.0
    assert m.delays.set_off_s == 15.0  # acknowledged → en route
    assert m.delays.sources == {"handling_s": "measured: n=2", "acknowledge_s": "measured: n=1",
                                "set_off_s": "measured: n=1", "wait": "measured: n=1"}  # fmt: skip
    assert (m.travel_overrun_s, m.travel_overrun_n) == (20.0, 1)  # 120 s walked, 100 s said
    assert m.delays.samples == (65.0,)  # the one call that saw a unit move: 65 s after it came


def test_an_empty_store_takes_the_stated_fallbacks(db):
    with db.session() as session:
        car = _unit(session, "patrol_car")
        session.commit()
        m = history.busy_model(session, local(12), [car])
    assert m.q["patrol_car"] == [0.12] * 24
    assert (m.delays.handling_s, m.delays.acknowledge_s, m.delays.set_off_s) == (45, 20, 10)
    assert set(m.delays.sources.values()) == {"fallback"}
    assert m.travel_overrun_s is None
    assert m.delays.samples == (75.0,)  # no wait measured: the fallbacks' sum


def _plan(session, version, made_at, expected, status="approved") -> DeploymentPlan:
    p = DeploymentPlan(plan_date="2026-07-01", shift_code="day", version=version,
                       status=status, solver="highs", gap=0.0, mip_rel_gap=0.0, objective=1.0,
                       coverage={"tier1": 0.5, "tier3": 0.95, "tier5": 1.0},
                       detail={"expected_coverage": expected, "made_at": made_at.isoformat()},
                       created_by="test", created_at=local(8),
                       approved_at=local(8) if status != "draft" else None)  # fmt: skip
    session.add(p)
    session.flush()
    return p


def test_planned_vs_realized_weighs_each_call_by_the_plan_in_force(db):
    with db.session() as session:
        first = _plan(session, 1, local(8), {"tier1": 0.2, "tier3": 0.6, "tier5": 0.9},
                      status="superseded")  # fmt: skip
        second = _plan(session, 2, local(10, 30), {"tier1": 0.4, "tier3": 0.8, "tier5": 1.0})
        _plan(session, 3, local(10, 45), {"tier1": 1.0, "tier3": 1.0, "tier5": 1.0}, "draft")
        _incident(session, local(9), on_scene=local(9, 0, 50))  # 50 s
        _incident(session, local(10), on_scene=local(10, 3, 20))  # 200 s
        _incident(session, local(11), on_scene=local(11, 2))  # 120 s
        _incident(session, local(11, 30))  # no arrival yet
        session.commit()
        p = planned_vs_realized(session, ADMIN, since=local(8), until=local(20))
    assert (p.incidents, p.with_plan, p.verified) == (4, 4, 3)
    assert p.plans == sorted([first.id, second.id])
    got = {t.code: (t.planned, t.realized) for t in p.tiers}
    assert got["tier1"] == (pytest.approx(0.3), pytest.approx(1 / 3))
    assert got["tier3"] == (pytest.approx(0.7), pytest.approx(2 / 3))
    assert got["tier5"] == (pytest.approx(0.95), pytest.approx(1.0))
    assert p.tiers[0].diff_points == pytest.approx(100 / 3 - 30)
    assert p.deterministic["tier3"] == pytest.approx(0.95)
    text = "\n".join(planned_lines(p))
    assert "差 +3.3 个百分点" in text and "口径：" in text
    with use_lang("en"):
        text = "\n".join(planned_lines(p))
    assert "+3.3 pt" in text and "clock: planned" in text


def test_planned_vs_realized_over_http_states_its_clock(client, accounts):
    r = client.get(
        "/api/v1/deployment/realized",
        params={"since": "2026-07-01T00:00:00+08:00"},
        headers={**accounts.headers(Role.COMMANDER), "Accept-Language": "en"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["code"] for t in body["tiers"]] == ["tier1", "tier3", "tier5"]
    assert body["incidents"] == 0 and body["tiers"][0]["planned"] is None
    assert "first verified arrival" in body["clock"]
    bad = client.get(
        "/api/v1/deployment/realized",
        params={"since": "2026-07-02T00:00:00+08:00", "until": "2026-07-01T00:00:00+08:00"},
        headers=accounts.headers(Role.COMMANDER),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_period"
    assert bad.json()["detail"] == "结束须晚于开始"
