"""Planned vs realized: the coverage the approved plans expected against what the calls found.

Clock. *Planned*: for each call received in the period, the expected coverage (busy units,
handling delay, loops: ``expected.py``) of the plan in force when it was received — the
latest approved version of that call's shift made at or before the call (plans carry the
time they were made for in ``detail.made_at``; a simulated day's own clock); each call weighs
one, so the figure is demand-weighted by the day's real demand. *Realized*: the share of
calls whose first verified arrival was within 60 / 180 / 300 s of the call being received
(the same measure as ``pingan report response``). Difference = realized − planned, in points.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.deployment.models import DeploymentPlan
from pingan.dispatch.kpi import LOCAL_TZ, seconds_text, share_text, shift_day
from pingan.dispatch.service import response_report
from pingan.i18n import text
from pingan.incidents.catalogue import response_tiers
from pingan.incidents.models import Incident


@dataclass(frozen=True, slots=True)
class TierFigure:
    code: str
    seconds: float
    planned: float | None
    realized: float | None

    @property
    def diff_points(self) -> float | None:
        if self.planned is None or self.realized is None:
            return None
        return 100.0 * (self.realized - self.planned)


@dataclass(frozen=True, slots=True)
class PlannedVsRealized:
    since: datetime
    until: datetime | None
    incidents: int  # calls received in the period
    with_plan: int  # of which a plan with an expected figure was in force
    verified: int  # of which the first arrival was verified (the realized shares' base)
    plans: list[int]  # the plans that were in force for some call
    tiers: list[TierFigure]
    deterministic: dict[str, float | None]  # the same plans' every-unit-free coverage


def _in_force(
    plans: dict[tuple[date, str], list[tuple[datetime, DeploymentPlan]]], at: datetime
) -> DeploymentPlan | None:
    versions = plans.get(shift_day(at))
    if not versions:
        return None
    k = bisect_right([m for m, _ in versions], at)
    return versions[max(0, k - 1)][1]


def planned_vs_realized(
    session: Session, actor: Actor, *, since: datetime, until: datetime | None
) -> PlannedVsRealized:
    """Per tier, the plans' expected coverage next to the realized share (module doc)."""
    require(actor, "report.read")
    plans: dict[tuple[date, str], list[tuple[datetime, DeploymentPlan]]] = defaultdict(list)
    # a night shift is filed under the day it began: reach one day back
    first_day = (since.astimezone(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
    query = select(DeploymentPlan).where(
        DeploymentPlan.approved_at.is_not(None), DeploymentPlan.plan_date >= first_day
    )
    if until is not None:
        last_day = until.astimezone(LOCAL_TZ).date().isoformat()
        query = query.where(DeploymentPlan.plan_date <= last_day)
    for p in session.scalars(query):
        if "expected_coverage" not in (p.detail or {}):
            continue  # made before plans recorded an expected figure
        made = p.detail.get("made_at")
        at = datetime.fromisoformat(made) if made else p.created_at
        plans[(date.fromisoformat(p.plan_date), p.shift_code)].append((at, p))
    for v in plans.values():
        v.sort(key=lambda x: x[0])
    q = select(Incident.received_at).where(
        Incident.sample.is_(False), Incident.received_at >= since
    )
    if until is not None:
        q = q.where(Incident.received_at < until)
    received = list(session.scalars(q))
    used = [p for p in (_in_force(plans, t) for t in received) if p is not None]
    kpi = response_report(session, actor, since=since, until=until, by="all")
    row = kpi[0] if kpi else None
    tiers = []
    deterministic: dict[str, float | None] = {}
    for t in response_tiers()[0]:
        exp = [float(p.detail["expected_coverage"].get(t.code, 0.0)) for p in used]
        det = [float(p.coverage.get(t.code, 0.0)) for p in used]
        tiers.append(
            TierFigure(
                t.code,
                float(t.seconds),
                sum(exp) / len(exp) if exp else None,
                row.within.get(t.code) if row else None,
            )
        )
        deterministic[t.code] = sum(det) / len(det) if det else None
    return PlannedVsRealized(
        since=since,
        until=until,
        incidents=len(received),
        with_plan=len(used),
        verified=row.verified if row else 0,
        plans=sorted({p.id for p in used}),
        tiers=tiers,
        deterministic=deterministic,
    )


def _points(v: float | None) -> str:
    return "-" if v is None else f"{v:+.1f}"


def planned_lines(p: PlannedVsRealized | None) -> list[str]:
    """The report's planned-vs-realized lines (one per tier), with the clock stated."""
    if p is None:
        return []
    out = [
        text(
            "deployment.report.planned",
            calls=p.incidents,
            with_plan=p.with_plan,
            verified=p.verified,
            plans=len(p.plans),
        )
    ]
    for t in p.tiers:
        tier = text(
            "deployment.report.tier",
            within=seconds_text(t.seconds),
            planned=share_text(t.planned),
            realized=share_text(t.realized),
            diff=_points(t.diff_points),
            all_free=share_text(p.deterministic.get(t.code)),
        )
        out.append(f"  {tier}")
    out.append("  " + text("deployment.report.clock", clock=text("deployment.clock")))
    return out
