"""Anti-fraud KPIs for the command centre's big screen (反诈大屏), read from the tables.

Every case-side figure is about the cases *reported* in the period (local dates,
Asia/Shanghai, both ends included) — their orders and returns whenever those happened — so
loss, money stopped and money returned compare the same cases; warnings are those *created*
in the period. The year before is the same dates one year earlier (29 February → 28 February).
Definitions, one by one, are in docs/fraud.md ("KPIs and the big screen").

Counts and sums are SQL aggregates (SQLite and PostgreSQL alike); medians, percentiles and
the by-day buckets (a local day is not a portable SQL expression) are computed here.
Percentiles interpolate linearly between order statistics, as the response KPIs do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import Select, case, exists, func, select, type_coerce
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import UtcDateTime
from pingan.db.case_numbers import LOCAL_TZ
from pingan.errors import ValidationFailed
from pingan.fraud.models import FraudCase, FraudOrder, FraudReturn, FraudWarning
from pingan.i18n import msg
from pingan.months import add_months

MAX_SPAN_DAYS = 400
FIRST_DAY, LAST_DAY = date(1971, 1, 1), date(2099, 12, 31)  # the year before stays in range
GRADES = ("high", "medium", "low")
HELD_RESULTS = ("stopped", "frozen")


@dataclass(frozen=True, slots=True)
class Period:
    """Local calendar days, both included."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end + 1 day)."""
        lo = datetime.combine(self.start, time(), LOCAL_TZ)
        hi = datetime.combine(self.end + timedelta(days=1), time(), LOCAL_TZ)
        return lo.astimezone(UTC), hi.astimezone(UTC)

    def year_before(self) -> Period:
        def back(day: date) -> date:
            return add_months(datetime.combine(day, time()), -12).date()

        return Period(back(self.start), back(self.end))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def period_of(start: date | None, end: date | None, today: date) -> Period:
    """The asked period, by default 1 January of this year to today; refused (422) when it
    runs backwards, spans more than MAX_SPAN_DAYS or leaves FIRST_DAY … LAST_DAY."""
    end = end or today
    start = start or date(end.year, 1, 1)
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        raise ValidationFailed(
            msg("fraud.stats.out_of_range", first=FIRST_DAY, last=LAST_DAY), code="out_of_range"
        )
    if start > end:
        raise ValidationFailed(msg("fraud.stats.reversed"), code="period_reversed")
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValidationFailed(
            msg("fraud.stats.too_long", days=MAX_SPAN_DAYS), code="period_too_long"
        )
    return Period(start, end)


@dataclass(frozen=True, slots=True)
class ReportToStop:
    cases_stopped: int  # cases with at least one stop order answered "stopped"
    cases_without_stop: int
    median_min: float | None  # first stop − reported
    p90_min: float | None
    golden_median_min: float | None  # first stop − golden start (the first transfer)
    golden_p90_min: float | None


@dataclass(frozen=True, slots=True)
class StopOrders:
    """First stop orders (kind stop, stop_count 1) of the period's cases."""

    orders: int
    answered: int
    stopped: int
    sending: int
    unavailable: int
    refused: int
    results: dict[str, int]  # answered orders by the bank's result
    success_rate: float | None  # stopped / answered


@dataclass(frozen=True, slots=True)
class Money:
    loss_fen: int
    held_fen: int  # per (case, account) the largest amount a stop or freeze held
    accounts_held: int
    returned_fen: int  # returns recorded + ATM revocations not recorded as a return
    returned_recorded_fen: int
    returned_atm_fen: int


@dataclass(frozen=True, slots=True)
class WarningCounts:
    created: int
    assigned: int
    closed: int
    dissuaded: int
    dissuasion_rate: float | None  # dissuaded / closed


@dataclass(frozen=True, slots=True)
class Warnings:
    total: WarningCounts
    by_grade: dict[str, WarningCounts]
    outcomes: dict[str, int]  # closed warnings by outcome


@dataclass(frozen=True, slots=True)
class TypeRow:
    fraud_type: str
    cases: int
    loss_fen: int


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    cases: int
    loss_fen: int


@dataclass(frozen=True, slots=True)
class Figures:
    """One period's KPIs."""

    period: Period
    cases: int
    report_to_stop: ReportToStop
    stop_orders: StopOrders
    money: Money
    warnings: Warnings


@dataclass(frozen=True, slots=True)
class Change:
    current: float | None
    previous: float | None
    change_pct: float | None  # (current − previous) / previous × 100; None when previous is 0


@dataclass(frozen=True, slots=True)
class FraudStats:
    current: Figures
    previous: Figures  # the same dates one year earlier
    year_on_year: dict[str, Change]
    by_type: list[TypeRow]  # the period's cases and loss per fraud type, most cases first
    by_day: list[DayRow]  # every day of the period, days without a case included


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _minutes(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def change(current: float | None, previous: float | None) -> Change:
    pct = None
    if current is not None and previous:
        pct = round((current - previous) / previous * 100, 1)
    return Change(current, previous, pct)


def _cohort(period: Period) -> Select:
    lo, hi = period.bounds()
    return select(FraudCase.id).where(FraudCase.reported_at >= lo, FraudCase.reported_at < hi)


def report_to_stop(session: Session, period: Period, cases: int) -> ReportToStop:
    stop_at = func.coalesce(FraudOrder.stopped_at, FraudOrder.answered_at)
    rows = session.execute(
        select(
            FraudCase.reported_at,
            FraudCase.golden_start,
            type_coerce(func.min(stop_at), UtcDateTime()),
        )
        .join(FraudOrder, FraudOrder.case_id == FraudCase.id)
        .where(
            FraudCase.id.in_(_cohort(period)),
            FraudOrder.kind == "stop",
            FraudOrder.status == "answered",
            FraudOrder.result == "stopped",
        )
        .group_by(FraudCase.id, FraudCase.reported_at, FraudCase.golden_start)
    ).all()
    reported = [(first - at).total_seconds() / 60 for at, _, first in rows]
    golden = [(first - start).total_seconds() / 60 for _, start, first in rows]
    return ReportToStop(
        cases_stopped=len(rows),
        cases_without_stop=cases - len(rows),
        median_min=_minutes(reported, 50),
        p90_min=_minutes(reported, 90),
        golden_median_min=_minutes(golden, 50),
        golden_p90_min=_minutes(golden, 90),
    )


def stop_orders(session: Session, period: Period) -> StopOrders:
    rows = session.execute(
        select(FraudOrder.status, FraudOrder.result, func.count())
        .where(
            FraudOrder.case_id.in_(_cohort(period)),
            FraudOrder.kind == "stop",
            func.coalesce(FraudOrder.stop_count, 1) == 1,
        )
        .group_by(FraudOrder.status, FraudOrder.result)
    ).all()
    status: Counter[str] = Counter()
    results: Counter[str] = Counter()
    for state, result, n in rows:
        status[state] += n
        if state == "answered":
            results[result or "none"] += n
    answered = status["answered"]
    return StopOrders(
        orders=sum(status.values()),
        answered=answered,
        stopped=results["stopped"],
        sending=status["sending"],
        unavailable=status["unavailable"],
        refused=status["refused"],
        results=dict(sorted(results.items())),
        success_rate=_ratio(results["stopped"], answered),
    )


def money(session: Session, period: Period, loss_fen: int) -> Money:
    cohort = _cohort(period)
    per_account = (
        select(func.max(FraudOrder.held_fen).label("held"))
        .where(
            FraudOrder.case_id.in_(cohort),
            FraudOrder.kind.in_(("stop", "freeze")),
            FraudOrder.status == "answered",
            FraudOrder.result.in_(HELD_RESULTS),
            FraudOrder.held_fen > 0,
        )
        .group_by(FraudOrder.case_id, FraudOrder.payee_account)
        .subquery()
    )
    held, accounts = session.execute(
        select(func.coalesce(func.sum(per_account.c.held), 0), func.count())
    ).one()
    recorded = session.execute(
        select(func.coalesce(func.sum(FraudReturn.amount_fen), 0)).where(
            FraudReturn.case_id.in_(cohort)
        )
    ).scalar_one()
    atm = session.execute(
        select(func.coalesce(func.sum(FraudOrder.returned_fen), 0)).where(
            FraudOrder.case_id.in_(cohort),
            FraudOrder.kind == "atm_revoke",
            FraudOrder.status == "answered",
            FraudOrder.result == "revoked",
            ~exists().where(FraudReturn.order_id == FraudOrder.id),
        )
    ).scalar_one()
    return Money(
        loss_fen=loss_fen,
        held_fen=int(held),
        accounts_held=int(accounts),
        returned_fen=int(recorded) + int(atm),
        returned_recorded_fen=int(recorded),
        returned_atm_fen=int(atm),
    )


def _counts(created: int, assigned: int, closed: int, dissuaded: int) -> WarningCounts:
    return WarningCounts(created, assigned, closed, dissuaded, _ratio(dissuaded, closed))


def warnings(session: Session, period: Period) -> Warnings:
    lo, hi = period.bounds()
    created = (FraudWarning.created_at >= lo, FraudWarning.created_at < hi)
    closed = FraudWarning.status == "closed"
    rows = session.execute(
        select(
            FraudWarning.grade,
            func.count(),
            func.count(FraudWarning.assigned_at),
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((closed & (FraudWarning.outcome == "dissuaded"), 1), else_=0)),
        )
        .where(*created)
        .group_by(FraudWarning.grade)
    ).all()
    by_grade = {g: _counts(0, 0, 0, 0) for g in GRADES}
    for grade, *n in rows:
        by_grade[grade] = _counts(*(int(x or 0) for x in n))
    total = _counts(*(sum(getattr(c, f) for c in by_grade.values()) for f in
                      ("created", "assigned", "closed", "dissuaded")))  # fmt: skip
    outcomes = session.execute(
        select(FraudWarning.outcome, func.count())
        .where(*created, closed)
        .group_by(FraudWarning.outcome)
    ).all()
    return Warnings(total, by_grade, {o or "none": n for o, n in sorted(outcomes, key=str)})


def figures(session: Session, period: Period) -> Figures:
    cohort = _cohort(period).subquery()
    cases, loss = session.execute(
        select(func.count(), func.coalesce(func.sum(FraudCase.loss_fen), 0)).where(
            FraudCase.id.in_(select(cohort.c.id))
        )
    ).one()
    return Figures(
        period=period,
        cases=int(cases),
        report_to_stop=report_to_stop(session, period, int(cases)),
        stop_orders=stop_orders(session, period),
        money=money(session, period, int(loss)),
        warnings=warnings(session, period),
    )


def by_type(session: Session, period: Period) -> list[TypeRow]:
    rows = session.execute(
        select(FraudCase.fraud_type, func.count(), func.coalesce(func.sum(FraudCase.loss_fen), 0))
        .where(FraudCase.id.in_(_cohort(period)))
        .group_by(FraudCase.fraud_type)
    ).all()
    out = [TypeRow(t, int(n), int(loss)) for t, n, loss in rows]
    return sorted(out, key=lambda r: (-r.cases, -r.loss_fen, r.fraud_type))


def by_day(session: Session, period: Period) -> list[DayRow]:
    lo, hi = period.bounds()
    cases: Counter[date] = Counter()
    loss: Counter[date] = Counter()
    for at, fen in session.execute(
        select(FraudCase.reported_at, FraudCase.loss_fen).where(
            FraudCase.reported_at >= lo, FraudCase.reported_at < hi
        )
    ):
        day = at.astimezone(LOCAL_TZ).date()
        cases[day] += 1
        loss[day] += fen
    return [DayRow(d, cases[d], loss[d]) for d in period.days()]


def year_on_year(now: Figures, then: Figures) -> dict[str, Change]:
    pairs = {
        "cases": (now.cases, then.cases),
        "loss_fen": (now.money.loss_fen, then.money.loss_fen),
        "held_fen": (now.money.held_fen, then.money.held_fen),
        "returned_fen": (now.money.returned_fen, then.money.returned_fen),
        "stop_success_rate": (now.stop_orders.success_rate, then.stop_orders.success_rate),
        "report_to_stop_median_min": (
            now.report_to_stop.median_min,
            then.report_to_stop.median_min,
        ),
        "warnings": (now.warnings.total.created, then.warnings.total.created),
        "dissuaded": (now.warnings.total.dissuaded, then.warnings.total.dissuaded),
        "dissuasion_rate": (
            now.warnings.total.dissuasion_rate,
            then.warnings.total.dissuasion_rate,
        ),
    }
    return {key: change(a, b) for key, (a, b) in pairs.items()}


def fraud_stats(session: Session, actor: Actor, period: Period) -> FraudStats:
    """The period's KPIs beside the same dates one year earlier."""
    require(actor, "fraud.stats")
    now = figures(session, period)
    then = figures(session, period.year_before())
    return FraudStats(
        current=now,
        previous=then,
        year_on_year=year_on_year(now, then),
        by_type=by_type(session, period),
        by_day=by_day(session, period),
    )
