"""Forecasts of each key area's crowd for the coming hours, from the stored fused counts.

The series is the hourly mean of the area's fused count (people present), on the local
(Asia/Shanghai) clock the calendar features need. The model is chosen by how much history
there is — LightGBM from 8 weeks, weekly ETS from 3, seasonal-naive from 1 — and named in
the answer; with less than a week the answer says so rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.crowd.forecast.base import Forecaster
from pingan.crowd.forecast.ets import DailyETS
from pingan.crowd.forecast.gbm import LightGBMForecaster
from pingan.crowd.forecast.naive import SeasonalNaive
from pingan.crowd.forecast.panel import HourlyPanel
from pingan.crowd.models import AreaCount
from pingan.db.base import utcnow
from pingan.errors import Conflict, ValidationFailed
from pingan.geo.city import City

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
HISTORY_DAYS = 70
MODEL_LADDER = (  # (days of history needed, name, factory), best first
    (56, "lightgbm", LightGBMForecaster),
    (21, "ets", DailyETS),
    (7, "seasonal_naive", SeasonalNaive),
)


@dataclass(frozen=True, slots=True)
class Forecast:
    model: str
    issued_at: datetime
    history_days: float
    hours: list[datetime]  # local hour starts, aware
    values: dict[str, list[float | None]]


def _local_hour(at: datetime) -> np.datetime64:
    return np.datetime64(at.astimezone(LOCAL_TZ).replace(tzinfo=None), "h")


def history_panel(session: Session, codes: tuple[str, ...], until: datetime) -> HourlyPanel:
    """Hourly mean fused count per area up to (not including) the hour of `until`."""
    end = _local_hour(until)
    start = end - np.timedelta64(HISTORY_DAYS * 24, "h")
    sums = np.zeros((len(codes), HISTORY_DAYS * 24))
    counts = np.zeros_like(sums)
    row_of = {c: i for i, c in enumerate(codes)}
    for code, at, count in session.execute(
        select(AreaCount.area_code, AreaCount.at, AreaCount.count).where(
            AreaCount.area_code.in_(codes), AreaCount.at >= until - timedelta(days=HISTORY_DAYS + 1)
        )
    ):
        col = int((_local_hour(at) - start) / np.timedelta64(1, "h"))
        if 0 <= col < sums.shape[1]:
            sums[row_of[code], col] += count
            counts[row_of[code], col] += 1
    with np.errstate(invalid="ignore"):
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return HourlyPanel(start=start, values=values, names=codes)


def forecast(
    session: Session, actor: Actor, city: City, *, hours: int, now: datetime | None = None
) -> Forecast:
    require(actor, "crowd.read")
    if not 1 <= hours <= 168:
        raise ValidationFailed("预测时长须为1-168小时 / hours must be 1-168", code="bad_horizon")
    now = now or utcnow()
    codes = tuple(city.key_areas)
    panel = history_panel(session, codes, now)
    seen = np.flatnonzero(~np.isnan(panel.values).all(axis=0))
    days = 0.0 if seen.size == 0 else (panel.n_hours - seen[0]) / 24
    chosen = next(((name, factory) for need, name, factory in MODEL_LADDER if days >= need), None)
    if chosen is None:
        raise Conflict(
            f"历史数据不足（{days:.1f}天，至少需要7天）/ not enough history ({days:.1f} days, "
            "at least 7 needed)",
            code="not_enough_history",
        )
    name, factory = chosen
    history = panel.window(int(seen[0]), panel.n_hours)
    model: Forecaster = factory()
    predicted = model.fit(history).predict(history, hours)
    first = panel.end.astype(datetime).replace(tzinfo=LOCAL_TZ)
    return Forecast(
        model=name,
        issued_at=now,
        history_days=round(days, 1),
        hours=[first + timedelta(hours=h) for h in range(hours)],
        values={
            c: [None if np.isnan(v) else round(float(v), 1) for v in predicted[i]]
            for i, c in enumerate(codes)
        },
    )
