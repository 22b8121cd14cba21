"""The anti-fraud KPIs (反诈大屏) from rows put straight into the tables, on a pinned clock:
each figure as docs/fraud.md defines it, year on year (a year with no case, 29 February), and
nothing counted twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.engine import Database
from pingan.errors import ValidationFailed
from pingan.fraud import stats
from pingan.fraud.stats import Period, period_of
from tests.fraud.rows import at, case, give_back, order, rows, warning

LOCAL = stats.LOCAL_TZ
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=LOCAL)  # the pinned clock
YEAR = Period(date(2026, 1, 1), date(2026, 12, 7))
SYSTEM = Actor.system("test")


def kpis(db: Database, period: Period = YEAR) -> stats.FraudStats:
    with db.session(read_only=True) as session:
        return stats.fraud_stats(session, SYSTEM, period)


def test_report_to_stop_is_measured_to_each_case_s_first_stop(db: Database) -> None:
    with rows(db) as s:
        for minutes in (10, 20, 40):
            c = case(s, at("2026-03-02"))
            order(s, c, stopped_at=c.reported_at + timedelta(minutes=minutes), held=100)
            # a later stop of another account, a refusal and a stop still sending change nothing
            order(s, c, account="6222000000000002",
                  stopped_at=c.reported_at + timedelta(hours=5), held=100)  # fmt: skip
            order(s, c, result="not_stopped")
            order(s, c, status="sending")
        never = case(s, at("2026-03-03"))
        order(s, never, result="not_stopped")
        case(s, at("2026-03-04"))  # no order at all
        frozen_only = case(s, at("2026-03-05"))
        order(s, frozen_only, kind="freeze", result="frozen", held=50)
    r = kpis(db).current.report_to_stop
    assert (r.cases_stopped, r.cases_without_stop) == (3, 3)
    assert r.median_min == 20.0
    assert r.p90_min == 36.0  # 20 + 0.8 × (40 − 20): linear between order statistics
    assert (r.golden_median_min, r.golden_p90_min) == (50.0, 66.0)  # golden start 30 min earlier


def test_stop_success_rate_counts_first_stops_the_bank_answered(db: Database) -> None:
    with rows(db) as s:
        c = case(s, at("2026-05-01"))
        for result in ("stopped", "stopped", "not_stopped", "already_stopped"):
            order(s, c, result=result, held=1 if result == "stopped" else None)
        order(s, c, status="sending")
        order(s, c, status="unavailable")
        order(s, c, status="refused")
        order(s, c, stop_count=2, result="stopped")  # a second stop: not a first stop
        order(s, c, kind="freeze", result="frozen")
        order(s, c, kind="atm_revoke", result="revoked")
    o = kpis(db).current.stop_orders
    assert (o.orders, o.answered, o.stopped) == (7, 4, 2)
    assert (o.sending, o.unavailable, o.refused) == (1, 1, 1)
    assert o.results == {"already_stopped": 1, "not_stopped": 1, "stopped": 2}
    assert o.success_rate == 0.5


def test_money_stopped_and_returned_are_each_counted_once(db: Database) -> None:
    with rows(db) as s:
        a = case(s, at("2026-06-01"), loss=200_000)
        order(s, a, account="X", held=30_000)
        order(s, a, account="X", held=30_000, stop_count=2)  # the second stop holds the same
        order(s, a, kind="freeze", result="frozen", account="X", held=50_000)
        order(s, a, account="Y", held=20_000)
        order(s, a, account="Z", result="not_stopped")
        order(s, a, account="W", result="already_stopped", held=99_999)  # not "stopped"
        b = case(s, at("2026-06-02"), loss=100_000)
        order(s, b, account="X", held=10_000)  # the same mule, another victim's money
        give_back(s, a, 15_000)
        atm = order(s, b, kind="atm_revoke", result="revoked", returned=100_000, stop_count=None)
        give_back(s, b, 100_000, order_id=atm.id)  # the revocation recorded as a return
        order(s, b, kind="atm_revoke", result="revoked", returned=40_000, account="V")
        order(s, b, kind="atm_revoke", result="too_late", returned=None, account="U")
    m = kpis(db).current.money
    assert m.loss_fen == 300_000
    assert (m.held_fen, m.accounts_held) == (80_000, 3)  # X in a: 50,000; Y 20,000; X in b 10,000
    assert (m.returned_recorded_fen, m.returned_atm_fen) == (115_000, 40_000)
    assert m.returned_fen == 155_000


def test_warnings_become_dissuasions_per_grade(db: Database) -> None:
    with rows(db) as s:
        day = at("2026-07-01")
        warning(s, day, "high", "closed", "dissuaded", assigned=True)
        warning(s, day, "high", "closed", "unreachable", assigned=True)
        warning(s, day, "high", "assigned", assigned=True)
        warning(s, day, "medium", "closed", "dissuaded", assigned=True)
        warning(s, day, "low")
        warning(s, at("2025-07-01"), "high", "closed", "dissuaded", assigned=True)  # last year
    w = kpis(db).current.warnings
    assert (w.total.created, w.total.assigned, w.total.closed, w.total.dissuaded) == (5, 4, 3, 2)
    assert w.total.dissuasion_rate == round(2 / 3, 4)
    assert w.by_grade["high"].dissuasion_rate == 0.5
    assert w.by_grade["medium"].created == 1 and w.by_grade["low"].dissuasion_rate is None
    assert w.outcomes == {"dissuaded": 2, "unreachable": 1}


def test_year_on_year_compares_the_same_dates_and_is_null_without_last_year(db: Database) -> None:
    with rows(db) as s:
        for _ in range(3):
            case(s, at("2026-02-10"), loss=20_000)
        case(s, at("2025-02-10"), loss=40_000)
        case(s, at("2025-12-20"), loss=1)  # after 7 December last year: outside the comparison
    result = kpis(db)
    assert result.previous.period == Period(date(2025, 1, 1), date(2025, 12, 7))
    yoy = result.year_on_year
    assert (yoy["cases"].current, yoy["cases"].previous, yoy["cases"].change_pct) == (3, 1, 200.0)
    assert (yoy["loss_fen"].current, yoy["loss_fen"].previous) == (60_000, 40_000)
    assert yoy["loss_fen"].change_pct == 50.0
    assert yoy["held_fen"].change_pct is None  # nothing held last year: no percentage
    assert yoy["stop_success_rate"].current is None

    empty = kpis(db, Period(date(2024, 1, 1), date(2024, 12, 31)))
    assert empty.year_on_year["cases"].change_pct is None and empty.current.cases == 0


def test_29_february_compares_with_28_february(db: Database) -> None:
    with rows(db) as s:
        case(s, at("2028-02-29", "23:50"))
        case(s, at("2027-02-28", "23:30"))  # the last day a year earlier
        case(s, at("2027-03-01", "00:10"))  # local 1 March: outside
    leap = Period(date(2028, 2, 1), date(2028, 2, 29))
    assert leap.year_before() == Period(date(2027, 2, 1), date(2027, 2, 28))
    result = kpis(db, leap)
    assert (result.current.cases, result.previous.cases) == (1, 1)
    assert result.year_on_year["cases"].change_pct == 0.0
    assert Period(date(2028, 2, 29), date(2029, 2, 28)).year_before() == Period(
        date(2027, 2, 28), date(2028, 2, 28)
    )


def test_top_types_and_the_by_day_series_use_local_days(db: Database) -> None:
    with rows(db) as s:
        case(s, at("2026-01-01", "00:30"), fraud_type="investment", loss=500_000)  # 31 Dec UTC
        case(s, at("2026-01-01", "23:59"), fraud_type="rebate", loss=1_000)
        case(s, at("2026-01-03"), fraud_type="rebate", loss=2_000)
        case(s, at("2025-12-31", "23:59"), fraud_type="loan", loss=9_000)  # the day before
    result = kpis(db, Period(date(2026, 1, 1), date(2026, 1, 3)))
    assert [(r.fraud_type, r.cases, r.loss_fen) for r in result.by_type] == [
        ("rebate", 2, 3_000),
        ("investment", 1, 500_000),
    ]
    assert [(d.day.isoformat(), d.cases, d.loss_fen) for d in result.by_day] == [
        ("2026-01-01", 2, 501_000),
        ("2026-01-02", 0, 0),
        ("2026-01-03", 1, 2_000),
    ]


def test_the_period_defaults_to_this_year_and_refuses_bad_spans() -> None:
    today = date(2026, 12, 7)
    assert period_of(None, None, today) == YEAR
    assert period_of(None, date(2025, 3, 1), today) == Period(date(2025, 1, 1), date(2025, 3, 1))
    assert period_of(date(2025, 11, 1), date(2026, 12, 5), today).end == date(2026, 12, 5)  # 399
    for start, end in ((date(2026, 5, 2), date(2026, 5, 1)), (date(2025, 1, 1), date(2026, 2, 6)),
                       (date(1, 1, 1), date(1, 1, 2))):  # fmt: skip
        with pytest.raises(ValidationFailed):
            period_of(start, end, today)


@pytest.fixture
def pinned(client: TestClient, accounts: Any) -> TestClient:
    """The app's clock pinned once the accounts have logged in (their tokens are checked
    against the wall clock); the stats read their "today" from it."""
    client.app.state.clock = lambda: NOW.astimezone(UTC)  # type: ignore[attr-defined]
    return client


def test_the_api_answers_the_roles_that_read_stats(
    pinned: TestClient, accounts: Any, db: Database
) -> None:
    with rows(db) as s:
        c = case(s, at("2026-12-07", "09:00"), fraud_type="authority", loss=1_234_567)
        order(s, c, stopped_at=c.reported_at + timedelta(minutes=12), held=1_000_000)
    r = pinned.get("/api/v1/fraud/stats", headers=accounts.headers(Role.AUDITOR))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["current"]["period"] == {"from": "2026-01-01", "to": "2026-12-07"}
    assert body["previous"]["period"] == {"from": "2025-01-01", "to": "2025-12-07"}
    assert body["current"]["money"]["held_fen"] == 1_000_000
    assert body["current"]["report_to_stop"]["median_min"] == 12.0
    assert body["year_on_year"]["cases"] == {"current": 1, "previous": 0, "change_pct": None}
    assert body["top_types"]["by_loss"][0] == {"fraud_type": "authority", "cases": 1,
                                               "loss_fen": 1_234_567}  # fmt: skip
    assert len(body["by_day"]) == 341 and body["by_day"][-1]["cases"] == 1

    r = pinned.get("/api/v1/fraud/stats?from=2026-12-07&to=2026-12-07",
                   headers=accounts.headers(Role.OFFICER))  # fmt: skip
    assert r.status_code == 200 and r.json()["current"]["cases"] == 1
    for role in (Role.CITIZEN, Role.VOLUNTEER, Role.ADMIN, Role.LOCKSMITH):
        assert pinned.get("/api/v1/fraud/stats", headers=accounts.headers(role)).status_code == 403


@pytest.mark.parametrize(
    "query",
    ["from=2026-05-02&to=2026-05-01", "from=2025-01-01&to=2026-02-06", "from=0001-01-01",
     "from=2026-13-01", "to=yesterday", "from=2027-01-01"],
)  # fmt: skip
def test_the_api_refuses_a_bad_period_with_a_reason(
    pinned: TestClient, accounts: Any, query: str
) -> None:
    r = pinned.get(f"/api/v1/fraud/stats?{query}", headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
