"""Missing people (走失服务): report, growing-radius alerts, sightings, found persons, closure.

A report opens an incident of type missing_person through the incidents service (so dispatch
takes it) and alerts units, volunteers and grid workers within a radius that grows with the
time since the person was last seen. The case closes only on hand-over to the guardian whose
ID number was given at the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.case_numbers import next_case_number
from pingan.db.tx import deferred_commit, finish
from pingan.errors import Conflict, Forbidden, NotFound
from pingan.geo.city import City
from pingan.geo.coords import haversine_m
from pingan.i18n import msg
from pingan.i18n.both import both
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.pii.vault import Vault
from pingan.services import cap, common, missing_cap, settings
from pingan.services.access import is_citizen, list_cases, own_or_staff
from pingan.services.models import (
    AtRiskProfile,
    FoundPerson,
    MissingAlert,
    MissingReport,
    MissingSighting,
)
from pingan.services.radius import radius_km
from pingan.services.text import bigrams, dice
from pingan.units.models import Unit

KINDS = ("child", "elder", "visitor")
GUARDIAN_NAME = msg("services.what.guardian_name")


@dataclass(frozen=True, slots=True)
class MissingSpec:
    kind: str
    name: str
    description: str
    lon: float | None
    lat: float | None
    last_seen_at: datetime | None
    guardian_name: str
    guardian_phone: str
    guardian_id_number: str
    age: int | None = None
    clothing: str | None = None
    area_code: str | None = None
    photo_b64: str | None = None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise common.bad(msg("services.missing_bad_kind"), "bad_kind")
    return kind


def _units_within(session: Session, lon: float, lat: float, km: float) -> list[int]:
    """Units on duty (police, volunteers, grid workers) whose position is inside the circle."""
    statuses = settings.missing()["alert_unit_statuses"]
    rows = session.execute(
        select(Unit.id, Unit.lon, Unit.lat, Unit.post_lon, Unit.post_lat).where(
            Unit.status.in_(statuses)
        )
    )
    out = []
    for uid, ulon, ulat, plon, plat in rows:
        x, y = (ulon, ulat) if ulon is not None else (plon, plat)
        if x is not None and haversine_m(lon, lat, x, y) <= km * 1000:
            out.append(uid)
    return out


def _alert(session: Session, report: MissingReport, km: float, at: datetime) -> MissingAlert:
    units = _units_within(session, report.lon, report.lat, km)
    row = MissingAlert(report_id=report.id, at=at, radius_km=km, unit_ids=units)
    session.add(row)
    report.radius_km = km
    return row


def _payload(report: MissingReport) -> dict[str, object]:
    """Event body: no name, no contact."""
    return {
        "case_number": report.case_number,
        "kind": report.kind,
        "lon": report.lon,
        "lat": report.lat,
        "radius_km": report.radius_km,
        "incident_id": report.incident_id,
        "last_seen_at": report.last_seen_at.isoformat(),
    }


def report(
    session: Session,
    actor: Actor,
    vault: Vault,
    city: City | None,
    photo_dir: Path,
    spec: MissingSpec,
    *,
    profile: AtRiskProfile | None = None,
    reported_at: datetime | None = None,
) -> MissingReport:
    """File the report, open the incident, alert within the first radius — one transaction.

    ``reported_at`` is when the call was taken (default now); the incident is received then,
    as a 110 desk keying in a call a moment later would record it."""
    require(actor, "services.report")
    _kind(spec.kind)
    if not spec.name.strip() or not spec.description.strip():
        raise common.bad(msg("services.name_and_description_required"), "empty_field")
    seen = common.when(spec.last_seen_at, msg("services.what.last_seen"))
    lon, lat = common.where(spec.lon, spec.lat)
    area = common.area(city, spec.area_code)
    guardian_name = common.name(vault, spec.guardian_name, GUARDIAN_NAME)
    guardian_phone = common.phone(vault, spec.guardian_phone, required=True)
    guardian_id = (
        common.Sealed("", profile.guardian_id_masked, profile.guardian_id_key)
        if profile
        else common.id_number(vault, spec.guardian_id_number)
    )
    photo = profile.photo_path if profile and not spec.photo_b64 else None
    photo = photo or common.photo(photo_dir, spec.photo_b64)
    now = common.when(reported_at, msg("services.what.report_time")) if reported_at else utcnow()
    km = radius_km(seen, now)
    row = MissingReport(
        case_number=next_case_number(session, "ZS", now),
        kind=spec.kind,
        status="open",
        name=spec.name.strip(),
        age=spec.age,
        description=spec.description.strip(),
        clothing=spec.clothing,
        photo_path=photo,
        lon=lon,
        lat=lat,
        last_seen_at=seen,
        area_code=area,
        guardian_name_enc=guardian_name.enc,
        guardian_name_masked=guardian_name.masked,
        guardian_phone_enc=guardian_phone.enc if guardian_phone else "",
        guardian_phone_masked=guardian_phone.masked if guardian_phone else "",
        guardian_id_key=guardian_id.key,
        guardian_id_masked=guardian_id.masked,
        reporter_user_id=actor.user_id if is_citizen(actor) else None,
        profile_id=profile.id if profile else None,
        radius_km=km,
    )
    session.add(row)
    session.flush()
    with deferred_commit(session):
        incident = incidents.create_incident(
            session,
            actor,
            vault,
            incidents.NewIncident(
                type_code="missing_person",
                summary=f"走失{cap.KIND_ZH[spec.kind]}：{row.description[:100]}",
                lon=lon,
                lat=lat,
                source=Source.CITIZEN_APP if is_citizen(actor) else Source.WALK_IN,
                area_code=area,
                reporter_phone=spec.guardian_phone,
                received_at=reported_at,
            ),
        )
    row.incident_id = incident.id
    alert = _alert(session, row, km, now)
    outbox.publish(session, "missing.reported", "missing_report", row.id, _payload(row))
    audit.record(
        session,
        actor,
        "missing.reported",
        "missing_report",
        row.id,
        {
            "case_number": row.case_number,
            "guardian_phone": row.guardian_phone_masked,
            "radius_km": km,
            "units_alerted": len(alert.unit_ids),
            "profile": row.profile_id,
        },
    )
    finish(session)
    return row


def _report(session: Session, report_id: int) -> MissingReport:
    row = session.get(MissingReport, report_id)
    if row is None:
        raise NotFound(msg("services.report_not_found", id=report_id), code="report_not_found")
    return row


def get_report(session: Session, actor: Actor, report_id: int) -> MissingReport:
    require(actor, "services.read")
    row = session.get(MissingReport, report_id)
    # first: to a citizen, another's report and no report at all give the same answer
    own_or_staff(actor, row.reporter_user_id if row else None, msg("services.what.report"))
    return row or _report(session, report_id)


def list_reports(
    session: Session, actor: Actor, *, status: str | None, limit: int, offset: int
) -> tuple[list[MissingReport], int]:
    return list_cases(session, actor, MissingReport, status=status, limit=limit, offset=offset)


def guardian_contact(
    session: Session, actor: Actor, vault: Vault, report_id: int
) -> tuple[str, str]:
    """The guardian's unmasked name and phone, for the roles that call them; audited."""
    require(actor, "services.read_pii")
    row = _report(session, report_id)
    audit.record(session, actor, "missing.guardian_read", "missing_report", row.id, {})
    finish(session)
    return vault.decrypt(row.guardian_name_enc), vault.decrypt(row.guardian_phone_enc)


def _pushes(session: Session, report_id: int) -> list[MissingAlert]:
    query = select(MissingAlert).where(MissingAlert.report_id == report_id)
    return list(session.execute(query.order_by(MissingAlert.id)).scalars())


def alerts(session: Session, actor: Actor, report_id: int) -> list[MissingAlert]:
    get_report(session, actor, report_id)
    return _pushes(session, report_id)


def grow_radius(session: Session, actor: Actor, now: datetime | None = None) -> list[MissingAlert]:
    """Widen each open report's alert to the schedule's radius for the time elapsed."""
    require(actor, "services.missing_manage")
    now = now or utcnow()
    grown = []
    for row in session.execute(
        select(MissingReport).where(MissingReport.status == "open")
    ).scalars():
        km = radius_km(row.last_seen_at, now)
        if km > row.radius_km:
            grown.append(_alert(session, row, km, now))
            outbox.publish(session, "missing.radius_grown", "missing_report", row.id, _payload(row))
            audit.record(
                session, actor, "missing.radius_grown", "missing_report", row.id, {"radius_km": km}
            )
    finish(session)
    return grown


def cap_message(session: Session, actor: Actor, report_id: int) -> str:
    """The report's latest CAP message: the last push's `Alert`/`Update`, or the `Cancel`."""
    row = get_report(session, actor, report_id)
    return missing_cap.thread(row, _pushes(session, row.id))[-1]


def add_sighting(
    session: Session,
    actor: Actor,
    report_id: int,
    *,
    lon: float | None,
    lat: float | None,
    at: datetime | None,
    note: str | None,
) -> MissingSighting:
    """A sighting on a case the caller can see: staff and volunteers on any, a citizen on
    their own report only (another's gets the same 404 as reading it)."""
    require(actor, "services.sighting")
    row = get_report(session, actor, report_id)
    if row.status != "open":
        raise Conflict(msg("services.report_closed"), code="report_closed")
    x, y = common.where(lon, lat)
    seen = common.when(at, msg("services.what.sighting_time"))
    s = MissingSighting(
        report_id=row.id, lon=x, lat=y, at=seen, note=note, reported_by=actor.username
    )
    session.add(s)
    session.flush()
    payload = {"case_number": row.case_number, "lon": x, "lat": y, "at": seen.isoformat()}
    outbox.publish(session, "missing.sighted", "missing_report", row.id, payload)
    audit.record(session, actor, "missing.sighted", "missing_report", row.id, {"sighting": s.id})
    finish(session)
    return s


def sightings(session: Session, actor: Actor, report_id: int) -> list[MissingSighting]:
    get_report(session, actor, report_id)
    query = select(MissingSighting).where(MissingSighting.report_id == report_id)
    return list(session.execute(query.order_by(MissingSighting.at)).scalars())


@dataclass(frozen=True, slots=True)
class PersonMatch:
    report_id: int
    case_number: str
    score: float
    distance_m: float


def _person_score(p: FoundPerson, r: MissingReport) -> PersonMatch | None:
    if {p.kind, r.kind} == {"child", "elder"}:
        return None
    text = dice(bigrams(p.description), bigrams(f"{r.description} {r.clothing or ''}"))
    age = 0.5
    if p.apparent_age is not None and r.age is not None:
        age = max(0.0, 1 - abs(p.apparent_age - r.age) / 10)
    dist = haversine_m(p.lon, p.lat, r.lon, r.lat)
    near = max(0.0, 1 - dist / (settings.missing()["match_radius_km"] * 1000))
    s = 0.5 * text + 0.2 * age + 0.2 * near + 0.1 * (p.kind == r.kind)
    return PersonMatch(r.id, r.case_number, round(s, 4), round(dist, 1))


def register_found_person(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    description: str,
    lon: float | None,
    lat: float | None,
    at: datetime | None,
    apparent_age: int | None = None,
) -> tuple[FoundPerson, list[PersonMatch]]:
    """Record a person found alone and rank the open reports against them."""
    require(actor, "services.found_person")
    _kind(kind)
    if not description.strip():
        raise common.bad(msg("services.person_description_required"), "empty_description")
    x, y = common.where(lon, lat)
    p = FoundPerson(
        kind=kind,
        apparent_age=apparent_age,
        description=description.strip(),
        lon=x,
        lat=y,
        at=common.when(at, msg("services.what.found_time")),
        registered_by=actor.username,
    )
    session.add(p)
    session.flush()
    ranked = _rank_reports(session, p)
    if ranked:
        p.report_id = ranked[0].report_id
    audit.record(
        session, actor, "missing.person_found", "found_person", p.id, {"best": p.report_id}
    )
    finish(session)
    return p, ranked


def _rank_reports(session: Session, p: FoundPerson, top: int = 5) -> list[PersonMatch]:
    """The open reports that may be this person, best first."""
    open_reports = session.execute(select(MissingReport).where(MissingReport.status == "open"))
    ranked = [m for r in open_reports.scalars() if (m := _person_score(p, r)) is not None]
    ranked.sort(key=lambda m: (-m.score, m.report_id))
    return ranked[:top]


def _person(session: Session, person_id: int) -> FoundPerson:
    person = session.get(FoundPerson, person_id)
    if person is None:
        raise NotFound(msg("services.found_person_not_found"), code="not_found")
    return person


def person_matches(session: Session, actor: Actor, person_id: int) -> list[PersonMatch]:
    """The open reports ranked against a registered person now (reports filed or closed since
    the registration change the answer): the desk calls the best one's guardian."""
    require(actor, "services.found_person")
    return _rank_reports(session, _person(session, person_id))


def refuse_person(
    session: Session, actor: Actor, report_id: int, *, found_person_id: int
) -> MissingReport:
    """The guardian says the person proposed is not theirs: recorded, the proposal dropped,
    and the report stays open (a wrong match is never handed over)."""
    require(actor, "services.missing_manage")
    row = _report(session, report_id)
    if row.status != "open":
        raise Conflict(msg("services.report_closed"), code="report_closed")
    person = _person(session, found_person_id)
    if person.report_id == row.id:
        person.report_id = None
    audit.record(
        session, actor, "missing.person_refused", "missing_report", row.id,
        {"found_person": person.id},
    )  # fmt: skip
    finish(session)
    return row


def close(
    session: Session,
    actor: Actor,
    vault: Vault,
    report_id: int,
    *,
    guardian_id_number: str,
    found_person_id: int | None = None,
) -> MissingReport:
    """Hand-over to the guardian named at the report, checked by ID number (hash)."""
    require(actor, "services.missing_manage")
    row = _report(session, report_id)
    if row.status != "open":
        raise Conflict(msg("services.report_closed"), code="report_closed")
    presented = common.id_number(vault, guardian_id_number)
    if presented.key != row.guardian_id_key:
        raise Forbidden(
            msg("services.guardian_not_verified"),
            code="guardian_not_verified",
        )
    if found_person_id is not None:
        person = _person(session, found_person_id)
        handed = session.get(MissingReport, person.report_id) if person.report_id else None
        if handed is not None and handed.id != row.id and handed.status == "closed":
            raise Conflict(
                msg("services.person_handed_over", case_number=handed.case_number),
                code="person_handed_over",
            )
        person.report_id = row.id
    # other people proposed for this report were not the one: their proposal ends here, so a
    # person linked to a closed report is the one handed over on it
    session.execute(
        update(FoundPerson)
        .where(FoundPerson.report_id == row.id, FoundPerson.id != (found_person_id or -1))
        .values(report_id=None)
    )
    now = utcnow()
    row.status, row.found_at, row.closed_at = "closed", now, now
    outcome = both("services.note.handed_over", case=row.case_number)
    payload = {**_payload(row), "outcome": outcome}
    outbox.publish(session, "missing.found", "missing_report", row.id, payload)
    audit.record(
        session,
        actor,
        "missing.closed",
        "missing_report",
        row.id,
        {"guardian_id": presented.masked, "found_person": found_person_id},
    )
    finish(session)
    return row


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    kind: str
    name: str
    description: str
    guardian_name: str
    guardian_phone: str
    guardian_id_number: str
    age: int | None = None
    habits: str | None = None
    photo_b64: str | None = None


def create_profile(
    session: Session, actor: Actor, vault: Vault, photo_dir: Path, spec: ProfileSpec
) -> AtRiskProfile:
    """A family files a person at risk ahead of time (Herbert Protocol)."""
    require(actor, "services.report")
    _kind(spec.kind)
    if not spec.name.strip() or not spec.description.strip():
        raise common.bad(msg("services.name_and_description_required"), "empty_field")
    guardian = common.name(vault, spec.guardian_name, GUARDIAN_NAME)
    phone = common.phone(vault, spec.guardian_phone, required=True)
    gid = common.id_number(vault, spec.guardian_id_number)
    row = AtRiskProfile(
        owner_user_id=actor.user_id,
        kind=spec.kind,
        name=spec.name.strip(),
        age=spec.age,
        description=spec.description.strip(),
        habits=spec.habits,
        photo_path=common.photo(photo_dir, spec.photo_b64),
        guardian_name_enc=guardian.enc,
        guardian_name_masked=guardian.masked,
        guardian_phone_enc=phone.enc if phone else "",
        guardian_phone_masked=phone.masked if phone else "",
        guardian_id_key=gid.key,
        guardian_id_masked=gid.masked,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "missing.profile_created", "at_risk_profile", row.id, {})
    finish(session)
    return row


def report_from_profile(
    session: Session,
    actor: Actor,
    vault: Vault,
    city: City | None,
    photo_dir: Path,
    profile_id: int,
    *,
    lon: float | None,
    lat: float | None,
    last_seen_at: datetime | None,
    clothing: str | None = None,
) -> MissingReport:
    """The instant report: everything but place, time and clothing comes from the profile."""
    profile = session.get(AtRiskProfile, profile_id)
    if profile is None or (is_citizen(actor) and profile.owner_user_id != actor.user_id):
        raise NotFound(msg("services.profile_not_found"), code="profile_not_found")
    spec = MissingSpec(
        kind=profile.kind,
        name=profile.name,
        description=profile.description + (f"；习惯：{profile.habits}" if profile.habits else ""),
        lon=lon,
        lat=lat,
        last_seen_at=last_seen_at,
        guardian_name=vault.decrypt(profile.guardian_name_enc),
        guardian_phone=vault.decrypt(profile.guardian_phone_enc),
        guardian_id_number="",
        age=profile.age,
        clothing=clothing,
    )
    return report(session, actor, vault, city, photo_dir, spec, profile=profile)
