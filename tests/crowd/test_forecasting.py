"""Forecasts from stored counts: the model follows the history there is; too little is said."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pingan.auth.roles import Role
from pingan.crowd.models import AreaCount
from pingan.sim.visitors import hourly_visitors

LOCAL = ZoneInfo("Asia/Shanghai")


def seed_history(db, days: int) -> None:
    """Hourly fused counts from the Kangbashi simulation, ending at the current hour."""
    today = datetime.now(UTC).astimezone(LOCAL).date()
    series = hourly_visitors(today - timedelta(days=days), today + timedelta(days=1))
    now = datetime.now(UTC)
    rows = []
    for code, counts in series.counts.items():
        for hour, value in zip(series.hours, counts, strict=True):
            at = hour.astype(datetime).replace(tzinfo=LOCAL).astimezone(UTC) + timedelta(minutes=30)
            if at < now - timedelta(hours=1):
                rows.append(
                    {
                        "area_code": code,
                        "at": at,
                        "count": float(value),
                        "sigma": None,
                        "density_ppm2": None,
                        "capacity_share": None,
                        "level": "normal",
                    }
                )
    with db.engine.begin() as conn:
        conn.execute(AreaCount.__table__.insert(), rows)


def test_three_weeks_of_history_give_an_ets_forecast(client, accounts, db):
    seed_history(db, 24)
    r = client.get("/api/v1/crowd/forecast?hours=48", headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "ets" and body["history_days"] >= 21
    assert len(body["hours"]) == 48 and set(body["areas"]) >= {"music_fountain", "museum"}
    fountain = [v for v in body["areas"]["music_fountain"] if v is not None]
    assert len(fountain) == 48 and min(fountain) >= 0 and max(fountain) > 0


def test_too_little_history_is_said_plainly(client, accounts, db):
    seed_history(db, 2)
    r = client.get("/api/v1/crowd/forecast", headers=accounts.headers(Role.COMMANDER))
    assert r.status_code == 409 and r.json()["code"] == "not_enough_history"
    assert (
        client.get(
            "/api/v1/crowd/forecast?hours=500", headers=accounts.headers(Role.COMMANDER)
        ).status_code
        == 422
    )


def test_the_ladder_reaches_lightgbm_with_eight_weeks(db, tmp_path):
    from pingan.auth.actor import Actor
    from pingan.crowd.forecasting import forecast
    from pingan.geo.city import load_city

    seed_history(db, 60)
    with db.session() as s:
        result = forecast(s, Actor.system(), load_city(cache_dir=tmp_path), hours=24)
    assert result.model == "lightgbm" and len(result.hours) == 24
    assert date.today() - timedelta(days=2) <= result.hours[0].date()
