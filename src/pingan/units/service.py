"""Use cases for units: register, move, change duty status, claim atomically, and bind the
accounts that crew them (officers and volunteers act only for the units bound to them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.policy import ANY_UNIT, role_may
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.tx import finish
from pingan.dispatch.kpi import shift_window
from pingan.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pingan.geo.coords import Crs
from pingan.geo.input import validated_point
from pingan.i18n import msg
from pingan.incidents.models import Assignment, Incident
from pingan.units.catalogue import UnitStatus, unit_kinds
from pingan.units.models import Unit, UnitBinding

MAX_CLOCK_SKEW = timedelta(seconds=60)


def get_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(msg("units.not_found", unit_id=unit_id), code="unit_not_found")
    return unit


def unit_by_call_sign(session: Session, call_sign: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.call_sign == call_sign))
    if unit is None:
        raise NotFound(msg("units.not_found_call_sign", call_sign=call_sign), code="unit_not_found")
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
            msg("units.bad_unit_kind", kind=kind, choices=list(kinds)),
            code="bad_unit_kind",
        )
    spec = kinds[kind]
    if session.execute(select(Unit.id).where(Unit.call_sign == call_sign)).first():
        raise Conflict(msg("units.call_sign_taken", call_sign=call_sign), code="call_sign_taken")
    crew = spec.crew if crew_size is None else crew_size
    if crew < 0 or crew > 50:
        raise ValidationFailed(msg("units.bad_crew_size"))
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


@dataclass(frozen=True)
class PositionFix:
    """One fix a unit's terminal sends (`at` None: now)."""

    unit_id: int
    lon: float
    lat: float
    at: datetime | None = None


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
    """Record the unit's last known position; an older fix than the stored one is ignored.

    Officers and volunteers report only for their bound units; a fix from the future (beyond
    a small clock skew) is refused, since arrivals are checked against the last fix.
    """
    return report_positions(session, actor, [PositionFix(unit_id, lon, lat, at)], crs=crs)[0]


def report_positions(
    session: Session, actor: Actor, fixes: Sequence[PositionFix], *, crs: Crs | str = Crs.WGS84
) -> list[Unit]:
    """Several fixes in one transaction, applied in order as `report_position` applies each
    (a fleet's fixes of one moment: one query for the units and one audit head, not one
    each). All or nothing: a refused fix refuses the batch."""
    require(actor, "unit.position")
    if not fixes:
        return []
    ids = {f.unit_id for f in fixes}
    found = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    for unit_id in ids - found.keys():
        get_unit(session, unit_id)  # raises its NotFound
    if not acts_for_any_unit(actor):
        bound = set(bound_unit_ids(session, actor.user_id or 0))
        for unit_id in sorted(ids - bound):
            require_for_unit(session, actor, unit_id, "unit.position")  # raises its Forbidden
    now = utcnow()
    checked = []
    for fix in fixes:  # every fix checked before any is applied
        lon, lat = validated_point(fix.lon, fix.lat, crs)
        at = fix.at or now
        if at > now + MAX_CLOCK_SKEW:
            raise ValidationFailed(msg("units.future_time"), code="future_time")
        checked.append((fix.unit_id, lon, lat, at))
    out, entries = [], []
    for unit_id, lon, lat, at in checked:
        unit = found[unit_id]
        out.append(unit)
        if unit.position_at is not None and at < unit.position_at:
            continue  # late, out-of-order fix: the newer one stands
        unit.lon, unit.lat, unit.position_at = lon, lat, at
        entries.append(
            ("unit.position", "unit", unit_id, {"lon": round(lon, 6), "lat": round(lat, 6)})
        )
    if entries:
        audit.record_many(session, actor, entries)
        finish(session)
    return out


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
    require_for_unit(session, actor, unit_id, "unit.status")
    target = UnitStatus.AVAILABLE if on_duty else UnitStatus.OFF_DUTY
    source = UnitStatus.OFF_DUTY if on_duty else UnitStatus.AVAILABLE
    unit = get_unit(session, unit_id)
    if unit.status == target.value:
        return unit
    if not _transition_status(session, unit_id, source, target):
        raise Conflict(
            msg("units.unit_busy", status=unit.status, target=target.value),
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
    if _transition_status(session, unit_id, busy, target) and target == UnitStatus.AVAILABLE:
        _release_covers_of(session, unit_id)


# -- cover moves (动中备勤): a temporary standby point overriding the post -----------------------
COVER_RELEASER = Actor.system("cover-release")


def set_cover(session: Session, actor: Actor, unit: Unit, lon: float, lat: float,
              area_code: str, note: str | None = None) -> Unit:  # fmt: skip
    """Send a free unit to stand by at a cover point for an area; audited (the caller checked
    the role). The post stays as it is: the cover point overrides it until released."""
    if unit.status != UnitStatus.AVAILABLE:
        raise Conflict(
            msg("units.busy_for_cover", call_sign=unit.call_sign, status=unit.status),
            code="unit_busy",
        )
    lon, lat = validated_point(lon, lat, Crs.WGS84)
    unit.cover_lon, unit.cover_lat, unit.cover_area_code = lon, lat, area_code
    unit.cover_at, unit.cover_by = utcnow(), actor.username
    unit.version = unit.version + 1
    post = None if unit.post_lon is None else [unit.post_lon, unit.post_lat]
    detail = {"to": [lon, lat], "area": area_code, "post": post, "note": note}
    audit.record(session, actor, "unit.cover", "unit", unit.id, detail)
    finish(session)
    return unit


def clear_cover(session: Session, actor: Actor, unit: Unit, reason: str) -> bool:
    """End a unit's cover standby (back to its post); audited. False when it had none."""
    if unit.cover_lon is None:
        return False
    detail = {"area": unit.cover_area_code, "from": [unit.cover_lon, unit.cover_lat],
              "reason": reason}  # fmt: skip
    unit.cover_lon = unit.cover_lat = unit.cover_area_code = None
    unit.cover_at = unit.cover_by = None
    unit.version = unit.version + 1
    audit.record(session, actor, "unit.cover_release", "unit", unit.id, detail)
    return True


def _release_covers_of(session: Session, freed_id: int) -> None:
    """A unit free again releases the covers standing in for its own area."""
    freed = get_unit(session, freed_id)
    if freed.area_code is None:
        return
    rows = session.scalars(
        select(Unit).where(Unit.cover_area_code == freed.area_code, Unit.id != freed_id)
    )
    why = msg("units.cover_home_free", call_sign=freed.call_sign)
    for unit in rows:
        clear_cover(session, COVER_RELEASER, unit, why)


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


@dataclass(frozen=True, slots=True)
class OpenAssignment:
    """The incident a unit is on now: what a status board shows beside the unit."""

    incident_id: int
    case_number: str
    state: str


def open_assignments(session: Session, unit_ids: Sequence[int]) -> dict[int, OpenAssignment]:
    """Each listed unit's unreleased assignment (a unit is sent to one incident at a time),
    read in one query so a list of hundreds of units costs one more SELECT, not hundreds."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(Assignment.unit_id, Assignment.incident_id, Incident.case_number, Assignment.state)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.unit_id.in_(list(unit_ids)), Assignment.released_at.is_(None))
        .order_by(Assignment.dispatched_at)
    )
    return {r.unit_id: OpenAssignment(r.incident_id, r.case_number, r.state) for r in rows}


def fleet(session: Session, *, status: list[str] | None = None) -> list[Row]:
    """Every unit's id, call sign, kind, status, post, cover standby point and last fix, as
    plain rows in id order: what a map frame or a simulated tick reads for hundreds of units,
    without loading (and tracking) a full unit object each."""
    query = select(
        Unit.id, Unit.call_sign, Unit.kind, Unit.status, Unit.post_lon, Unit.post_lat,
        Unit.cover_lon, Unit.cover_lat, Unit.lon, Unit.lat, Unit.position_at,
    )  # fmt: skip
    if status:
        query = query.where(Unit.status.in_(status))
    return list(session.execute(query.order_by(Unit.id)).all())


# -- bindings: which accounts crew which unit, and when -----------------------------------------
def _active_at(at: datetime):  # type: ignore[no-untyped-def]
    return (UnitBinding.valid_from <= at) & or_(
        UnitBinding.valid_until.is_(None), UnitBinding.valid_until > at
    )


def bound_unit_ids(session: Session, user_id: int, at: datetime | None = None) -> list[int]:
    """The units an account is bound to at a moment (default now)."""
    rows = session.scalars(
        select(UnitBinding.unit_id)
        .where(UnitBinding.user_id == user_id, _active_at(at or utcnow()))
        .distinct()
        .order_by(UnitBinding.unit_id)
    )
    return list(rows)


def my_units(session: Session, actor: Actor) -> list[Unit]:
    """The units bound to the caller's account now, by call sign."""
    require(actor, "unit.read")
    ids = bound_unit_ids(session, actor.user_id or 0)
    if not ids:
        return []
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.call_sign)))


def acts_for_any_unit(actor: Actor) -> bool:
    """The platform itself and roles holding ANY_UNIT (dispatchers, commanders) need no binding."""
    return actor.is_system or (actor.role is not None and role_may(actor.role, ANY_UNIT))


def require_for_unit(session: Session, actor: Actor, unit_id: int, permission: str) -> Unit:
    """The permission, and for officers and volunteers a binding to this unit now; else 403."""
    require(actor, permission)
    unit = get_unit(session, unit_id)
    if acts_for_any_unit(actor) or unit_id in bound_unit_ids(session, actor.user_id or 0):
        return unit
    raise Forbidden(
        msg("units.unit_not_bound", username=actor.username, call_sign=unit.call_sign),
        code="unit_not_bound",
    )


def _binding_window(
    valid_from: datetime | None,
    valid_until: datetime | None,
    shift: tuple[date, str] | None,
    now: datetime,
) -> tuple[datetime, datetime | None]:
    """From/until as given, or one day's shift from shifts.yaml; the end must lie ahead."""
    if shift is not None:
        if valid_from is not None or valid_until is not None:
            raise ValidationFailed(
                msg("units.shift_or_window"),
                code="bad_binding_window",
            )
        try:
            valid_from, valid_until = shift_window(*shift)
        except KeyError as exc:
            raise ValidationFailed(
                msg("units.bad_shift", shift=shift[1], choices=exc.args[0]), code="bad_shift"
            ) from exc
    start = valid_from or now
    if valid_until is not None and valid_until <= max(start, now):
        raise ValidationFailed(
            msg("units.bad_binding_window"),
            code="bad_binding_window",
        )
    return start, valid_until


def bind_user(
    session: Session,
    actor: Actor,
    unit_id: int,
    *,
    user_id: int,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    shift: tuple[date, str] | None = None,
    note: str | None = None,
) -> tuple[UnitBinding, str]:
    """Bind an account to a unit (open-ended, for a stretch, or for one day's shift); audited.

    Returns the binding and the account's username."""
    require(actor, "unit.bind")
    unit = get_unit(session, unit_id)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(msg("units.user_not_found", user_id=user_id), code="user_not_found")
    if not user.active or not role_may(Role(user.role), "unit.position"):
        raise ValidationFailed(
            msg("units.cannot_bind", role=user.role),
            code="cannot_bind",
        )
    now = utcnow()
    start, until = _binding_window(valid_from, valid_until, shift, now)
    overlap = session.scalar(
        select(UnitBinding.id).where(
            UnitBinding.user_id == user_id,
            UnitBinding.unit_id == unit_id,
            or_(UnitBinding.valid_until.is_(None), UnitBinding.valid_until > start),
            *([UnitBinding.valid_from < until] if until is not None else []),
        )
    )
    if overlap is not None:
        raise Conflict(
            msg("units.already_bound", username=user.username, call_sign=unit.call_sign),
            code="already_bound",
        )
    binding = UnitBinding(
        unit_id=unit_id,
        user_id=user_id,
        valid_from=start,
        valid_until=until,
        note=note,
        created_by=actor.username,
        created_at=now,
    )
    session.add(binding)
    session.flush()
    detail = {
        "unit": unit.call_sign,
        "user": user.username,
        "valid_from": start.isoformat(),
        "valid_until": until.isoformat() if until else None,
    }
    audit.record(session, actor, "unit.bind", "unit", unit_id, {**detail, "binding": binding.id})
    finish(session)
    return binding, user.username


def end_binding(
    session: Session, actor: Actor, unit_id: int, binding_id: int
) -> tuple[UnitBinding, str]:
    """End a binding now (kept on record); 409 when it has already ended."""
    require(actor, "unit.bind")
    binding = session.get(UnitBinding, binding_id)
    if binding is None or binding.unit_id != unit_id:
        raise NotFound(
            msg("units.binding_not_found", binding_id=binding_id), code="binding_not_found"
        )
    now = utcnow()
    if binding.valid_until is not None and binding.valid_until <= now:
        raise Conflict(msg("units.binding_ended"), code="binding_ended")
    binding.valid_until = max(now, binding.valid_from)
    username = session.get(User, binding.user_id).username  # type: ignore[union-attr]
    detail = {"binding": binding.id, "user": username}
    audit.record(session, actor, "unit.unbind", "unit", unit_id, detail)
    finish(session)
    return binding, username


def list_bindings(
    session: Session, unit_id: int, *, current_only: bool = False
) -> list[tuple[UnitBinding, str]]:
    """A unit's bindings with the bound account's username, newest first."""
    get_unit(session, unit_id)
    query = (
        select(UnitBinding, User.username)
        .join(User, User.id == UnitBinding.user_id)
        .where(UnitBinding.unit_id == unit_id)
    )
    if current_only:
        now = utcnow()
        query = query.where(or_(UnitBinding.valid_until.is_(None), UnitBinding.valid_until > now))
    rows = session.execute(query.order_by(UnitBinding.valid_from.desc(), UnitBinding.id.desc()))
    return [(b, name) for b, name in rows]


def bindings_of_user(session: Session, user_id: int) -> list[tuple[UnitBinding, str]]:
    """The bindings of one account not yet ended (the units it crews now or later), with its
    username, newest first: what an admin sees beside the account."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(msg("auth.no_such_user", user_id=user_id), code="user_not_found")
    rows = session.scalars(
        select(UnitBinding)
        .where(
            UnitBinding.user_id == user_id,
            or_(UnitBinding.valid_until.is_(None), UnitBinding.valid_until > utcnow()),
        )
        .order_by(UnitBinding.valid_from.desc(), UnitBinding.id.desc())
    )
    return [(b, user.username) for b in rows]
