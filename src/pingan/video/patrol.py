"""The patrol use case: run one rota step — grab, count, store, alert, publish.

Each checked camera gives one observation (count, density, level, or the suspect reason) and
one `video.observation` outbox event, so the crowd domain can fuse camera counts with its
other sources. A gathering opens (or adds to) the area's crowding incident; an intrusion or a
group running opens a suspicious-person incident; the incident domain and auto-dispatch take
it from there. The whole step is one transaction with one audit record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.crowd.settings import incident_priority, thresholds_for
from pingan.db.base import utcnow
from pingan.db.tx import deferred_commit, finish
from pingan.errors import ValidationFailed
from pingan.i18n import msg
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.pii.vault import Vault
from pingan.video import events as ev
from pingan.video import rota, settings, sources
from pingan.video.counters import counter_for
from pingan.video.detectors import (
    GATHERING,
    INTRUSION,
    RUNNING,
    CountResult,
    DetectorError,
    count_people,
    suspect,
)
from pingan.video.models import Camera, Observation
from pingan.video.roi import metres_per_pixel

PATROL = Actor(user_id=None, username="video-patrol", role=None)
RUNNING_GAP_S = 0.5
INCIDENT_TYPE = {GATHERING: "crowding", INTRUSION: "suspicious", RUNNING: "suspicious"}


@dataclass(slots=True)
class StepResult:
    at: datetime
    observations: list[Observation] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)


def rota_camera(camera: Camera) -> rota.RotaCamera:
    weight = settings.area_weight(camera.area_code, premises=camera.premises_id is not None)
    return rota.RotaCamera(str(camera.id), weight)


def active_cameras(session: Session) -> list[Camera]:
    return list(
        session.execute(
            select(Camera).where(Camera.status == "active").order_by(Camera.id)
        ).scalars()
    )


def _count(camera: Camera) -> tuple[CountResult, CountResult | None, float]:
    """The frame's count, a second frame's for running (video sources only), and the gap."""
    try:
        counter = counter_for(camera.detector, camera.model_path)
    except DetectorError as exc:
        return suspect(camera.detector, "detector_failed", str(exc)[:200]), None, 0.0
    roi = tuple(tuple(p) for p in camera.roi)
    size = (camera.frame_width, camera.frame_height)
    rules = settings.frame_rules()
    if RUNNING in counter.events and sources.is_video(camera.source):
        first, second, gap = sources.grab_pair(camera.source, RUNNING_GAP_S)
    else:
        first = sources.grab(camera.source, timeout_s=settings.grab_timeout_s())
        second, gap = sources.Grab(None), 0.0
    if first.data is None:
        return suspect(counter.name, "source_unreachable", first.error), None, 0.0
    result = count_people(counter, first.data, roi, registered_size=size, rules=rules)  # type: ignore[arg-type]
    later = (
        count_people(counter, second.data, roi, registered_size=size, rules=rules)  # type: ignore[arg-type]
        if second.data is not None and not result.suspect
        else None
    )
    return result, (later if later is not None and not later.suspect else None), gap


def _events(
    camera: Camera,
    result: CountResult,
    later: CountResult | None,
    gap: float,
    level: str,
    supported: frozenset[str],
) -> list[ev.VideoEvent]:
    found: list[ev.VideoEvent | None] = []
    g = settings.gathering_rules()
    if GATHERING in supported and result.count is not None:
        found.append(
            ev.gathering(
                result.count,
                level,
                alert_level=g.alert_level,
                min_people=g.min_people,
                count_threshold=camera.gathering_count,
            )
        )
    zones = [tuple(tuple(p) for p in z) for z in camera.forbidden_zones or []]
    if INTRUSION in supported and zones:
        frames = [result] + ([later] if later is not None else [])
        found.append(ev.intrusion(frames, zones, min_mass=settings.intrusion_min_mass()))
    if RUNNING in supported and later is not None:
        r = settings.running_rules()
        mpp = metres_per_pixel(tuple(tuple(p) for p in camera.roi), camera.floor_area_m2)
        found.append(
            ev.running(
                result,
                later,
                gap,
                mpp,
                speed_m_s=r.speed_m_s,
                max_match_m=r.max_match_m,
                min_people=r.min_people,
            )
        )
    return [e for e in found if e is not None]


def _alert(
    session: Session, vault: Vault, camera: Camera, event: ev.VideoEvent, level: str, now: datetime
) -> int | None:
    """Open the incident, or note it on the area's open one (at most every repeat_min)."""
    type_code = INCIDENT_TYPE[event.kind]
    prio = incident_priority(level) if event.kind == GATHERING else None
    priority = min(2, prio) if prio is not None else 2
    code, zh, _en = ev.EVENT_CODES[event.kind]
    text = f"[{code} {zh}] {camera.name}：{event.text_zh} / {event.text_en}"
    current = (
        incidents.open_incident_for_area(session, type_code, camera.area_code)
        if camera.area_code
        else None
    )
    repeat = timedelta(minutes=settings.gathering_rules().repeat_min)
    with deferred_commit(session):
        if current is None:
            created = incidents.create_incident(
                session,
                PATROL,
                vault,
                incidents.NewIncident(
                    type_code=type_code,
                    summary=text[:2000],
                    lon=camera.lon,
                    lat=camera.lat,
                    source=Source.VIDEO_ANALYTICS,
                    area_code=camera.area_code,
                    priority=priority,
                    address=camera.name,
                ),
            )
            camera.last_alert_at = now
            return created.id
        if camera.last_alert_at is None or now - camera.last_alert_at >= repeat:
            incidents.add_note(
                session,
                PATROL,
                current.id,
                note=text,
                priority=priority if priority < current.priority else None,
                data={"camera_id": camera.id, "event": event.kind, "gat_code": code},
            )
            camera.last_alert_at = now
        return current.id


def check_camera(session: Session, vault: Vault, camera: Camera, now: datetime) -> Observation:
    """Check one camera now: store the observation, raise alerts, publish the event."""
    result, later, gap = _count(camera)
    density = None
    if result.count is not None and camera.floor_area_m2:
        density = result.count / camera.floor_area_m2
    if result.suspect:
        level = "unknown"
    else:
        level = ev.density_level(density, thresholds_for(camera.area_code).density_ppm2)
    try:
        supported = counter_for(camera.detector, camera.model_path).events
    except DetectorError:
        supported = frozenset()
    found = [] if result.suspect else _events(camera, result, later, gap, level, supported)
    incident_ids = [_alert(session, vault, camera, e, level, now) for e in found]
    obs = Observation(
        camera_id=camera.id,
        area_code=camera.area_code,
        at=now,
        count=result.count,
        density_ppm2=round(density, 4) if density is not None else None,
        level=level,
        suspect=result.suspect,
        reason=result.reason,
        detector=result.detector,
        elapsed_ms=round(result.elapsed_ms, 1) if result.elapsed_ms else None,
        events=[{"kind": e.kind, "gat_code": e.code, **e.data} for e in found],
        incident_id=next((i for i in incident_ids if i is not None), None),
    )
    session.add(obs)
    camera.last_checked_at = now
    session.flush()
    outbox.publish(
        session,
        "video.observation",
        "camera",
        camera.id,
        {
            "observation_id": obs.id,
            "camera_id": camera.id,
            "camera_code": camera.code,
            "area_code": camera.area_code,
            "premises_id": camera.premises_id,
            "at": now.isoformat(),
            "count": result.count,
            "density_ppm2": obs.density_ppm2,
            "floor_area_m2": camera.floor_area_m2,
            "level": level,
            "suspect": result.suspect,
            "reason": result.reason,
            "detector": result.detector,
            "events": obs.events,
            "incident_id": obs.incident_id,
            "lon": camera.lon,
            "lat": camera.lat,
        },
    )
    return obs


def run_step(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    now: datetime | None = None,
    camera_ids: Sequence[int] | None = None,
) -> StepResult:
    """Check the cameras the rota says are due now (or the ones named), in one transaction."""
    require(actor, "video.patrol")
    now = now or utcnow()
    cameras = active_cameras(session)
    by_id = {c.id: c for c in cameras}
    if camera_ids is not None:
        missing = [i for i in camera_ids if i not in by_id]
        if missing:
            raise ValidationFailed(
                msg("video.camera_not_active", cameras=missing),
                code="camera_not_active",
            )
        chosen = list(dict.fromkeys(camera_ids))
    else:
        last = {str(c.id): c.last_checked_at for c in cameras}
        due = rota.due([rota_camera(c) for c in cameras], last, now, settings.rota_rules())
        chosen = [int(i) for i in due]
    out = StepResult(now)
    for cid in chosen:
        obs = check_camera(session, vault, by_id[cid], now)
        out.observations.append(obs)
        if obs.incident_id is not None and obs.incident_id not in out.incidents:
            out.incidents.append(obs.incident_id)
    if chosen:
        audit.record(
            session,
            actor,
            "video.patrol",
            "video_camera",
            None,
            {
                "checked": chosen,
                "suspect": [o.camera_id for o in out.observations if o.suspect],
                "incidents": out.incidents,
            },
        )
    finish(session)
    return out


def preview(
    session: Session, actor: Actor, *, start: datetime, minutes: int
) -> tuple[list[tuple[Camera, rota.RotaCamera, rota.CameraCoverage]], float]:
    """The rota for the next `minutes` from the cameras' last checks, and the load now."""
    require(actor, "video.read")
    cameras = active_cameras(session)
    rcams = [rota_camera(c) for c in cameras]
    rules = settings.rota_rules()
    visits = rota.plan(
        rcams, start, minutes, rules, {str(c.id): c.last_checked_at for c in cameras}
    )
    cover = rota.coverage(rcams, visits, rules)
    return list(zip(cameras, rcams, cover, strict=True)), rota.load(rcams, start, rules)
