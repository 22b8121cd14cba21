"""Finding a parked car (找车): ANPR reads in, last sighting out, with a walking route.

The location is revealed only to the registered owner (ID number checked by hash) or to an
officer who records why; every query, refused or not, leaves an audit record. An owner sees
only reads of their own plate (after correcting I→1, O→0 in the read); OCR-confusable
neighbours, which may be someone else's car, are for officers with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.insert_ignore import insert_ignore
from pingan.db.tx import finish
from pingan.errors import Forbidden, NotFound
from pingan.geo.city import City
from pingan.geo.travel_time import Route, SnapError
from pingan.pii.vault import Vault
from pingan.services import common, plates, settings
from pingan.services.access import is_citizen
from pingan.services.models import CarFind, PlateRead, VehicleOwner


@dataclass(frozen=True, slots=True)
class ReadSpec:
    plate: str
    camera_id: str
    lon: float | None
    lat: float | None
    at: datetime | None
    confidence: float | None = None
    place: str | None = None


def _plate(raw: str) -> str:
    try:
        return plates.normalise(raw)
    except plates.InvalidPlate as exc:
        raise common.bad(str(exc), "bad_plate") from exc


def ingest(session: Session, actor: Actor, reads: list[ReadSpec]) -> int:
    """Store a batch of plate reads; one bad read refuses the batch (nothing stored). A read
    already stored (same camera, plate and time: a device's redelivery) is stored once.
    Returns how many reads were new."""
    require(actor, "services.anpr_ingest")
    rows = []
    for r in reads:
        plate = _plate(r.plate)
        lon, lat = common.where(r.lon, r.lat)
        if not r.camera_id.strip():
            raise common.bad("缺少摄像机编号 / camera_id is required", "no_camera")
        if r.confidence is not None and not 0 <= r.confidence <= 1:
            raise common.bad("置信度须在0-1之间 / confidence in 0…1", "bad_confidence")
        rows.append(
            {
                "plate": plate,
                "plate_key": plates.fold(plate),
                "camera_id": r.camera_id.strip(),
                "lon": lon,
                "lat": lat,
                "at": common.when(r.at, "识别时间 / read time"),
                "confidence": r.confidence,
                "place": r.place,
            }
        )
    new = insert_ignore(session, PlateRead.__table__, rows)
    detail = {"n": new, "duplicates": len(rows) - new}
    audit.record(session, actor, "parking.reads_ingested", "plate_read", None, detail)
    finish(session)
    return new


def register_owner(
    session: Session, actor: Actor, vault: Vault, *, plate: str, owner_id_number: str
) -> VehicleOwner:
    """Record who owns a plate (checked at a desk against the driving licence)."""
    require(actor, "services.vehicle_register")
    value = _plate(plate)
    owner = common.id_number(vault, owner_id_number)
    row = session.execute(select(VehicleOwner).where(VehicleOwner.plate == value)).scalar()
    if row is None:
        row = VehicleOwner(plate=value, owner_id_key="", owner_id_masked="", registered_by="")
        session.add(row)
    row.owner_id_key, row.owner_id_masked = owner.key, owner.masked
    row.registered_by = actor.username
    session.flush()
    audit.record(
        session, actor, "parking.owner_registered", "vehicle", value, {"owner": owner.masked}
    )
    finish(session)
    return row


@dataclass(frozen=True, slots=True)
class Found:
    read: PlateRead
    match: plates.Match
    rule: str  # the match rule, said in the answer
    route: Route | None

    @property
    def exact(self) -> bool:
        return self.match == "exact"


def last_sighting(session: Session, plate: str, *, neighbours: bool) -> PlateRead | None:
    """The newest read of the plate; exact reads win ties.

    Without `neighbours` (an owner's search) only reads that equal the plate once corrected
    (plates.reads_of) count: an OCR-confusable neighbour may be another owner's car. Officers
    with a reason also get the neighbours under the folded key.
    """
    since = utcnow() - timedelta(days=settings.parking()["max_age_days"])
    query = select(PlateRead).where(
        PlateRead.plate_key == plates.fold(plate), PlateRead.at >= since
    )
    if not neighbours:
        query = query.where(PlateRead.plate.in_(plates.reads_of(plate)))
    newest_first = (PlateRead.at.desc(), PlateRead.plate != plate, PlateRead.id.desc())
    return session.execute(query.order_by(*newest_first).limit(1)).scalar()


def _refuse(session: Session, actor: Actor, plate: str, why: str, message: str) -> Forbidden:
    """The refused query is audited and committed before the refusal is raised."""
    audit.record(session, actor, "parking.query_refused", "vehicle", plate, {"why": why})
    finish(session)
    return Forbidden(message, code=why)


def find_car(
    session: Session,
    actor: Actor,
    vault: Vault,
    city: City,
    *,
    plate: str,
    lon: float | None,
    lat: float | None,
    owner_id_number: str | None = None,
    reason: str | None = None,
) -> Found:
    """Where the car was last seen and how to walk there, for an owner or a stated reason."""
    require(actor, "services.car_find")
    value = _plate(plate)
    here = common.where(lon, lat)
    if is_citizen(actor) or not reason:
        owner = session.execute(select(VehicleOwner).where(VehicleOwner.plate == value)).scalar()
        given = common.id_number(vault, owner_id_number) if owner_id_number else None
        if owner is None or given is None or given.key != owner.owner_id_key:
            raise _refuse(
                session,
                actor,
                value,
                "owner_not_verified",
                "未能核实车主身份，不能提供位置 / owner not verified: location withheld",
            )
        basis = "owner"
    else:
        basis = "officer"
    neighbours = basis == "officer"
    rule_zh, rule_en = plates.match_rule(neighbours)
    read = last_sighting(session, value, neighbours=neighbours)
    if read is None:
        audit.record(session, actor, "parking.query", "vehicle", value, {"found": False})
        finish(session)
        raise NotFound(
            f"近期没有该车的识别记录；{rule_zh} / no recent sighting of this plate; {rule_en}",
            code="no_sighting",
        )
    match = plates.match(read.plate, value)
    try:
        route = city.travel.roads["walk"].route(here, (read.lon, read.lat))
    except (KeyError, SnapError):
        route = None  # the point is off the walking network: the location alone still helps
    found = CarFind(
        plate=value,
        read_id=read.id,
        basis=basis,
        reason=reason if basis == "officer" else None,
        requested_by=actor.username,
        area_code=common.area_at(city, read.lon, read.lat),
    )
    session.add(found)
    session.flush()
    # counted on the KPI wall as it happens; no plate in the event (it names a person's car)
    payload = {"basis": basis, "area_code": found.area_code}
    outbox.publish(session, "parking.car_found", "car_find", found.id, payload)
    audit.record(
        session,
        actor,
        "parking.query",
        "vehicle",
        value,
        {"found": True, "basis": basis, "reason": reason, "read": read.id, "match": match},
    )
    finish(session)
    return Found(read, match, f"{rule_zh} / {rule_en}", route)
