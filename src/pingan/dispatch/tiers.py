"""Tiered 1-3-5 response (pure core): each tier's moment per incident, on two clocks.

The first-arrival report (kpi.py) says when somebody got there; practice promises three
things — the first force, support (the run card's next unit) and the filled run card — with
targets that depend on the incident's priority and whether it is in a key area
(tiered_targets.yaml). Every moment is measured from the call (received) and from the
dispatch order (the first assignment), since a slow call-taker and a slow unit are fixed by
different people. Verified arrivals only, as in kpi.py: a moment an overridden or unchecked
arrival helped to reach is counted apart; a tier never reached counts as missed, unless the
incident is still open and its target has not yet passed (pending: too early to judge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from pingan.dispatch.kpi import LOCAL_TZ, seconds_text, share_text, shift_of
from pingan.dispatch.recommend import _fill
from pingan.dispatch.response_plans import Plan
from pingan.i18n import msg, render, text
from pingan.incidents.lifecycle import ACTIVE

MEASURES = ("first", "support", "card")
CLOCKS = {
    "call": ("从接警起", "from the call"),
    "dispatch": ("从派警起", "from the dispatch order"),
}


@dataclass(frozen=True, slots=True)
class TierDef:
    code: str
    measure: str  # first / support / card
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class TieredTargets:
    tiers: tuple[TierDef, ...]
    area_types: Mapping[str, tuple[str, str]]  # code -> (name_zh, name_en)
    targets: Mapping[str, Mapping[str, Mapping[str, float]]]  # area type -> prio -> tier -> s

    def for_incident(self, area_type: str, priority: int) -> Mapping[str, float]:
        """The tiers that apply to this incident and their seconds ({} when none do)."""
        lines = self.targets.get(area_type, {})
        return lines.get(str(priority), lines.get("default", {}))


@cache
def _load(path: str) -> TieredTargets:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    tiers = tuple(
        TierDef(code, t["measure"], t["name_zh"], t["name_en"]) for code, t in raw["tiers"].items()
    )
    codes = {t.code for t in tiers}
    if bad := [t.code for t in tiers if t.measure not in MEASURES]:
        raise ValueError(f"tiered_targets.yaml: unknown measure for {bad}; known: {MEASURES}")
    areas = {code: (a["name_zh"], a["name_en"]) for code, a in raw["area_types"].items()}
    targets = {
        area: {str(p): {t: float(s) for t, s in (line or {}).items()} for p, line in lines.items()}
        for area, lines in raw["targets"].items()
    }
    for area, lines in targets.items():
        unknown = {t for line in lines.values() for t in line} - codes
        if area not in areas or unknown:
            raise ValueError(f"tiered_targets.yaml: unknown area type or tiers: {area} {unknown}")
    return TieredTargets(tiers, areas, targets)


def tiered_targets(path: str | Path | None = None) -> TieredTargets:
    """Targets from ``path`` or the packaged ``tiered_targets.yaml`` (cached per path)."""
    default = resources.files("pingan.dispatch").joinpath("tiered_targets.yaml")
    return _load(str(path or default))


@dataclass(frozen=True, slots=True)
class Arrival:
    """A unit on scene, as the card check sees it."""

    at: datetime
    check: str | None  # verified / overridden / None (recorded unchecked)
    kind: str
    capabilities: frozenset[str]
    crew: int


@dataclass(frozen=True, slots=True)
class TierRecord:
    """One incident with what the tiers need, read from stored assignments."""

    received_at: datetime
    dispatched_at: datetime | None  # the first assignment's creation (the dispatch order)
    priority: int
    area_type: str
    state: str
    plan: Plan
    arrivals: tuple[Arrival, ...]  # each unit's first arrival, in order


@dataclass(frozen=True, slots=True)
class TierTime:
    """One tier of one incident: its moment on both clocks, or why it has none."""

    tier: str
    target_s: float
    status: str  # measured / overridden / unverified / not_reached / not_needed / pending
    from_call_s: float | None
    from_dispatch_s: float | None


def card_units(plan: Plan) -> int:
    """How many units the card's count lines call for (zone lines have no count)."""
    return sum(r.units for r in plan.requirements if r.within_m is None)


def card_filled(plan: Plan, units: Sequence[Arrival]) -> bool:
    """Whether these units meet every count line, filled in order as the recommender does."""
    taken: set[int] = set()
    crew = [u.crew for u in units]
    for req in plan.requirements:
        if req.within_m is not None:
            continue
        caps = set(req.capabilities)
        cands = [
            i
            for i, u in enumerate(units)
            if i not in taken and u.kind in req.kinds and caps <= u.capabilities
        ]
        got, _ = _fill(cands, req, crew)
        if len(got) < req.units or sum(crew[i] for i in got) < req.min_crew:
            return False
        taken.update(got)
    return True


def _moment(measure: str, plan: Plan, arrivals: Sequence[Arrival]) -> int | None:
    """How many arrivals (in order) it took to reach the measure's moment; None: never."""
    if measure == "first":
        return 1 if arrivals else None
    if measure == "support":
        return 2 if len(arrivals) >= 2 else None
    return next((n for n in range(1, len(arrivals) + 1) if card_filled(plan, arrivals[:n])), None)


def tier_times(
    record: TierRecord, targets: TieredTargets, now: datetime | None = None
) -> list[TierTime]:
    """Each applicable tier's moment for one incident, from the call and the dispatch order.

    A tier not reached on an incident still in progress whose target (from the call) is
    later than `now` is pending, not missed; without `now` every tier is judged."""
    applies = targets.for_incident(record.area_type, record.priority)
    out: list[TierTime] = []
    for tier in targets.tiers:
        if tier.code not in applies:
            continue
        target = applies[tier.code]
        if tier.measure == "support" and card_units(record.plan) < 2:
            out.append(TierTime(tier.code, target, "not_needed", None, None))
            continue
        n = _moment(tier.measure, record.plan, record.arrivals)
        if n is None:
            open_ = record.state in ACTIVE and now is not None
            early = open_ and (now - record.received_at).total_seconds() < target  # type: ignore[operator]
            out.append(
                TierTime(tier.code, target, "pending" if early else "not_reached", None, None)
            )
            continue
        used = record.arrivals[:n]
        at = used[-1].at
        checks = {a.check for a in used}
        status = (
            "measured"
            if checks == {"verified"}
            else "overridden"
            if "overridden" in checks
            else "unverified"
        )
        from_call = (at - record.received_at).total_seconds()
        sent = record.dispatched_at
        from_dispatch = (at - sent).total_seconds() if sent else None
        out.append(TierTime(tier.code, target, status, from_call, from_dispatch))
    return out


@dataclass(frozen=True, slots=True)
class TierRow:
    """Compliance with one tier in one group, on both clocks.

    Shares are met / (measured + not reached): a tier never reached is missed; overridden
    and unchecked moments are counted but measure nothing. Percentiles: measured moments.
    """

    group: str
    tier: str
    incidents: int  # the tier applies to these
    measured: int
    overridden: int
    unverified: int
    not_reached: int
    not_needed: int
    pending: int  # still open and within its target: not judged yet
    met_from_call: float | None
    met_from_dispatch: float | None
    p50_from_call_s: float | None
    p90_from_call_s: float | None
    p50_from_dispatch_s: float | None
    p90_from_dispatch_s: float | None


def _hour(r: TierRecord) -> str:
    return f"{r.received_at.astimezone(LOCAL_TZ).hour:02d}"


TIER_GROUPINGS: dict[str, Callable[[TierRecord], str]] = {
    "tier": lambda r: "all",
    "area_type": lambda r: r.area_type,
    "shift": lambda r: shift_of(r.received_at),
    "hour": _hour,
    "priority": lambda r: f"P{r.priority}",
}


def _pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def _tier_row(group: str, tier: str, times: Sequence[TierTime]) -> TierRow:
    status = [t.status for t in times]
    measured = [t for t in times if t.status == "measured"]
    missed = status.count("not_reached")
    call = [t.from_call_s for t in measured if t.from_call_s is not None]
    disp = [t.from_dispatch_s for t in measured if t.from_dispatch_s is not None]

    def share(values: list[tuple[float | None, float]]) -> float | None:
        judged = [(v, target) for v, target in values if v is not None]
        n = len(judged) + missed
        return sum(v <= target for v, target in judged) / n if n else None

    return TierRow(
        group=group,
        tier=tier,
        incidents=len(times),
        measured=len(measured),
        overridden=status.count("overridden"),
        unverified=status.count("unverified"),
        not_reached=missed,
        not_needed=status.count("not_needed"),
        pending=status.count("pending"),
        met_from_call=share([(t.from_call_s, t.target_s) for t in measured]),
        met_from_dispatch=share([(t.from_dispatch_s, t.target_s) for t in measured]),
        p50_from_call_s=_pct(call, 50),
        p90_from_call_s=_pct(call, 90),
        p50_from_dispatch_s=_pct(disp, 50),
        p90_from_dispatch_s=_pct(disp, 90),
    )


def summarize_tiers(
    records: Iterable[TierRecord],
    targets: TieredTargets,
    by: str = "tier",
    now: datetime | None = None,
) -> list[TierRow]:
    """Rows per (group, tier), groups sorted; a leading 'all' group when grouping. `now`: see
    tier_times (pending tiers)."""
    if by not in TIER_GROUPINGS:
        raise ValueError(msg("dispatch.unknown_grouping", by=by, choices=list(TIER_GROUPINGS)))
    key = TIER_GROUPINGS[by]
    groups: dict[str, dict[str, list[TierTime]]] = {}
    for r in records:
        if r.state in ("cancelled", "merged"):
            continue
        for g in {"all", key(r)}:
            for t in tier_times(r, targets, now):
                groups.setdefault(g, {}).setdefault(t.tier, []).append(t)
    order = ["all", *sorted(g for g in groups if g != "all")]
    return [
        _tier_row(g, tier.code, groups.get(g, {}).get(tier.code, []))
        for g in order
        for tier in targets.tiers
    ]


def _name(t: TierDef) -> dict[str, str]:
    """A tier's name in each language (rendered in the reader's)."""
    return {"zh_CN": t.name_zh, "en": t.name_en}


def tier_lines(rows: Sequence[TierRow], targets: TieredTargets | None = None) -> list[str]:
    """The tiers as report lines (the simulated day, `pingan report response`): each share
    and percentile with the clock it uses next to it, in the current language."""
    names = {t.code: t for t in (targets or tiered_targets()).tiers}
    out = [text("dispatch.report.tiers_head")]
    for r in rows:
        t = names[r.tier]
        out.append(
            text(
                "dispatch.report.tier_line",
                group=r.group,
                code=t.code,
                name=_name(t),
                incidents=r.incidents,
                measured=r.measured,
                not_reached=r.not_reached,
                pending=r.pending,
                not_needed=r.not_needed,
                overridden=r.overridden,
                met_call=share_text(r.met_from_call),
                met_dispatch=share_text(r.met_from_dispatch),
                p90_call=seconds_text(r.p90_from_call_s),
                p90_dispatch=seconds_text(r.p90_from_dispatch_s),
            )
        )
    return out


def target_lines(targets: TieredTargets | None = None) -> list[str]:
    """Which tiers apply per area type and priority, with their seconds, one line per type."""
    targets = targets or tiered_targets()
    out = []
    for area, lines in targets.targets.items():
        zh, en = targets.area_types[area]
        parts = [
            f"{'P' + p if p != 'default' else text('dispatch.report.other_priorities')} "
            + (" ".join(f"{t} {s:.0f}s" for t, s in line.items()) or "-")
            for p, line in lines.items()
        ]
        out.append(
            text("dispatch.report.targets", area={"zh_CN": zh, "en": en}, parts="; ".join(parts))
        )
    return out


def tier_table(rows: Sequence[TierRow], targets: TieredTargets | None = None) -> list[str]:
    """The tiers as a table (`pingan report response`), each column naming its clock."""
    targets = targets or tiered_targets()
    names = {t.code: t for t in targets.tiers}
    columns = text("dispatch.report.table_columns").split("|")
    widths = (8, 14, 6, 6, 6, 6, 12, 12, 12, 12, 6)
    out = [
        text("dispatch.report.table_head"),
        "  " + " · ".join(f"{t.code} {render(_name(t))}" for t in targets.tiers),
        *target_lines(targets),
        "".join(
            f"{c:<{w}}" if i < 2 else f"{c:>{w}}"
            for i, (c, w) in enumerate(zip(columns, widths, strict=True))
        ),
    ]
    for r in rows:
        out.append(
            f"{names[r.tier].code:<8}{r.group:<14}{r.incidents:>6}{r.measured:>6}"
            f"{r.not_reached:>6}{r.overridden:>6}{share_text(r.met_from_call):>12}"
            f"{share_text(r.met_from_dispatch):>12}{seconds_text(r.p90_from_call_s):>12}"
            f"{seconds_text(r.p90_from_dispatch_s):>12}{r.pending:>6}"
        )
    out.append(text("dispatch.report.table_foot"))
    return out
