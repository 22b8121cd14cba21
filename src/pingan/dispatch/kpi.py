"""Response KPIs (pure core): 1/3/5-minute compliance and percentiles from stored timestamps.

Response time is first unit on scene − received. Compliance for a tier is the share of
incidents *that got a unit on scene* whose response time met the tier; incidents closed or
still open without any arrival are counted separately (`no_arrival`), never silently dropped.
Percentiles use linear interpolation between order statistics (NumPy's default), the usual
reading of "90th percentile response time" (NFPA 1710 style reporting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import numpy as np
import yaml

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    received_at: datetime
    on_scene_at: datetime | None
    type_code: str
    priority: int
    area_code: str | None
    state: str


@dataclass(frozen=True, slots=True)
class KpiRow:
    group: str
    incidents: int
    responded: int
    no_arrival: int
    within: dict[str, float | None]  # tier code -> share of responded within it
    p50_s: float | None
    p90_s: float | None
    mean_s: float | None


@dataclass(frozen=True, slots=True)
class Shift:
    code: str
    name_zh: str
    name_en: str
    start: time
    end: time

    def contains(self, t: time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # crosses midnight


@cache
def shifts() -> tuple[Shift, ...]:
    raw = yaml.safe_load(
        resources.files("pingan.dispatch").joinpath("shifts.yaml").read_text("utf-8")
    )
    return tuple(
        Shift(
            s["code"],
            s["name_zh"],
            s["name_en"],
            time.fromisoformat(s["start"]),
            time.fromisoformat(s["end"]),
        )
        for s in raw["shifts"]
    )


def shift_of(at: datetime) -> str:
    local = at.astimezone(LOCAL_TZ).time()
    return next((s.code for s in shifts() if s.contains(local)), "other")


def shift_day(t: datetime) -> tuple[date, str]:
    """The local day and shift code a moment belongs to (a night shift keeps its start day)."""
    code = shift_of(t)
    local = t.astimezone(LOCAL_TZ)
    shift = next((s for s in shifts() if s.code == code), None)
    day = local.date()
    if shift is not None and shift.start > shift.end and local.time() < shift.end:
        day -= timedelta(days=1)
    return day, code


GROUPINGS: dict[str, Callable[[ResponseRecord], str]] = {
    "all": lambda r: "all",
    "area": lambda r: r.area_code or "none",
    "type": lambda r: r.type_code,
    "priority": lambda r: f"P{r.priority}",
    "shift": lambda r: shift_of(r.received_at),
    "day": lambda r: r.received_at.astimezone(LOCAL_TZ).date().isoformat(),
}


def _row(
    group: str, records: Sequence[ResponseRecord], tiers: Sequence[tuple[str, float]]
) -> KpiRow:
    times = np.array(
        [(r.on_scene_at - r.received_at).total_seconds() for r in records if r.on_scene_at],
        dtype=np.float64,
    )
    responded = int(times.size)
    within = {code: (float(np.mean(times <= secs)) if responded else None) for code, secs in tiers}
    return KpiRow(
        group=group,
        incidents=len(records),
        responded=responded,
        no_arrival=len(records) - responded,
        within=within,
        p50_s=float(np.percentile(times, 50)) if responded else None,
        p90_s=float(np.percentile(times, 90)) if responded else None,
        mean_s=float(times.mean()) if responded else None,
    )


def summarize(
    records: Iterable[ResponseRecord], tiers: Sequence[tuple[str, float]], by: str = "all"
) -> list[KpiRow]:
    """One row per group (sorted), plus a leading 'all' row when grouping."""
    if by not in GROUPINGS:
        raise ValueError(f"未知分组 {by}；可选: {', '.join(GROUPINGS)} / unknown grouping")
    recs = [r for r in records if r.state not in ("cancelled", "merged")]
    key = GROUPINGS[by]
    groups: dict[str, list[ResponseRecord]] = {}
    for r in recs:
        groups.setdefault(key(r), []).append(r)
    rows = [_row(g, groups[g], tiers) for g in sorted(groups)]
    if by != "all":
        rows.insert(0, _row("all", recs, tiers))
    elif not rows:
        rows = [_row("all", [], tiers)]
    return rows


def share_text(share: float | None) -> str:
    """A compliance share for a report line ("-": nothing to measure)."""
    return "-" if share is None else f"{share:.0%}"


def seconds_text(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.0f}s"
