"""Response KPIs (pure core): 1/3/5-minute compliance and percentiles from stored timestamps.

Response time is first unit on scene − received. Compliance for a tier is the share of
incidents *whose first arrival was verified* (the unit's last fix at the scene, see
incidents/checks.yaml) whose response time met the tier; percentiles use the same arrivals.
Arrivals a dispatcher accepted by override (`overridden`) and arrivals recorded before the
check existed (`unverified`) are counted but measured by nothing; incidents closed or still
open without any arrival are counted separately (`no_arrival`), never silently dropped.
Percentiles use linear interpolation between order statistics (NumPy's default), the usual
reading of "90th percentile response time" (NFPA 1710 style reporting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import numpy as np
import yaml

from pingan.i18n import msg, text

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    received_at: datetime
    on_scene_at: datetime | None
    type_code: str
    priority: int
    area_code: str | None
    state: str
    arrival_check: str | None  # verified, overridden, or None (recorded unchecked)


@dataclass(frozen=True, slots=True)
class KpiRow:
    group: str
    incidents: int
    responded: int  # any arrival recorded
    verified: int  # first arrival confirmed by the unit's fix: the ones measured below
    overridden: int  # accepted by a dispatcher's override, left out of compliance
    unverified: int  # recorded before arrivals were checked, left out of compliance
    no_arrival: int
    within: dict[str, float | None]  # tier code -> share of verified arrivals within it
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


def shift_window(day: date, code: str) -> tuple[datetime, datetime]:
    """The UTC start and end of one day's shift (a night shift ends on the next day).

    KeyError names the known shifts when the code is not one of them.
    """
    shift = next((s for s in shifts() if s.code == code), None)
    if shift is None:
        raise KeyError(", ".join(s.code for s in shifts()))
    start = datetime.combine(day, shift.start, LOCAL_TZ)
    end = datetime.combine(day, shift.end, LOCAL_TZ)
    if end <= start:
        end += timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC)


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
    arrived = [r for r in records if r.on_scene_at]
    checks = [r.arrival_check for r in arrived]
    times = np.array(
        [
            (r.on_scene_at - r.received_at).total_seconds()  # type: ignore[operator]
            for r in arrived
            if r.arrival_check == "verified"
        ],
        dtype=np.float64,
    )
    verified = int(times.size)
    overridden = checks.count("overridden")
    within = {code: (float(np.mean(times <= secs)) if verified else None) for code, secs in tiers}
    return KpiRow(
        group=group,
        incidents=len(records),
        responded=len(arrived),
        verified=verified,
        overridden=overridden,
        unverified=len(arrived) - verified - overridden,
        no_arrival=len(records) - len(arrived),
        within=within,
        p50_s=float(np.percentile(times, 50)) if verified else None,
        p90_s=float(np.percentile(times, 90)) if verified else None,
        mean_s=float(times.mean()) if verified else None,
    )


def summarize(
    records: Iterable[ResponseRecord], tiers: Sequence[tuple[str, float]], by: str = "all"
) -> list[KpiRow]:
    """One row per group (sorted), plus a leading 'all' row when grouping."""
    if by not in GROUPINGS:
        raise ValueError(msg("dispatch.unknown_grouping", by=by, choices=list(GROUPINGS)))
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


@dataclass(frozen=True, slots=True)
class EtaAccuracy:
    """How far the ETAs predicted when units were sent were from the trips they made.

    Error = travelled (on scene − en route) − predicted, over verified arrivals: positive
    when units took longer than the platform said. `bias_s` is the mean error (a speed
    profile too fast or too slow shows here), `median_abs_s` the typical miss and
    `p90_abs_s` the large ones.
    """

    arrivals: int
    bias_s: float | None
    median_abs_s: float | None
    p90_abs_s: float | None


def eta_accuracy(errors_s: Iterable[float]) -> EtaAccuracy:
    e = np.fromiter(errors_s, dtype=np.float64)
    if not e.size:
        return EtaAccuracy(0, None, None, None)
    a = np.abs(e)
    return EtaAccuracy(
        int(e.size), float(e.mean()), float(np.percentile(a, 50)), float(np.percentile(a, 90))
    )


def eta_text(e: EtaAccuracy) -> str:
    """The ETA error as one report line (the simulated day, `pingan report response`)."""
    return text(
        "dispatch.report.eta",
        arrivals=e.arrivals,
        bias=seconds_text(e.bias_s, signed=True),
        median=seconds_text(e.median_abs_s),
        p90=seconds_text(e.p90_abs_s),
    )


def share_text(share: float | None) -> str:
    """A compliance share for a report line ("-": nothing to measure)."""
    return "-" if share is None else f"{share:.0%}"


def seconds_text(seconds: float | None, *, signed: bool = False) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:+.0f}s" if signed else f"{seconds:.0f}s"
