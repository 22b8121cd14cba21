"""Use cases for units: register, move, change duty status, and claim atomically."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.geo.coords import Crs
from pingan.geo.input import validated_point
from pingan.units.catalogue import UnitStatus, unit_kinds
from pingan.units.models import Unit

MAX_CLOCK_SKEW = timedelta(seconds=60)


def get_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"警力单元不存在: {unit_id} / no such unit", code="unit_not_found")
    return unit


def create_unit(
    session: Session,
    actor: Actor,
    *,
    call_sign: str,
    kind: str,
    name: str | None = None,
    capabilities: list[str] | None = None,
    crew_size: int | None = None,
    area_code: str | None = None,
    post: tuple[float, float] | None = None,
    crs: Crs | str = Crs.WGS84,
    on_duty: bool = True,
) -> Unit:
    require(actor, "unit.write")
    kinds = unit_kinds()
    if kind not in kinds:
        raise ValidationFailed(
            f"未知警力类型 {kind}；可选: {', '.join(kinds)} / unknown unit kind",
            code="bad_unit_kind",
        )
    spec = kinds[kind]
    if session.execute(select(Unit.id).where(Unit.call_sign == call_sign)).first():
        raise Conflict(f"呼号已存在: {call_sign} / call sign already used", code="call_sign_taken")
    crew = spec.crew if crew_size is None else crew_size
    if crew < 0 or crew > 50:
        raise ValidationFailed("人数须在0-50之间 / crew size must be 0-50")
    post_lon, post_lat = validated_point(*post, crs) if post else (None, None)
    now = utcnow()
    unit = Unit(
        call_sign=call_sign,
        kind=kind,
        name=name or f"{spec.name_zh} {call_sign}",
        capabilities=sorted(set(spec.capabilities if capabilities is None else capabilities)),
        crew_size=crew,
        status=(UnitStatus.AVAILABLE if on_duty else UnitStatus.OFF_DUTY).value,
        area_code=area_code,
        post_lon=post_lon,
        post_lat=post_lat,
        lon=None,  # no live fix yet: the recommender falls back to the post and says so
        lat=None,
        position_at=None,
        status_at=now,
        version=1,
    )
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor,
        "unit.create",
        "unit",
        unit.id,
        {"call_sign": call_sign, "kind": kind, "crew_size": crew},
    )
    finish(session)
    return unit


def report_position(
    session: Session,
    actor: Actor,
    unit_id: int,
    *,
    lon: float,
    lat: float,
    at: datetime | None = None,
    crs: Crs | str = Crs.WGS84,
) -> Unit:
    """Record the unit's last known position; an older fix than the stored one is ignored."""
    require(actor, "unit.position")
    lon, lat = validated_point(lon, lat, crs)
    now = utcnow()
    at = at or now
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationFailed(
            "定位时间在未来 / position time is in the future", code="future_time"
        )
    unit = get_unit(session, unit_id)
    if unit.position_at is not None and at < unit.position_at:
        return unit  # late, out-of-order fix: the newer one stands
    unit.lon, unit.lat, unit.position_at = lon, lat, at
    audit.record(
        session,
        actor,
        "unit.position",
        "unit",
        unit_id,
        {"lon": round(lon, 6), "lat": round(lat, 6)},
    )
    finish(session)
    return unit


def set_post(
    session: Session,
    actor: Actor,
    unit_id: int,
    *,
    lon: float,
    lat: float,
    reason: str,
) -> bool:
    """Move a unit's standing post (where it waits, and where dispatch places it without a
    live fix); audited with the reason. False when it already stands there."""
    require(actor, "unit.write")
    unit = get_unit(session, unit_id)
    lon, lat = validated_point(lon, lat, Crs.WGS84)
    if (unit.post_lon, unit.post_lat) == (lon, lat):
        return False
    before = None if unit.post_lon is None else [unit.post_lon, unit.post_lat]
    unit.post_lon, unit.post_lat = lon, lat
    detail = {"from": before, "to": [lon, lat], "reason": reason}
    audit.record(session, actor, "unit.post", "unit", unit.id, detail)
    finish(session)
    return True


def set_duty(session: Session, actor: Actor, unit_id: int, *, on_duty: bool) -> Unit:
    """Go on or off duty. A unit busy on an incident must be released first."""
    require(actor, "unit.status")
    target = UnitStatus.AVAILABLE if on_duty else UnitStatus.OFF_DUTY
    source = UnitStatus.OFF_DUTY if on_duty else UnitStatus.AVAILABLE
    unit = get_unit(session, unit_id)
    if unit.status == target.value:
        return unit
    if not _transition_status(session, unit_id, source, target):
        raise Conflict(
            f"警力当前状态为 {unit.status}，不能改为 {target.value} / unit is {unit.status}",
            code="unit_busy",
        )
    audit.record(session, actor, "unit.status", "unit", unit_id, {"status": target.value})
    finish(session)
    session.refresh(unit)
    return unit


def _transition_status(
    session: Session, unit_id: int, source: UnitStatus | tuple[UnitStatus, ...], target: UnitStatus
) -> bool:
    """Compare-and-set the unit's status in one UPDATE; True if this caller won.

    A won change is announced as `unit.status_changed` in the same transaction.
    """
    sources = (source,) if isinstance(source, UnitStatus) else source
    now = utcnow()
    result = session.execute(
        update(Unit)
        .where(Unit.id == unit_id, Unit.status.in_([s.value for s in sources]))
        .values(status=target.value, status_at=now, version=Unit.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    outbox.publish(
        session,
        "unit.status_changed",
        "unit",
        unit_id,
        {"unit_id": unit_id, "status": target.value, "at": now.isoformat()},
    )
    return True


def claim_for_dispatch(session: Session, unit_id: int) -> bool:
    """Atomically take an available unit: of two dispatchers racing, exactly one wins."""
    return _transition_status(session, unit_id, UnitStatus.AVAILABLE, UnitStatus.DISPATCHED)


def move_status(session: Session, unit_id: int, target: UnitStatus) -> None:
    """Follow an assignment's progress (en route, on scene) or release it (available)."""
    busy = (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE)
    _transition_status(session, unit_id, busy, target)


def list_units(
    session: Session,
    *,
    kind: str | None = None,
    status: list[str] | None = None,
    area_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Unit], int]:
    query = select(Unit)
    if kind:
        query = query.where(Unit.kind == kind)
    if status:
        query = query.where(Unit.status.in_(status))
    if area_code:
        query = query.where(Unit.area_code == area_code)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Unit.id).limit(limit).offset(offset)).scalars()
    return list(rows), total
