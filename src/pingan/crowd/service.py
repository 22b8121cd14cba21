"""Use cases for crowd monitoring: ingest counts, evaluate levels and warnings, read state.

One ingest call is one transaction: readings are validated, stored once (a repeated
(source, time) is skipped), and each area they touch is evaluated at the newest reading's
time — so late and out-of-order readings are kept but never move an area back in time.
Level changes and early warnings become alerts and outbox events (`crowd.level_changed`,
`crowd.early_warning`, `crowd.sensor_silent`) that other domains act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.crowd.early_warning import net_inflow_per_s, warn
from pingan.crowd.fusion import SourceReading, fuse
from pingan.crowd.levels import LEVEL_ZH, Change, Level, Observation, TrackerState, step
from pingan.crowd.models import AreaCount, AreaLevel, CountReading, CountSource, CrowdAlert
from pingan.crowd.settings import (
    incident_priority,
    measure_for,
    source_sigma,
    thresholds_for,
)
from pingan.db.base import utcnow
from pingan.db.insert_ignore import insert_ignore
from pingan.db.tx import finish
from pingan.errors import NotFound, ValidationFailed
from pingan.geo.city import City, KeyArea
from pingan.i18n import Msg, msg

SOURCE_KINDS = frozenset({"gate", "camera", "video", "drone", "wifi", "manual"})
MAX_SKEW = timedelta(seconds=60)
MAX_AGE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class NewReading:
    source_id: str
    area_code: str
    kind: str
    at: datetime
    count: float
    entered: int | None = None
    exited: int | None = None


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    alerts: list[CrowdAlert] = field(default_factory=list)


def validate(reading: NewReading, city: City, now: datetime) -> Msg | None:
    """Why a reading cannot be taken (None when it can): the reason names the problem."""
    area = city.key_areas.get(reading.area_code)
    if area is None:
        return msg("crowd.unknown_area", area=reading.area_code)
    if reading.kind not in SOURCE_KINDS:
        return msg("crowd.unknown_kind", kind=reading.kind, known=sorted(SOURCE_KINDS))
    if not reading.source_id or len(reading.source_id) > 64:
        return msg("crowd.bad_source_id")
    if reading.at.tzinfo is None:
        return msg("crowd.naive_time")
    if reading.at > now + MAX_SKEW:
        return msg("crowd.future_reading")
    if reading.at < now - MAX_AGE:
        return msg("crowd.old_reading")
    if reading.count != reading.count or reading.count < 0:
        return msg("crowd.bad_count")
    for v in (reading.entered, reading.exited):
        if v is not None and v < 0:
            return msg("crowd.bad_flows")
    physical = thresholds_for(area.code).physical_max_ppm2 * (area.usable_area_m2 or 0)
    if physical and reading.count > physical:
        return msg(
            "crowd.count_impossible", count=f"{reading.count:.0f}", physical=f"{physical:.0f}"
        )
    return None


def ingest(
    session: Session, actor: Actor, city: City, readings: Sequence[NewReading]
) -> IngestResult:
    """Store a batch of readings and evaluate the areas they touch (all or nothing)."""
    require(actor, "crowd.ingest")
    now = utcnow()
    problems = [(i, why) for i, r in enumerate(readings) if (why := validate(r, city, now))]
    if problems:
        raise ValidationFailed(
            "; ".join(f"#{i}: {why}" for i, why in problems[:10]),
            code="bad_reading",
        )
    sources = {r.source_id: r for r in readings}
    insert_ignore(
        session,
        CountSource.__table__,
        [
            {
                "id": s.source_id,
                "area_code": s.area_code,
                "kind": s.kind,
                "first_seen_at": now,
                "silent_alerted": False,
            }
            for s in sources.values()
        ],
    )
    known = {
        s.id: s
        for s in session.execute(
            select(CountSource).where(CountSource.id.in_(list(sources)))
        ).scalars()
    }
    for sid, r in sources.items():
        if known[sid].area_code != r.area_code or known[sid].kind != r.kind:
            raise ValidationFailed(
                msg(
                    "crowd.source_mismatch",
                    source=sid,
                    area=known[sid].area_code,
                    kind=known[sid].kind,
                ),
                code="source_mismatch",
            )
    new = insert_ignore(
        session,
        CountReading.__table__,
        [
            {
                "source_id": r.source_id,
                "area_code": r.area_code,
                "at": r.at,
                "count": r.count,
                "entered": r.entered,
                "exited": r.exited,
                "received_at": now,
            }
            for r in readings
        ],
    )
    result = IngestResult(accepted=new, duplicates=len(readings) - new)
    newest_of: dict[str, datetime] = {}
    for r in readings:
        if r.source_id not in newest_of or r.at > newest_of[r.source_id]:
            newest_of[r.source_id] = r.at
    for sid, newest in newest_of.items():
        src = known[sid]
        if src.last_reading_at is None or newest > src.last_reading_at:
            src.last_reading_at, src.silent_alerted = newest, False
    by_area: dict[str, datetime] = {}
    for r in readings:
        by_area[r.area_code] = max(by_area.get(r.area_code, r.at), r.at)
    for code, at in sorted(by_area.items()):
        result.alerts += _evaluate(session, city.key_areas[code], at)
    if new:
        audit.record(
            session,
            actor,
            "crowd.ingest",
            "crowd_readings",
            None,
            {"accepted": new, "areas": sorted(by_area)},
        )
    finish(session)
    return result


def _state(row: AreaLevel) -> TrackerState:
    return TrackerState(
        level=Level[row.level.upper()],
        since=row.since,
        pending=Level[row.pending.upper()] if row.pending else None,
        pending_since=row.pending_since,
        last_alert_at=row.last_alert_at,
    )


def _level_row(session: Session, code: str) -> AreaLevel:
    row = session.execute(
        select(AreaLevel).where(AreaLevel.area_code == code).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = AreaLevel(area_code=code, level=Level.NORMAL.code)
        session.add(row)
        session.flush()
    return row


def _latest_per_source(session: Session, code: str, since: datetime) -> list[SourceReading]:
    newest = (
        select(CountReading.source_id, func.max(CountReading.at).label("at"))
        .where(CountReading.area_code == code, CountReading.at >= since)
        .group_by(CountReading.source_id)
        .subquery()
    )
    rows = session.execute(
        select(CountReading.source_id, CountSource.kind, CountReading.count, CountReading.at)
        .join(
            newest,
            (newest.c.source_id == CountReading.source_id) & (newest.c.at == CountReading.at),
        )
        .join(CountSource, CountSource.id == CountReading.source_id)
    ).all()
    return [
        SourceReading(sid, kind, float(count), at)
        for sid, kind, count, at in rows
        if count is not None
    ]


def _net_inflow(session: Session, code: str, at: datetime, window_s: float, count: float):  # type: ignore[no-untyped-def]
    """From gate in/out counts when the window has them, else the fused-count slope."""
    since = at - timedelta(seconds=window_s)
    gates = session.execute(
        select(
            func.sum(CountReading.entered),
            func.sum(CountReading.exited),
            func.min(CountReading.at),
            func.count(),
        ).where(
            CountReading.area_code == code,
            CountReading.at > since,
            CountReading.at <= at,
            CountReading.entered.is_not(None),
            CountReading.exited.is_not(None),
        )
    ).one()
    entered, exited, first, n = gates
    if n and n >= 2 and first is not None and at > first:
        return (entered - exited) / (at - first).total_seconds()
    series = session.execute(
        select(AreaCount.at, AreaCount.count)
        .where(AreaCount.area_code == code, AreaCount.at >= since, AreaCount.at < at)
        .order_by(AreaCount.at)
    ).all()
    times = [(t - since).total_seconds() for t, _ in series] + [window_s]
    return net_inflow_per_s(times, [c for _, c in series] + [count])


def _alert(session: Session, area: KeyArea, kind: str, level: Level, at: datetime,
           zh: str, en: str, data: dict) -> CrowdAlert:  # fmt: skip
    alert = CrowdAlert(
        area_code=area.code,
        kind=kind,
        level=level.code,
        at=at,
        text_zh=zh[:300],
        text_en=en[:300],
        data=data,
    )
    session.add(alert)
    lon, lat = _anchor(area)
    outbox.publish(
        session,
        f"crowd.{kind}",
        "area",
        area.code,
        {
            "area_code": area.code,
            "area_name_zh": area.name_zh,
            "kind": kind,
            "level": level.code,
            "at": at.isoformat(),
            "text_zh": zh,
            "text_en": en,
            "lon": lon,
            "lat": lat,
            "suggested_priority": incident_priority(level.code),
            **data,
        },
    )
    return alert


@cache
def _anchor_of(polygon: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    p = shapely.Polygon(polygon).representative_point()
    return round(p.x, 6), round(p.y, 6)


def _anchor(area: KeyArea) -> tuple[float, float]:
    """A point inside the area, where an incident about it is placed on the map."""
    return _anchor_of(area.polygon)


def _change_words(area: KeyArea, change: Change, count: float) -> tuple[str, str]:
    mz, me = measure_for(change.after.code)
    if change.repeat:
        zh = f"{area.name_zh}仍为{LEVEL_ZH[change.after]}等级（约{count:.0f}人）"
        en = f"{area.name_en} still at {change.after.code} (~{count:.0f} people)"
    else:
        zh = (
            f"{area.name_zh}由{LEVEL_ZH[change.before]}变为{LEVEL_ZH[change.after]}等级"
            f"（约{count:.0f}人）"
        )
        en = f"{area.name_en}: {change.before.code} → {change.after.code} (~{count:.0f} people)"
    if mz:
        zh, en = f"{zh}。建议：{mz}", f"{en}. Suggested: {me}"
    return zh, en


def _evaluate(session: Session, area: KeyArea, at: datetime) -> list[CrowdAlert]:
    cfg = thresholds_for(area.code)
    row = _level_row(session, area.code)
    if row.evaluated_at is not None and at <= row.evaluated_at:
        return []  # a late reading: stored, but the area has already been judged past it
    est = fuse(
        _latest_per_source(session, area.code, at - timedelta(seconds=cfg.silent_after_s)),
        at,
        silent_after_s=cfg.silent_after_s,
        sigma_by_kind=source_sigma(),
    )
    if est.count is None:
        return []
    usable, capacity = area.usable_area_m2, area.instant_capacity
    obs = Observation(
        at,
        est.count,
        est.count / usable if usable else None,
        est.count / capacity if capacity else None,
    )
    before = _state(row)
    state, change = step(before, obs, cfg)
    row.level, row.since = state.level.code, state.since or row.since
    row.pending = state.pending.code if state.pending is not None else None
    row.pending_since, row.last_alert_at, row.evaluated_at = (
        state.pending_since,
        state.last_alert_at,
        at,
    )
    session.add(
        AreaCount(
            area_code=area.code,
            at=at,
            count=est.count,
            sigma=est.sigma,
            density_ppm2=obs.density_ppm2,
            capacity_share=obs.capacity_share,
            level=state.level.code,
        )
    )
    facts = {
        "count": round(est.count, 1),
        "sigma": round(est.sigma or 0, 1),
        "density_ppm2": round(obs.density_ppm2, 3) if obs.density_ppm2 is not None else None,
        "capacity_share": round(obs.capacity_share, 4) if obs.capacity_share is not None else None,
        "sources": list(est.used),
    }
    alerts = []
    if change is not None:
        zh, en = _change_words(area, change, est.count)
        alerts.append(
            _alert(
                session,
                area,
                "level_repeated" if change.repeat else "level_changed",
                change.after,
                at,
                zh,
                en,
                {**facts, "before": change.before.code},
            )
        )
    inflow = _net_inflow(session, area.code, at, cfg.trend_window_s, est.count)
    warning = warn(est.count, state.level, inflow, cfg, usable_area_m2=usable, capacity=capacity)
    quiet = row.last_warning_at is not None and (
        (at - row.last_warning_at).total_seconds() < cfg.repeat_s
    )
    worse = warning is not None and (
        row.last_warning_level is None or warning.level > Level[row.last_warning_level.upper()]
    )
    if warning is not None and (worse or not quiet):
        row.last_warning_at, row.last_warning_level = at, warning.level.code
        alerts.append(
            _alert(
                session,
                area,
                "early_warning",
                warning.level,
                at,
                warning.text_zh,
                warning.text_en,
                {
                    **facts,
                    "eta_s": round(warning.seconds),
                    "net_inflow_per_min": round(warning.net_inflow_per_min, 1),
                },
            )
        )
    return alerts


def check_silent(session: Session, city: City, now: datetime | None = None) -> list[CrowdAlert]:
    """Alert once per silence for every source quiet longer than its area allows."""
    now = now or utcnow()
    alerts = []
    for src in session.execute(
        select(CountSource).where(CountSource.silent_alerted.is_(False))
    ).scalars():
        area = city.key_areas.get(src.area_code)
        if area is None or src.last_reading_at is None:
            continue
        limit = thresholds_for(area.code).silent_after_s
        quiet = (now - src.last_reading_at).total_seconds()
        if quiet > limit:
            src.silent_alerted = True
            alerts.append(
                _alert(
                    session,
                    area,
                    "sensor_silent",
                    Level.NORMAL,
                    now,
                    f"{area.name_zh}的{src.kind}传感器 {src.id} 已 {quiet / 60:.0f} 分钟无数据，"
                    "该区域人数未知（不是空）",
                    f"{src.kind} sensor {src.id} in {area.name_en} silent for "
                    f"{quiet / 60:.0f} min: count unknown (not empty)",
                    {"source_id": src.id, "silent_s": round(quiet)},
                )
            )
    finish(session)
    return alerts


@dataclass(frozen=True, slots=True)
class AreaStatus:
    area: KeyArea
    level: str
    since: datetime | None
    count: float | None
    sigma: float | None
    density_ppm2: float | None
    capacity_share: float | None
    at: datetime | None
    fresh_sources: int
    silent_sources: list[str]


def area_status(session: Session, actor: Actor, city: City, now: datetime | None = None
                ) -> list[AreaStatus]:  # fmt: skip
    """Each key area's level and latest estimate; 'unknown' when all sources are silent."""
    require(actor, "crowd.read")
    now = now or utcnow()
    levels = {r.area_code: r for r in session.execute(select(AreaLevel)).scalars()}
    out = []
    for code, area in city.key_areas.items():
        cfg = thresholds_for(code)
        last = session.execute(
            select(AreaCount)
            .where(AreaCount.area_code == code)
            .order_by(AreaCount.at.desc())
            .limit(1)
        ).scalar_one_or_none()
        sources = list(
            session.execute(select(CountSource).where(CountSource.area_code == code)).scalars()
        )
        silent = [
            s.id
            for s in sources
            if s.last_reading_at is None
            or (now - s.last_reading_at).total_seconds() > cfg.silent_after_s
        ]
        fresh = len(sources) - len(silent)
        row = levels.get(code)
        known = last is not None and fresh > 0
        out.append(
            AreaStatus(
                area=area,
                level=(row.level if row else "normal") if known else "unknown",
                since=row.since if row else None,
                count=last.count if known else None,
                sigma=last.sigma if known else None,
                density_ppm2=last.density_ppm2 if known else None,
                capacity_share=last.capacity_share if known else None,
                at=last.at if last else None,
                fresh_sources=fresh,
                silent_sources=silent,
            )
        )
    return out


def history(session: Session, actor: Actor, city: City, code: str, *, since: datetime,
            until: datetime, limit: int = 2000) -> list[AreaCount]:  # fmt: skip
    require(actor, "crowd.read")
    if code not in city.key_areas:
        raise NotFound(msg("crowd.area_not_found", area=code), code="area_not_found")
    return list(
        session.execute(
            select(AreaCount)
            .where(AreaCount.area_code == code, AreaCount.at >= since, AreaCount.at < until)
            .order_by(AreaCount.at)
            .limit(limit)
        ).scalars()
    )


def alerts(session: Session, actor: Actor, *, area_code: str | None, since: datetime | None,
           limit: int, offset: int) -> tuple[list[CrowdAlert], int]:  # fmt: skip
    require(actor, "crowd.read")
    query = select(CrowdAlert)
    if area_code:
        query = query.where(CrowdAlert.area_code == area_code)
    if since:
        query = query.where(CrowdAlert.at >= since)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(CrowdAlert.at.desc(), CrowdAlert.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total
