"""Use cases for cameras and their observations: register, change, retire, list.

Each writing function checks the role, validates the whole camera (position, key area, ROI
inside the frame, floor area, detector and model), writes, appends the audit record and
commits once; a refused request writes nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.geo.city import City
from pingan.geo.coords import Crs
from pingan.geo.input import validated_point
from pingan.i18n import Msg, msg
from pingan.video.counters import counter_for
from pingan.video.detectors import DetectorError
from pingan.video.models import Camera, Observation, Premises
from pingan.video.roi import RoiError, check_polygon
from pingan.video.sources import check_source

DETECTORS = frozenset({"hog", "onnx"})
STATUSES = frozenset({"active", "maintenance"})
DEVICE_ID = re.compile(r"^\d{20}$")
MAX_FRAME_SIDE = 8192


@dataclass(frozen=True, slots=True)
class CameraSpec:
    """A camera as registered, before validation (any adapter builds one)."""

    code: str
    name: str
    lon: float
    lat: float
    source: str
    frame_width: int
    frame_height: int
    roi: list[list[float]]
    crs: Crs = Crs.WGS84
    area_code: str | None = None
    premises_id: int | None = None
    gb28181_id: str | None = None
    gat1400_id: str | None = None
    forbidden_zones: list[list[list[float]]] = field(default_factory=list)
    floor_area_m2: float | None = None
    gathering_count: int | None = None
    detector: str = "hog"
    model_path: str | None = None
    status: str = "active"


def _bad(detail: Msg | str, code: str) -> ValidationFailed:
    return ValidationFailed(detail, code=code)


def check_camera(session: Session, city: City, spec: CameraSpec) -> CameraSpec:
    """The spec normalised (WGS-84, clean polygons), or ValidationFailed naming the problem."""
    code, name = spec.code.strip(), spec.name.strip()
    if not 1 <= len(code) <= 40 or not name:
        raise _bad(msg("video.bad_camera"), "bad_camera")
    lon, lat = validated_point(spec.lon, spec.lat, spec.crs)
    if spec.area_code is not None and spec.area_code not in city.key_areas:
        raise _bad(
            msg("video.unknown_area", area=spec.area_code, known=list(city.key_areas)),
            "unknown_area",
        )
    if spec.premises_id is not None and session.get(Premises, spec.premises_id) is None:
        raise _bad(msg("video.premises_not_found", id=spec.premises_id), "unknown_premises")
    if why := check_source(spec.source):
        raise _bad(why, "bad_source")
    for label, value in (("GB/T 28181", spec.gb28181_id), ("GA/T 1400", spec.gat1400_id)):
        if value is not None and not DEVICE_ID.match(value):
            raise _bad(msg("video.bad_device_id", label=label), "bad_device_id")
    w, h = spec.frame_width, spec.frame_height
    if not (16 <= w <= MAX_FRAME_SIDE and 16 <= h <= MAX_FRAME_SIDE):
        raise _bad(msg("video.bad_frame", max=MAX_FRAME_SIDE), "bad_frame")
    try:
        roi = check_polygon(spec.roi, w, h)
        zones = [check_polygon(z, w, h) for z in spec.forbidden_zones]
    except RoiError as exc:
        raise _bad(str(exc), "bad_roi") from exc
    area = spec.floor_area_m2
    if area is not None and (not math.isfinite(area) or area <= 0 or area > 1_000_000):
        raise _bad(msg("video.bad_floor_area"), "bad_floor_area")
    if spec.gathering_count is not None and spec.gathering_count < 1:
        raise _bad(msg("video.bad_threshold"), "bad_threshold")
    if spec.detector not in DETECTORS:
        raise _bad(msg("video.unknown_detector", kind=spec.detector), "bad_detector")
    model = spec.model_path.strip() if spec.model_path else None
    if spec.detector == "onnx":
        if not model:
            raise _bad(msg("video.onnx_needs_model"), "bad_model")
        try:
            counter_for("onnx", model)
        except DetectorError as exc:
            raise _bad(str(exc), "bad_model") from exc
    if spec.status not in STATUSES:
        raise _bad(msg("video.bad_status"), "bad_status")
    return replace(
        spec,
        code=code,
        name=name,
        lon=lon,
        lat=lat,
        crs=Crs.WGS84,
        roi=[list(p) for p in roi],
        forbidden_zones=[[list(p) for p in z] for z in zones],
        model_path=model if spec.detector == "onnx" else None,
    )


def _columns(spec: CameraSpec) -> dict[str, Any]:
    values = asdict(spec)
    values.pop("crs")
    return values


def create_camera(session: Session, actor: Actor, city: City, spec: CameraSpec) -> Camera:
    require(actor, "video.write")
    spec = check_camera(session, city, spec)
    if session.execute(select(Camera.id).where(Camera.code == spec.code)).first():
        raise Conflict(msg("video.duplicate_camera", camera=spec.code), code="duplicate_camera")
    camera = Camera(**_columns(spec), version=1)
    session.add(camera)
    session.flush()
    audit.record(
        session,
        actor,
        "video.camera_created",
        "video_camera",
        camera.id,
        {"code": camera.code, "area_code": camera.area_code},
    )
    finish(session)
    return camera


def _camera(session: Session, camera_id: int) -> Camera:
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise NotFound(msg("video.camera_not_found", id=camera_id), code="camera_not_found")
    return camera


def get_camera(session: Session, actor: Actor, camera_id: int) -> Camera:
    require(actor, "video.read")
    return _camera(session, camera_id)


def _spec_of(camera: Camera) -> CameraSpec:
    return CameraSpec(
        **{f.name: getattr(camera, f.name) for f in fields(CameraSpec) if f.name != "crs"}
    )


def update_camera(
    session: Session, actor: Actor, city: City, camera_id: int, changes: dict[str, Any]
) -> Camera:
    """Change some fields; the camera as a whole is validated again."""
    require(actor, "video.write")
    camera = _camera(session, camera_id)
    if camera.status == "retired":
        raise Conflict(msg("video.camera_retired"), code="camera_retired")
    unknown = set(changes) - {f.name for f in fields(CameraSpec)} | ({"code"} & set(changes))
    if unknown:
        raise _bad(msg("video.bad_change", fields=sorted(unknown)), "bad_change")
    if ("lon" in changes) != ("lat" in changes):
        raise _bad(msg("video.bad_coordinates"), "bad_coordinates")
    spec = check_camera(session, city, replace(_spec_of(camera), **changes))
    changed = {k: v for k, v in _columns(spec).items() if getattr(camera, k) != v}
    for key, value in changed.items():
        setattr(camera, key, value)
    if changed:
        camera.version += 1
        audit.record(
            session,
            actor,
            "video.camera_changed",
            "video_camera",
            camera.id,
            {"code": camera.code, "fields": sorted(changed)},
        )
    finish(session)
    return camera


def retire_camera(session: Session, actor: Actor, camera_id: int) -> Camera:
    """Take a camera out of the rota for good; its observations stay."""
    require(actor, "video.write")
    camera = _camera(session, camera_id)
    if camera.status != "retired":
        camera.status, camera.version = "retired", camera.version + 1
        audit.record(
            session, actor, "video.camera_retired", "video_camera", camera.id, {"code": camera.code}
        )
    finish(session)
    return camera


def list_cameras(
    session: Session,
    actor: Actor,
    *,
    area_code: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Camera], int]:
    require(actor, "video.read")
    query = select(Camera)
    if area_code:
        query = query.where(Camera.area_code == area_code)
    if status:
        query = query.where(Camera.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Camera.id).limit(limit).offset(offset)).scalars()
    return list(rows), total


def observations(
    session: Session,
    actor: Actor,
    *,
    camera_id: int | None = None,
    area_code: str | None = None,
    since: datetime | None = None,
    suspect: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Observation], int]:
    require(actor, "video.read")
    query = select(Observation)
    if camera_id is not None:
        query = query.where(Observation.camera_id == camera_id)
    if area_code:
        query = query.where(Observation.area_code == area_code)
    if since is not None:
        query = query.where(Observation.at >= since)
    if suspect is not None:
        query = query.where(Observation.suspect.is_(suspect))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Observation.at.desc(), Observation.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total
