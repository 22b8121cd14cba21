"""Use cases for incidents: report, dispatch, follow each unit to the scene, close.

Each public function is one transaction: it checks the actor's permission, validates,
changes the rows, appends the timeline step and the audit record, and commits — so a change
without its audit record cannot exist.

Times and arrivals are checked so that response KPIs measure what happened (checks.yaml):
reporters cannot choose a priority or a time of receipt, no step may be dated before the step
it follows or in the future, officers act only for the units bound to them, and an arrival
needs the unit's last fix at the scene — or a dispatcher's override with a reason, which the
KPI counts apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.policy import ARRIVAL_OVERRIDE, TRIAGE, role_may
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.case_numbers import next_case_number
from pingan.db.paging import page
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pingan.geo.coords import Crs, haversine_m
from pingan.geo.input import validated_point
from pingan.i18n import Msg, msg, stored_json, to_store
from pingan.incidents.catalogue import (
    ReportChecks,
    Source,
    classify_response,
    known_type,
    report_checks,
)
from pingan.incidents.lifecycle import (
    ACTIVE,
    TERMINAL,
    Action,
    IllegalTransition,
    State,
    next_state,
)
from pingan.incidents.models import Assignment, Incident, IncidentEvent
from pingan.pii.id_number import InvalidIdNumber, mask_id_number, normalise_id_number
from pingan.pii.name import seal_name
from pingan.pii.phone import InvalidPhone, mask_phone, normalise_phone
from pingan.pii.vault import Vault
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus, outside_incident_fleet
from pingan.units.models import Unit

CASE_PREFIX = "JQ"

# Assignment states in order; a unit's own progress never goes backwards.
ASSIGNMENT_ORDER = ("dispatched", "acknowledged", "en_route", "on_scene")
UNIT_STATUS_FOR = {
    Action.ACKNOWLEDGE: UnitStatus.DISPATCHED,
    Action.EN_ROUTE: UnitStatus.EN_ROUTE,
    Action.ON_SCENE: UnitStatus.ON_SCENE,
}


@dataclass(frozen=True, slots=True)
class NewIncident:
    """What a report says, as received by any adapter (API, CLI, simulator, device)."""

    type_code: str
    summary: str
    lon: float
    lat: float
    source: Source
    crs: Crs = Crs.WGS84
    address: str | None = None
    area_code: str | None = None
    priority: int | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_id_number: str | None = None
    received_at: datetime | None = None
    sample: bool = False  # a demo's scripted sample: left out of the KPIs


def _check_time(at: datetime | None, *, not_before: datetime | None = None) -> datetime:
    now = utcnow()
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValidationFailed(msg("incidents.naive_time"), code="naive_time")
    if at > now + timedelta(seconds=report_checks().clock_skew_s):
        raise ValidationFailed(msg("incidents.future_time"), code="future_time")
    if not_before is not None and at < not_before:
        raise ValidationFailed(msg("incidents.time_order"), code="time_order")
    return at


def _append_event(
    session: Session,
    incident: Incident,
    actor: Actor,
    kind: str,
    *,
    at: datetime,
    from_state: str | None = None,
    unit_id: int | None = None,
    note: Msg | str | None = None,
    data: dict | None = None,
) -> IncidentEvent:
    """One timeline step, its event for other domains and its audit record, always together."""
    seq = (
        session.execute(
            select(func.coalesce(func.max(IncidentEvent.seq), 0)).where(
                IncidentEvent.incident_id == incident.id
            )
        ).scalar_one()
        + 1
    )
    note_text, note_code, note_params = to_store(note)
    event = IncidentEvent(
        incident_id=incident.id,
        seq=seq,
        kind=kind,
        from_state=from_state,
        to_state=incident.state,
        unit_id=unit_id,
        actor=actor.username,
        actor_role=str(actor.role) if actor.role else None,
        at=at,
        note=note_text,
        note_code=note_code,
        note_params=note_params,
        data=stored_json(data or {}),
    )
    session.add(event)
    outbox.publish(
        session,
        f"incident.{kind}",
        "incident",
        incident.id,
        {
            "incident_id": incident.id,
            "case_number": incident.case_number,
            "type": incident.type_code,
            "priority": incident.priority,
            "state": incident.state,
            "from_state": from_state,
            "unit_id": unit_id,
            "at": at.isoformat(),
            "lon": incident.lon,
            "lat": incident.lat,
            "area_code": incident.area_code,
            **(data or {}),
        },
    )
    audit.record(
        session,
        actor,
        f"incident.{kind}",
        "incident",
        incident.id,
        {
            "case_number": incident.case_number,
            "state": incident.state,
            "unit_id": unit_id,
            **(data or {}),
        },
    )
    return event


def _check_reporter_fields(actor: Actor, new: NewIncident) -> None:
    """Citizens and volunteers report; the priority and time of receipt are the call-taker's.

    Refused rather than ignored, so a client learns why its value was not taken.
    """
    if actor.is_system or (actor.role is not None and role_may(actor.role, TRIAGE)):
        return
    if new.priority is not None:
        raise ValidationFailed(
            msg("incidents.priority_not_allowed"),
            code="priority_not_allowed",
        )
    if new.received_at is not None:
        raise ValidationFailed(
            msg("incidents.received_at_not_allowed"),
            code="received_at_not_allowed",
        )


def _check_received(actor: Actor, received_at: datetime | None) -> datetime:
    """The time of receipt: now, or a late entry no further back than checks.yaml allows."""
    received = _check_time(received_at)
    checks = report_checks()
    limit = (
        checks.received_backdate_system_max_s
        if actor.is_system
        else (checks.received_backdate_max_s)
    )
    if received_at is not None and received < utcnow() - timedelta(seconds=limit):
        minutes = round(limit / 60)
        raise ValidationFailed(
            msg("incidents.stale_time", minutes=minutes),
            code="stale_time",
        )
    return received


def create_incident(session: Session, actor: Actor, vault: Vault, new: NewIncident) -> Incident:
    require(actor, "incident.create")
    _check_reporter_fields(actor, new)
    itype = known_type(new.type_code)
    if actor.role is Role.CITIZEN and new.source is not Source.CITIZEN_APP:
        raise ValidationFailed(msg("incidents.bad_source"), code="bad_source")
    summary = new.summary.strip()
    if not summary:
        raise ValidationFailed(msg("incidents.empty_summary"), code="empty_summary")
    lon, lat = validated_point(new.lon, new.lat, new.crs)
    try:
        phone = normalise_phone(new.reporter_phone) if new.reporter_phone else None
        id_number = normalise_id_number(new.reporter_id_number) if new.reporter_id_number else None
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), code="bad_phone") from exc
    except InvalidIdNumber as exc:
        raise ValidationFailed(str(exc), code="bad_id_number") from exc
    received = _check_received(actor, new.received_at)
    name = seal_name(vault, new.reporter_name)
    incident = Incident(
        case_number=next_case_number(session, CASE_PREFIX, received),
        type_code=itype.code,
        priority=new.priority or itype.priority,
        state=State.RECEIVED.value,
        source=new.source.value,
        summary=summary,
        lon=lon,
        lat=lat,
        address=new.address,
        area_code=new.area_code,
        reporter_name_enc=name.enc if name else None,
        reporter_name_masked=name.masked if name else None,
        reporter_phone_enc=vault.encrypt(phone) if phone else None,
        reporter_phone_masked=mask_phone(phone) if phone else None,
        reporter_phone_index=vault.index(phone) if phone else None,
        reporter_id_enc=vault.encrypt(id_number) if id_number else None,
        reporter_id_masked=mask_id_number(id_number) if id_number else None,
        reporter_user_id=actor.user_id if actor.role is Role.CITIZEN else None,
        created_by=actor.username,
        received_at=received,
        sample=new.sample,
        version=1,
    )
    session.add(incident)
    session.flush()
    _append_event(
        session,
        incident,
        actor,
        "received",
        at=received,
        data={"type": itype.code, "priority": incident.priority, "source": new.source.value},
    )
    finish(session)
    return incident


def _visible(actor: Actor, incident: Incident) -> bool:
    return actor.role is not Role.CITIZEN or incident.reporter_user_id == actor.user_id


def get_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    """An incident the actor may see; others' reports are 'not found' to a citizen."""
    require(actor, "incident.read")
    incident = session.get(Incident, incident_id)
    if incident is None or not _visible(actor, incident):
        raise NotFound(
            msg("incidents.not_found", incident_id=incident_id), code="incident_not_found"
        )
    return incident


def _locked(session: Session, actor: Actor, incident_id: int) -> Incident:
    """Load the incident FOR UPDATE so two handlers' transitions apply one after the other."""
    incident = session.execute(
        select(Incident).where(Incident.id == incident_id).with_for_update()
    ).scalar_one_or_none()
    if incident is None or not _visible(actor, incident):
        raise NotFound(
            msg("incidents.not_found", incident_id=incident_id), code="incident_not_found"
        )
    return incident


def _transition(incident: Incident, action: Action) -> str:
    """Apply the state machine; returns the previous state. 409 with the reason if illegal."""
    before = incident.state
    try:
        incident.state = next_state(State(before), action).value
    except IllegalTransition as exc:
        raise Conflict(exc.args[0], code="illegal_transition") from exc
    incident.version += 1
    return before


def _assign(
    session: Session,
    actor: Actor,
    incident: Incident,
    unit_id: int,
    *,
    at: datetime,
    before: str,
    note: Msg | str | None,
    kind: str = "dispatched",
    eta_s: float | None = None,
) -> Assignment:
    """Claim one unit atomically and record the assignment; 409 if someone else has it."""
    unit = units.get_unit(session, unit_id)
    if unit.kind in outside_incident_fleet():  # a company's locksmith is never police help
        raise ValidationFailed(
            msg("incidents.unit_not_for_incidents", call_sign=unit.call_sign),
            code="unit_not_for_incidents",
        )
    if not units.claim_for_dispatch(session, unit_id):
        raise Conflict(
            msg("incidents.unit_unavailable", call_sign=unit.call_sign, status=unit.status),
            code="unit_unavailable",
        )
    assignment = Assignment(
        incident_id=incident.id,
        unit_id=unit_id,
        state="dispatched",
        dispatched_by=actor.username,
        dispatched_at=at,
        eta_s=eta_s,
    )
    session.add(assignment)
    _append_event(
        session,
        incident,
        actor,
        kind,
        at=at,
        from_state=before,
        unit_id=unit_id,
        note=note,
        data={"call_sign": unit.call_sign},
    )
    return assignment


def dispatch_units(
    session: Session,
    actor: Actor,
    incident_id: int,
    unit_ids: list[int],
    *,
    note: Msg | str | None = None,
    at: datetime | None = None,
    etas: Mapping[int, float] | None = None,
) -> list[Assignment]:
    """Send units. Each unit is claimed with a conditional UPDATE: if another dispatcher took
    it first, the whole request fails with 409 and nothing is written. `etas`: the travel
    time predicted for each unit (the recommendation's), kept to measure ETAs against."""
    require(actor, "incident.dispatch")
    if not unit_ids or len(set(unit_ids)) != len(unit_ids):
        raise ValidationFailed(msg("incidents.distinct_units"))
    incident = _locked(session, actor, incident_id)
    at = _check_time(at, not_before=incident.received_at)
    before = _transition(incident, Action.DISPATCH)
    created = []
    for unit_id in unit_ids:
        eta = (etas or {}).get(unit_id)
        created.append(
            _assign(session, actor, incident, unit_id, at=at, before=before, note=note, eta_s=eta)
        )
        before = incident.state
    if incident.dispatched_at is None:
        incident.dispatched_at = at
    finish(session)
    return created


def _active_assignment(session: Session, incident_id: int, unit_id: int) -> Assignment:
    assignment = session.execute(
        select(Assignment).where(
            Assignment.incident_id == incident_id,
            Assignment.unit_id == unit_id,
            Assignment.state != "released",
        )
    ).scalar_one_or_none()
    if assignment is None:
        raise NotFound(
            msg("incidents.assignment_not_found", unit_id=unit_id),
            code="assignment_not_found",
        )
    return assignment


def progress_unit(
    session: Session,
    actor: Actor,
    incident_id: int,
    unit_id: int,
    action: Action,
    *,
    at: datetime | None = None,
    note: Msg | str | None = None,
    override_reason: str | None = None,
) -> Incident:
    """A unit acknowledges (签收), sets off (出警) or arrives (到场).

    Officers act only for their bound units. An arrival must be confirmed by the unit's last
    fix (see `_arrival`) or overridden with a reason by a dispatcher or commander. The
    incident follows its first unit; the first arrival fixes the response time, its
    1/3/5-minute class and whether it was verified or overridden.
    """
    if action not in UNIT_STATUS_FOR:
        raise ValidationFailed(msg("incidents.unsupported_unit_action", action=action))
    unit = units.require_for_unit(session, actor, unit_id, "incident.progress")
    incident = _locked(session, actor, incident_id)
    assignment = _active_assignment(session, incident_id, unit_id)
    stage = action.value if action is not Action.ACKNOWLEDGE else "acknowledged"
    if ASSIGNMENT_ORDER.index(stage) <= ASSIGNMENT_ORDER.index(assignment.state):
        raise Conflict(
            msg("incidents.unit_step_backwards", state=assignment.state, stage=stage),
            code="illegal_transition",
        )
    previous_times = [
        assignment.dispatched_at,
        assignment.acknowledged_at,
        assignment.en_route_at,
        assignment.on_scene_at,
    ]
    latest = max(t for t in previous_times if t is not None)
    at = _check_time(at, not_before=latest)
    data: dict = {}
    if action is Action.ON_SCENE:
        data = _arrival(actor, incident, unit, at, override_reason)
        _record_arrival(assignment, actor, data)
    before = _transition(incident, action)
    assignment.state = stage
    setattr(assignment, f"{stage}_at", at)
    units.move_status(session, unit_id, UNIT_STATUS_FOR[action])
    field = f"{stage}_at"
    if getattr(incident, field) is None:
        setattr(incident, field, at)
        if action is Action.ON_SCENE:
            seconds = (at - incident.received_at).total_seconds()
            incident.response_seconds = seconds
            incident.response_tier = classify_response(seconds).code
            incident.arrival_check = data["arrival"]
            data |= {"response_seconds": round(seconds, 1), "tier": incident.response_tier}
    _append_event(
        session,
        incident,
        actor,
        stage,
        at=at,
        from_state=before,
        unit_id=unit_id,
        note=note,
        data=data,
    )
    finish(session)
    return incident


def _unconfirmed(
    unit: Unit, distance: float | None, age: float | None, c: ReportChecks
) -> Msg | None:
    """Why the unit's last fix does not confirm the arrival (None when it does)."""
    cs = unit.call_sign
    if distance is None or age is None:
        return msg("incidents.arrival_no_fix", cs=cs)
    if distance > c.arrival_max_distance_m:
        return msg(
            "incidents.arrival_too_far",
            cs=cs,
            distance=distance,
            arrival_max_distance_m=c.arrival_max_distance_m,
        )
    if age > c.arrival_fix_max_age_s:
        return msg(
            "incidents.arrival_fix_too_old",
            cs=cs,
            age=age,
            arrival_fix_max_age_s=c.arrival_fix_max_age_s,
        )
    return None


def _arrival(
    actor: Actor, incident: Incident, unit: Unit, at: datetime, override_reason: str | None
) -> dict:
    """Check an arrival against the unit's last fix; the facts the timeline step records.

    Verified when the fix lies within `arrival_max_distance_m` of the incident and was taken
    within `arrival_fix_max_age_s` of the arrival time. Otherwise 409 with the distance, unless
    a dispatcher or commander gives a reason: then it is accepted and flagged as overridden.
    """
    checks = report_checks()
    distance = age = None
    if unit.lon is not None and unit.lat is not None and unit.position_at is not None:
        distance = haversine_m(unit.lon, unit.lat, incident.lon, incident.lat)
        age = abs((at - unit.position_at).total_seconds())
    fix = {
        "distance_m": None if distance is None else round(distance, 1),
        "fix_age_s": None if age is None else round(age, 1),
    }
    why = _unconfirmed(unit, distance, age, checks)
    if why is None:
        return {"arrival": "verified", **fix}
    reason = (override_reason or "").strip()
    if not reason:
        raise Conflict(
            msg("incidents.arrival_not_verified", why=why),
            code="arrival_not_verified",
        )
    if not (actor.is_system or (actor.role is not None and role_may(actor.role, ARRIVAL_OVERRIDE))):
        raise Forbidden(
            msg("incidents.override_not_allowed", why=why),
            code="override_not_allowed",
        )
    return {
        "arrival": "overridden",
        "override_reason": reason[:500],
        "unconfirmed": why.to_json(),  # shown in the reader's language (TimelineEvent)
        **fix,
    }


def _record_arrival(assignment: Assignment, actor: Actor, data: dict) -> None:
    """Keep how the unit's arrival was accepted on its assignment (the KPI reads it)."""
    assignment.arrival_check = data["arrival"]
    assignment.arrival_distance_m = data["distance_m"]
    if data["arrival"] == "overridden":
        assignment.override_reason = data["override_reason"]
        assignment.override_by = actor.username


def _require_own_incident(session: Session, actor: Actor, incident: Incident) -> None:
    """Officers conclude only incidents that one of their bound units was sent to."""
    if units.acts_for_any_unit(actor):
        return
    mine = set(units.bound_unit_ids(session, actor.user_id or 0))
    sent = session.scalars(select(Assignment.unit_id).where(Assignment.incident_id == incident.id))
    if mine.isdisjoint(sent):
        raise Forbidden(
            msg("incidents.unit_not_bound", username=actor.username),
            code="unit_not_bound",
        )


def release_unit(
    session: Session, actor: Actor, incident_id: int, unit_id: int, *, note: Msg | str | None = None
) -> Incident:
    """Stand a unit down from the incident (back to available); officers: own units only."""
    units.require_for_unit(session, actor, unit_id, "incident.progress")
    incident = _locked(session, actor, incident_id)
    assignment = _active_assignment(session, incident_id, unit_id)
    _release(session, actor, incident, assignment, at=utcnow(), note=note)
    finish(session)
    return incident


def _stand_down(session: Session, assignment: Assignment, at: datetime) -> None:
    assignment.state, assignment.released_at = "released", at
    units.move_status(session, assignment.unit_id, UnitStatus.AVAILABLE)


def _release(
    session: Session,
    actor: Actor,
    incident: Incident,
    assignment: Assignment,
    *,
    at: datetime,
    note: Msg | str | None,
    data: dict | None = None,
) -> None:
    """Stand one unit down and record it on the timeline."""
    _stand_down(session, assignment, at)
    _append_event(
        session,
        incident,
        actor,
        "unit_released",
        at=at,
        from_state=incident.state,
        unit_id=assignment.unit_id,
        note=note,
        data=data,
    )


def reassign(
    session: Session,
    actor: Actor,
    incident_id: int,
    *,
    from_unit_id: int,
    to_unit_id: int,
    note: Msg | str | None = None,
) -> Incident:
    """Send a sooner unit instead of one still on its way, in one transaction.

    The new unit is claimed first (atomically); only then is the old one released, so the
    incident is never left without the unit it had if the new one was taken meanwhile.
    """
    require(actor, "incident.dispatch")
    if from_unit_id == to_unit_id:
        raise ValidationFailed(msg("incidents.reassign_same_unit"))
    incident = _locked(session, actor, incident_id)
    if State(incident.state) in TERMINAL or incident.state == State.RESOLVED:
        raise Conflict(msg("incidents.reassign_finished"), code="illegal_transition")
    old = _active_assignment(session, incident_id, from_unit_id)
    if old.state == "on_scene":
        raise Conflict(msg("incidents.already_on_scene"), code="already_on_scene")
    now = utcnow()
    _assign(
        session,
        actor,
        incident,
        to_unit_id,
        at=now,
        before=incident.state,
        note=note,
        kind="reassigned",
    )
    _release(session, actor, incident, old, at=now, note=note, data={"replaced_by": to_unit_id})
    incident.version += 1
    finish(session)
    return incident


def _release_all(session: Session, incident: Incident, at: datetime) -> list[int]:
    released = []
    for assignment in session.execute(
        select(Assignment).where(
            Assignment.incident_id == incident.id, Assignment.state != "released"
        )
    ).scalars():
        _stand_down(session, assignment, at)
        released.append(assignment.unit_id)
    return released


def _latest_step(incident: Incident) -> datetime:
    """When the incident's latest recorded step happened (a new step may not be earlier)."""
    steps = (
        incident.received_at,
        incident.dispatched_at,
        incident.acknowledged_at,
        incident.en_route_at,
        incident.on_scene_at,
        incident.resolved_at,
    )
    return max(t for t in steps if t is not None)


def _finish(
    session: Session,
    actor: Actor,
    incident_id: int,
    action: Action,
    permission: str,
    *,
    note: Msg | str | None,
    at: datetime | None = None,
    extra: dict | None = None,
) -> Incident:
    require(actor, permission)
    incident = _locked(session, actor, incident_id)
    if action is Action.RESOLVE:
        _require_own_incident(session, actor, incident)
    before = _transition(incident, action)
    at = _check_time(at, not_before=_latest_step(incident))
    released = _release_all(session, incident, at) if action is not Action.CLOSE else []
    setattr(
        incident,
        {
            Action.RESOLVE: "resolved_at",
            Action.CLOSE: "closed_at",
            Action.CANCEL: "cancelled_at",
            Action.MERGE: "closed_at",
        }[action],
        at,
    )
    _append_event(
        session,
        incident,
        actor,
        incident.state,
        at=at,
        from_state=before,
        note=note,
        data={**(extra or {}), **({"released_units": released} if released else {})},
    )
    return incident


def resolve(
    session: Session, actor: Actor, incident_id: int, *, outcome: str, at: datetime | None = None
) -> Incident:
    """Feedback (反馈): the outcome is recorded and every unit is released."""
    if not outcome.strip():
        raise ValidationFailed(msg("incidents.empty_outcome"), code="empty_outcome")
    incident = _finish(
        session, actor, incident_id, Action.RESOLVE, "incident.resolve", note=outcome, at=at
    )
    incident.outcome = outcome.strip()
    finish(session)
    return incident


def close(
    session: Session, actor: Actor, incident_id: int, *, note: Msg | str | None = None
) -> Incident:
    incident = _finish(session, actor, incident_id, Action.CLOSE, "incident.close", note=note)
    finish(session)
    return incident


def cancel(session: Session, actor: Actor, incident_id: int, *, reason: Msg | str) -> Incident:
    if isinstance(reason, str) and not reason.strip():
        raise ValidationFailed(msg("incidents.empty_reason"), code="empty_reason")
    incident = _finish(session, actor, incident_id, Action.CANCEL, "incident.cancel", note=reason)
    finish(session)
    return incident


def add_note(
    session: Session,
    actor: Actor,
    incident_id: int,
    *,
    note: Msg | str,
    priority: int | None = None,
    data: dict | None = None,
) -> Incident:
    """Add a step to an open incident's timeline (new facts, a raised priority)."""
    require(actor, "incident.dispatch")
    if isinstance(note, str) and not note.strip():
        raise ValidationFailed(msg("incidents.empty_note"), code="empty_note")
    incident = _locked(session, actor, incident_id)
    if State(incident.state) in TERMINAL:
        raise Conflict(msg("incidents.finished"), code="illegal_transition")
    extra = dict(data or {})
    kind = "noted"
    if priority is not None and priority != incident.priority:
        if not 1 <= priority <= 4:
            raise ValidationFailed(msg("incidents.bad_priority"))
        extra["priority_before"], incident.priority = incident.priority, priority
        kind = "reprioritised"
    incident.version += 1
    _append_event(
        session,
        incident,
        actor,
        kind,
        at=utcnow(),
        from_state=incident.state,
        note=note.strip()[:2000] if isinstance(note, str) else note,
        data=extra,
    )
    finish(session)
    return incident


def open_incident_for_area(session: Session, type_code: str, area_code: str) -> Incident | None:
    """The newest unfinished incident of a type in a key area (to update, not duplicate)."""
    return session.execute(
        select(Incident)
        .where(
            Incident.type_code == type_code,
            Incident.area_code == area_code,
            Incident.state.in_([s.value for s in ACTIVE]),
        )
        .order_by(Incident.received_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def merge(
    session: Session, actor: Actor, incident_id: int, *, into_id: int, note: Msg | str | None = None
) -> Incident:
    """Mark a duplicate report as merged into the incident that carries on."""
    if into_id == incident_id:
        raise ValidationFailed(msg("incidents.merge_into_itself"))
    target = session.get(Incident, into_id)
    if target is None:
        raise NotFound(
            msg("incidents.target_not_found", into_id=into_id), code="incident_not_found"
        )
    if State(target.state) in TERMINAL:
        raise Conflict(msg("incidents.target_finished"), code="target_finished")
    incident = _finish(
        session,
        actor,
        incident_id,
        Action.MERGE,
        "incident.merge",
        note=note,
        extra={"into": target.case_number},
    )
    incident.merged_into_id = into_id
    finish(session)
    return incident


def attach_call(
    session: Session,
    actor: Actor,
    incident_id: int,
    *,
    summary: str,
    reporter_phone: str | None = None,
    received_at: datetime | None = None,
) -> Incident:
    """Record a further call about an open incident (重复报警) instead of a new incident: a
    timeline step with what the caller said and the caller's number masked, and its audit
    record. The number is kept masked only; the first caller's stays the one to call back."""
    require(actor, "incident.merge")
    text = summary.strip()
    if not text:
        raise ValidationFailed(msg("incidents.empty_summary"), code="empty_summary")
    try:
        phone = normalise_phone(reporter_phone) if reporter_phone else None
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), code="bad_phone") from exc
    at = _check_received(actor, received_at)
    incident = _locked(session, actor, incident_id)
    if State(incident.state) not in ACTIVE:
        raise Conflict(
            msg("incidents.call_on_finished"),
            code="illegal_transition",
        )
    calls = (
        session.execute(
            select(func.count(IncidentEvent.id)).where(
                IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "call_attached"
            )
        ).scalar_one()
        + 2  # the first call, then this one
    )
    incident.version += 1
    _append_event(
        session,
        incident,
        actor,
        "call_attached",
        at=at,
        from_state=incident.state,
        note=text[:2000],
        data={"caller": mask_phone(phone) if phone else None, "call_number": calls},
    )
    finish(session)
    return incident


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    states: list[str] | None = None
    type_code: str | None = None
    priority: int | None = None
    area_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    case_number: str | None = None


def list_incidents(
    session: Session, actor: Actor, flt: IncidentFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[Incident], int]:
    require(actor, "incident.read")
    query = select(Incident)
    if actor.role is Role.CITIZEN:
        query = query.where(Incident.reporter_user_id == actor.user_id)
    if flt.states:
        query = query.where(Incident.state.in_(flt.states))
    if flt.type_code:
        query = query.where(Incident.type_code == flt.type_code)
    if flt.priority:
        query = query.where(Incident.priority == flt.priority)
    if flt.area_code:
        query = query.where(Incident.area_code == flt.area_code)
    if flt.since:
        query = query.where(Incident.received_at >= flt.since)
    if flt.until:
        query = query.where(Incident.received_at < flt.until)
    if flt.case_number:
        query = query.where(Incident.case_number == flt.case_number)
    order = (Incident.received_at.desc(), Incident.id.desc())
    return page(session, query, *order, limit=limit, offset=offset)


def assigned_to_me(session: Session, actor: Actor) -> list[Incident]:
    """Open incidents on which a unit bound to the caller now holds an unreleased assignment:
    the officer's phone reads its jobs in one request instead of one per open incident."""
    require(actor, "incident.read")
    mine = units.bound_unit_ids(session, actor.user_id or 0)
    if not mine:
        return []
    held = select(Assignment.incident_id).where(
        Assignment.unit_id.in_(mine), Assignment.released_at.is_(None)
    )
    query = select(Incident).where(
        Incident.id.in_(held), Incident.state.not_in([s.value for s in TERMINAL])
    )
    return list(session.scalars(query.order_by(Incident.received_at, Incident.id)))


def timeline(session: Session, actor: Actor, incident_id: int) -> list[IncidentEvent]:
    get_incident(session, actor, incident_id)
    return list(
        session.execute(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.seq)
        ).scalars()
    )


def assignments(session: Session, actor: Actor, incident_id: int) -> list[Assignment]:
    get_incident(session, actor, incident_id)
    return list(
        session.execute(
            select(Assignment).where(Assignment.incident_id == incident_id).order_by(Assignment.id)
        ).scalars()
    )


def _opened(vault: Vault, token: str | None) -> str | None:
    return vault.decrypt(token) if token else None


def reporter_contact(
    session: Session, actor: Actor, vault: Vault, incident_id: int
) -> dict[str, str | None]:
    """Unmasked reporter name, phone and ID number for those who must call back; audited."""
    require(actor, "incident.read_pii")
    incident = get_incident(session, actor, incident_id)
    audit.record(
        session,
        actor,
        "incident.read_pii",
        "incident",
        incident_id,
        {"case_number": incident.case_number},
    )
    finish(session)
    return {
        "reporter_name": _opened(vault, incident.reporter_name_enc),
        "reporter_phone": _opened(vault, incident.reporter_phone_enc),
        "reporter_id_number": _opened(vault, incident.reporter_id_enc),
    }
