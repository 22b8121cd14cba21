"""Visitor forecasts (客流预测): visitors per key area per hour, hours to days ahead.

Pure engines over `HourlyPanel` (series × hours, NaN = missing): calendar features with
China's holidays and make-up working days, three forecasters behind one interface
(`Forecaster`: seasonal-naive, daily ETS × hourly profile, LightGBM global), WAPE and
rolling-origin backtests. See docs/forecasting.md for the figures.
"""

from pingan.crowd.forecast.backtest import (
    DEFAULT_BANDS,
    BacktestResult,
    Band,
    midnight_origins,
    rolling_origin,
)
from pingan.crowd.forecast.base import Forecaster
from pingan.crowd.forecast.calendar_features import (
    CALENDAR_COLUMNS,
    DayCalendar,
    calendar_features,
    china_calendar,
    holiday_calendar,
)
from pingan.crowd.forecast.ets import DailyETS
from pingan.crowd.forecast.gbm import GBMParams, LightGBMForecaster
from pingan.crowd.forecast.metrics import daily_totals, wape
from pingan.crowd.forecast.naive import SeasonalNaive
from pingan.crowd.forecast.panel import WEATHER_COLUMNS, HourlyPanel

__all__ = [
    "CALENDAR_COLUMNS",
    "DEFAULT_BANDS",
    "WEATHER_COLUMNS",
    "BacktestResult",
    "Band",
    "DailyETS",
    "DayCalendar",
    "Forecaster",
    "GBMParams",
    "HourlyPanel",
    "LightGBMForecaster",
    "SeasonalNaive",
    "calendar_features",
    "china_calendar",
    "daily_totals",
    "holiday_calendar",
    "midnight_origins",
    "rolling_origin",
    "wape",
]
