"""Crowd thresholds, measures and source accuracies, read from thresholds.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

LEVEL_NAMES = ("normal", "yellow", "orange", "red", "critical")


@dataclass(frozen=True, slots=True)
class AreaThresholds:
    capacity_share: dict[str, float]
    density_ppm2: dict[str, float]
    hysteresis: float
    min_duration_s: float
    repeat_s: float
    silent_after_s: float
    early_warning_horizon_s: float
    trend_window_s: float
    physical_max_ppm2: float


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("pingan.crowd").joinpath("thresholds.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _check(name: str, scale: dict[str, float]) -> dict[str, float]:
    values = [scale[k] for k in LEVEL_NAMES if k in scale]
    if any(k not in LEVEL_NAMES for k in scale) or values != sorted(values) or min(values) <= 0:
        raise ValueError(f"thresholds.yaml: {name} must rise with the level and be positive")
    return {k: float(v) for k, v in scale.items()}


@cache
def thresholds_for(area_code: str | None) -> AreaThresholds:
    """The defaults merged with the area's overrides."""
    raw = _raw()
    merged = {**raw["defaults"], **(raw.get("areas") or {}).get(area_code or "", {})}
    return AreaThresholds(
        capacity_share=_check("capacity_share", merged["capacity_share"]),
        density_ppm2=_check("density_ppm2", merged["density_ppm2"]),
        hysteresis=float(merged["hysteresis"]),
        min_duration_s=float(merged["min_duration_s"]),
        repeat_s=float(merged["repeat_s"]),
        silent_after_s=float(merged["silent_after_s"]),
        early_warning_horizon_s=float(merged["early_warning_horizon_s"]),
        trend_window_s=float(merged["trend_window_s"]),
        physical_max_ppm2=float(merged["physical_max_ppm2"]),
    )


def measure_for(level: str) -> tuple[str, str]:
    """What to do at a level (zh, en); nothing at normal."""
    m = (_raw().get("measures") or {}).get(level)
    return (m["zh"], m["en"]) if m else ("", "")


def incident_priority(level: str) -> int | None:
    """The incident priority a level calls for (None: no incident at this level)."""
    value = (_raw().get("incident_priority") or {}).get(level)
    return int(value) if value is not None else None


def source_sigma() -> dict[str, float]:
    return {k: float(v) for k, v in _raw()["source_sigma"].items()}
