"""Early warning (pure): how long until the next level at the current net inflow.

time = (limit − count) / (inflow − outflow), where the limit of a level is the lower of
its capacity-share and density thresholds in people. The net inflow comes from gate
counters' in/out when given, else from the least-squares slope of recent counts — acting on
the *trend*, minutes before the line is crossed (the lesson of the Bund and Itaewon crushes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pingan.crowd.levels import LEVEL_ZH, Level
from pingan.crowd.settings import AreaThresholds


def net_inflow_per_s(times_s: Sequence[float], counts: Sequence[float]) -> float | None:
    """People per second gained (least-squares slope); None with fewer than 3 readings."""
    t = np.asarray(times_s, dtype=np.float64)
    c = np.asarray(counts, dtype=np.float64)
    if t.size < 3 or float(np.ptp(t)) <= 0:
        return None
    slope, _ = np.polyfit(t - t[0], c, 1)
    return float(slope)


def level_limits(
    cfg: AreaThresholds, *, usable_area_m2: float | None, capacity: int | None
) -> dict[Level, float]:
    """People at which each level starts: the lower of the two scales' lines."""
    limits: dict[Level, float] = {}
    for scale, size in ((cfg.capacity_share, capacity), (cfg.density_ppm2, usable_area_m2)):
        if not size:
            continue
        for name, thr in scale.items():
            level = Level[name.upper()]
            limits[level] = min(limits.get(level, float("inf")), thr * size)
    return limits


@dataclass(frozen=True, slots=True)
class Warning:
    """The most severe level the trend reaches within the horizon, and every step on the way."""

    level: Level
    seconds: float
    steps: tuple[tuple[Level, float], ...]  # (level, seconds until it is reached)
    net_inflow_per_min: float
    text_zh: str
    text_en: str


def warn(
    count: float,
    current: Level,
    net_inflow_s: float | None,
    cfg: AreaThresholds,
    *,
    usable_area_m2: float | None,
    capacity: int | None,
) -> Warning | None:
    """Levels above `current` that the trend reaches within the horizon, or None."""
    if net_inflow_s is None or net_inflow_s <= 0:
        return None
    limits = level_limits(cfg, usable_area_m2=usable_area_m2, capacity=capacity)
    steps = tuple(
        (level, (limits[level] - count) / net_inflow_s)
        for level in sorted(lv for lv in limits if lv > current and limits[lv] > count)
        if (limits[level] - count) / net_inflow_s <= cfg.early_warning_horizon_s
    )
    if not steps:
        return None
    per_min = net_inflow_s * 60
    when_zh = "、".join(f"约{max(1, round(t / 60))}分钟后达到{LEVEL_ZH[lv]}" for lv, t in steps)
    when_en = ", ".join(f"{lv.code} in ~{max(1, round(t / 60))} min" for lv, t in steps)
    level, seconds = steps[-1]
    return Warning(
        level=level,
        seconds=seconds,
        steps=steps,
        net_inflow_per_min=per_min,
        text_zh=f"按当前净流入（每分钟约{per_min:.0f}人），{when_zh}等级，请减少进入",
        text_en=f"{when_en} at the current net inflow (~{per_min:.0f} people/min) "
        "unless inflow is reduced",
    )
