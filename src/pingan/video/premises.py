"""Use cases for licensed premises (行业场所): register, record video checks, list overdue.

Each premises is checked over its cameras every `check_every_days`; `next_due_at` moves on
with each recorded check, so the overdue list is one indexed query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import utcnow
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.geo.coords import Crs
from pingan.geo.input import validated_point
from pingan.i18n import msg
from pingan.video.models import Camera, Premises, PremisesCheck

KINDS = {
    "hotel": "旅馆",
    "entertainment": "娱乐场所",
    "internet_cafe": "网吧",
    "bar": "酒吧",
    "pawnshop": "典当行",
    "other": "其他",
}
RESULTS = {"ok": "正常", "issues": "发现问题", "violation": "违规", "no_signal": "无图像"}
MAX_CLOCK_SKEW = timedelta(seconds=60)


def create_premises(
    session: Session,
    actor: Actor,
    *,
    name: str,
    kind: str,
    lon: float,
    lat: float,
    crs: Crs = Crs.WGS84,
    licence_no: str | None = None,
    address: str | None = None,
    check_every_days: int = 7,
) -> Premises:
    require(actor, "video.write")
    name = name.strip()
    if not name:
        raise ValidationFailed(msg("video.premises_name_required"), code="bad_premises")
    if kind not in KINDS:
        raise ValidationFailed(
            msg("video.premises_bad_kind", kind=kind, known=list(KINDS)), code="bad_kind"
        )
    if not 1 <= check_every_days <= 365:
        raise ValidationFailed(msg("video.bad_check_period"), code="bad_period")
    lon, lat = validated_point(lon, lat, crs)
    licence_no = licence_no.strip() if licence_no else None
    if (
        licence_no
        and session.execute(select(Premises.id).where(Premises.licence_no == licence_no)).first()
    ):
        raise Conflict(msg("video.duplicate_licence", licence=licence_no), code="duplicate_licence")
    now = utcnow()
    premises = Premises(
        name=name,
        kind=kind,
        licence_no=licence_no,
        address=address,
        lon=lon,
        lat=lat,
        check_every_days=check_every_days,
        status="active",
        created_at=now,
        next_due_at=now + timedelta(days=check_every_days),
    )
    session.add(premises)
    session.flush()
    audit.record(
        session,
        actor,
        "video.premises_created",
        "video_premises",
        premises.id,
        {"name": name, "kind": kind},
    )
    finish(session)
    return premises


def get_premises(session: Session, actor: Actor, premises_id: int) -> Premises:
    require(actor, "video.read")
    premises = session.get(Premises, premises_id)
    if premises is None:
        raise NotFound(msg("video.premises_not_found", id=premises_id), code="premises_not_found")
    return premises


def camera_ids_of(session: Session, premises_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in premises_ids}
    for cid, pid in session.execute(
        select(Camera.id, Camera.premises_id)
        .where(Camera.premises_id.in_(list(premises_ids)), Camera.status != "retired")
        .order_by(Camera.id)
    ):
        out[pid].append(cid)
    return out


def list_premises(
    session: Session, actor: Actor, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Premises], int]:
    require(actor, "video.read")
    query = select(Premises)
    if kind:
        query = query.where(Premises.kind == kind)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Premises.id).limit(limit).offset(offset)).scalars()
    return list(rows), total


def record_check(
    session: Session,
    actor: Actor,
    premises_id: int,
    *,
    result: str,
    notes: str | None = None,
    camera_ids: Sequence[int] = (),
    at: datetime | None = None,
) -> PremisesCheck:
    """An officer's video check of a premises: what was seen, over which of its cameras."""
    require(actor, "video.check")
    premises = session.execute(
        select(Premises).where(Premises.id == premises_id).with_for_update()
    ).scalar_one_or_none()
    if premises is None:
        raise NotFound(msg("video.premises_not_found", id=premises_id), code="premises_not_found")
    if result not in RESULTS:
        raise ValidationFailed(
            msg("video.bad_result", result=result, known=list(RESULTS)), code="bad_result"
        )
    notes = notes.strip() if notes else None
    if result in ("issues", "violation") and not notes:
        raise ValidationFailed(msg("video.notes_required"), code="notes_required")
    now = utcnow()
    at = at or now
    if at.tzinfo is None or at > now + MAX_CLOCK_SKEW or at < now - timedelta(days=7):
        raise ValidationFailed(msg("video.bad_check_time"), code="bad_time")
    own = set(camera_ids_of(session, [premises_id])[premises_id])
    foreign = sorted(set(camera_ids) - own)
    if foreign:
        raise ValidationFailed(msg("video.foreign_camera", cameras=foreign), code="foreign_camera")
    check = PremisesCheck(
        premises_id=premises_id,
        at=at,
        officer=actor.username,
        officer_user_id=actor.user_id,
        result=result,
        notes=notes,
        camera_ids=sorted(set(camera_ids)),
    )
    session.add(check)
    if premises.last_checked_at is None or at > premises.last_checked_at:
        premises.last_checked_at = at
        premises.next_due_at = at + timedelta(days=premises.check_every_days)
    session.flush()
    audit.record(
        session,
        actor,
        "video.premises_checked",
        "video_premises",
        premises_id,
        {"check_id": check.id, "result": result},
    )
    finish(session)
    return check


def checks(
    session: Session, actor: Actor, premises_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[PremisesCheck], int]:
    get_premises(session, actor, premises_id)
    query = select(PremisesCheck).where(PremisesCheck.premises_id == premises_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(PremisesCheck.at.desc(), PremisesCheck.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def overdue(
    session: Session, actor: Actor, *, now: datetime | None = None, limit: int = 200
) -> list[tuple[Premises, float]]:
    """Active premises past their next check, most overdue first, with the days overdue."""
    require(actor, "video.read")
    now = now or utcnow()
    rows = session.execute(
        select(Premises)
        .where(Premises.status == "active", Premises.next_due_at < now)
        .order_by(Premises.next_due_at, Premises.id)
        .limit(limit)
    ).scalars()
    return [(p, round((now - p.next_due_at).total_seconds() / 86400, 2)) for p in rows]
