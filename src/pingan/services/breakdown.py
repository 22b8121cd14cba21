"""Vehicle breakdowns (车辆故障): request, dispatch to traffic police or a tow service, cleared.

Sending traffic police opens an incident of type breakdown through the incidents service,
so the street side runs through the normal dispatch path; a tow service is recorded here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.case_numbers import next_case_number
from pingan.db.tx import deferred_commit, finish
from pingan.errors import Conflict, NotFound
from pingan.geo.city import City
from pingan.i18n import msg
from pingan.i18n.both import both
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.pii.phone import InvalidPhone, normalise_phone
from pingan.pii.vault import Vault
from pingan.services import common, plates
from pingan.services.access import is_citizen, list_cases, own_or_staff
from pingan.services.models import Breakdown, TowService


def register_tow(session: Session, actor: Actor, *, name: str, phone: str) -> TowService:
    require(actor, "services.tow_write")
    if not name.strip():
        raise common.bad(msg("services.tow_name_required"), "empty_name")
    try:
        number = normalise_phone(phone)
    except InvalidPhone as exc:
        raise common.bad(str(exc), "bad_phone") from exc
    if session.execute(select(TowService.id).where(TowService.name == name.strip())).first():
        raise Conflict(msg("services.duplicate_tow"), code="duplicate_tow")
    row = TowService(name=name.strip(), phone=number, active=True)
    session.add(row)
    session.flush()
    audit.record(session, actor, "breakdown.tow_registered", "tow_service", row.id, {})
    finish(session)
    return row


def list_tows(session: Session, actor: Actor) -> list[TowService]:
    require(actor, "services.read")
    return list(session.execute(select(TowService).order_by(TowService.id)).scalars())


def request(
    session: Session,
    actor: Actor,
    vault: Vault,
    city: City | None,
    *,
    lon: float | None,
    lat: float | None,
    vehicle: str,
    problem: str,
    plate: str | None = None,
    phone: str | None = None,
    area_code: str | None = None,
) -> Breakdown:
    require(actor, "services.report")
    x, y = common.where(lon, lat)
    if not vehicle.strip() or not problem.strip():
        raise common.bad(msg("services.breakdown_fields_required"), "empty_field")
    if plate:
        try:
            plate = plates.normalise(plate)
        except plates.InvalidPlate as exc:
            raise common.bad(str(exc), "bad_plate") from exc
    contact = common.phone(vault, phone, required=is_citizen(actor))
    row = Breakdown(
        case_number=next_case_number(session, "GZ", utcnow()),
        status="requested",
        plate=plate,
        vehicle=vehicle.strip(),
        problem=problem.strip(),
        lon=x,
        lat=y,
        area_code=common.area(city, area_code),
        phone_enc=contact.enc if contact else None,
        phone_masked=contact.masked if contact else None,
        reporter_user_id=actor.user_id if is_citizen(actor) else None,
    )
    session.add(row)
    session.flush()
    payload = {"case_number": row.case_number, "lon": x, "lat": y}
    outbox.publish(session, "breakdown.requested", "breakdown", row.id, payload)
    audit.record(session, actor, "breakdown.requested", "breakdown", row.id, payload)
    finish(session)
    return row


def _row(session: Session, breakdown_id: int) -> Breakdown:
    row = session.get(Breakdown, breakdown_id)
    if row is None:
        raise NotFound(msg("services.breakdown_not_found", id=breakdown_id), code="not_found")
    return row


def get(session: Session, actor: Actor, breakdown_id: int) -> Breakdown:
    require(actor, "services.read")
    row = _row(session, breakdown_id)
    own_or_staff(actor, row.reporter_user_id, msg("services.what.breakdown"))
    return row


def list_breakdowns(
    session: Session, actor: Actor, *, status: str | None, limit: int, offset: int
) -> tuple[list[Breakdown], int]:
    return list_cases(session, actor, Breakdown, status=status, limit=limit, offset=offset)


def dispatch(
    session: Session,
    actor: Actor,
    vault: Vault,
    breakdown_id: int,
    *,
    to: str,
    tow_service_id: int | None = None,
    at: datetime | None = None,
) -> Breakdown:
    """Send traffic police (an incident for dispatch) or a registered tow service; ``at`` is
    when the dispatcher decided (default now), the incident's time of receipt."""
    require(actor, "services.breakdown_dispatch")
    row = _row(session, breakdown_id)
    at = common.when(at or utcnow(), msg("services.what.dispatch_time"))
    if row.status != "requested":
        raise Conflict(msg("services.breakdown_already_dispatched"), code="bad_state")
    if to == "police":
        with deferred_commit(session):
            incident = incidents.create_incident(
                session,
                actor,
                vault,
                incidents.NewIncident(
                    type_code="breakdown",
                    summary=f"车辆故障：{row.vehicle}，{row.problem}"[:200],
                    lon=row.lon,
                    lat=row.lat,
                    source=Source.CALL_110,
                    area_code=row.area_code,
                    received_at=at,
                ),
            )
        row.incident_id = incident.id
    elif to == "tow":
        tow = session.get(TowService, tow_service_id) if tow_service_id else None
        if tow is None or not tow.active:
            raise common.bad(msg("services.bad_tow"), "bad_tow")
        row.tow_service_id = tow.id
    else:
        raise common.bad(msg("services.bad_target"), "bad_target")
    row.status, row.assigned_to, row.dispatched_at = "dispatched", to, at
    detail = {"to": to, "tow_service_id": row.tow_service_id, "incident_id": row.incident_id}
    outbox.publish(session, "breakdown.dispatched", "breakdown", row.id, detail)
    audit.record(session, actor, "breakdown.dispatched", "breakdown", row.id, detail)
    finish(session)
    return row


def clear(
    session: Session, actor: Actor, breakdown_id: int, *, at: datetime | None = None
) -> Breakdown:
    """The road is clear: the vehicle was repaired or towed away."""
    require(actor, "services.breakdown_clear")
    row = _row(session, breakdown_id)
    if row.status != "dispatched":
        raise Conflict(msg("services.clear_before_dispatch"), code="bad_state")
    row.status, row.cleared_at = "cleared", common.when(at or utcnow())
    payload = {
        "case": row.case_number,
        "incident_id": row.incident_id,
        "outcome": both("services.note.breakdown_cleared", case=row.case_number),
    }
    outbox.publish(session, "breakdown.cleared", "breakdown", row.id, payload)
    audit.record(session, actor, "breakdown.cleared", "breakdown", row.id, {})
    finish(session)
    return row
