"""Which rows of a store have no audit record of their own.

A chain that verifies says nothing about writes that never reached it: a service that forgot
`audit.record` leaves a consistent, shorter chain. So each kind of row is matched to the
record its service writes, by action and entity id (a multiset: two steps need two records),
and rows written in batches to the batch records' counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from pingan.audit.models import AuditRecord
from pingan.crowd.models import CountReading
from pingan.deployment.models import DeploymentPlan
from pingan.devices.models import Device
from pingan.incidents.models import Assignment, Incident, IncidentEvent
from pingan.services.models import (
    Breakdown,
    CarFind,
    HelpClaim,
    HelpItem,
    MissingReport,
    PlateRead,
    TowService,
    VehicleOwner,
)
from pingan.units.models import Unit

Key = tuple[str, str]  # (action, entity)
# What every simulated stretch writes, so a match over them is never empty.
WRITTEN = (
    "incidents",
    "timeline steps",
    "assignments",
    "plans",
    "crowd readings",
    "unit positions",
)


def _object(r: AuditRecord) -> str:
    return str(r.object_id)


def _object_and(field: str) -> Callable[[AuditRecord], str]:
    """The entity plus one detail field, for records that name a second row (unit, claim)."""
    return lambda r: f"{r.object_id}:{r.detail.get(field)}"


@dataclass(frozen=True, slots=True)
class Rule:
    """Rows of one kind, each with the audit record (action, entity) it must have."""

    what: str
    expected: Callable[[Session], Iterable[Key]]
    entity: Callable[[AuditRecord], str] = _object


def _rows(session: Session, *columns: Any) -> Sequence[Row[Any]]:
    return session.execute(select(*columns)).all()


RULES = (
    Rule("incidents", lambda s: (("incident.received", str(i)) for (i,) in _rows(s, Incident.id))),
    Rule(
        "timeline steps",
        lambda s: (
            (f"incident.{kind}", f"{inc}:{unit}")
            for kind, inc, unit in _rows(
                s, IncidentEvent.kind, IncidentEvent.incident_id, IncidentEvent.unit_id
            )
        ),
        _object_and("unit_id"),
    ),
    Rule(
        "assignments",
        lambda s: (
            ("incident.dispatched", f"{inc}:{unit}")
            for inc, unit in _rows(s, Assignment.incident_id, Assignment.unit_id)
        ),
        _object_and("unit_id"),
    ),
    Rule(
        "plans",
        lambda s: (
            (action, str(pid))
            for pid, based_on, approved in _rows(
                s, DeploymentPlan.id, DeploymentPlan.based_on_id, DeploymentPlan.approved_at
            )
            for action in ("deployment.replan" if based_on else "deployment.plan",)
            + (("deployment.approve",) if approved else ())
        ),
    ),
    Rule(
        "help items",
        lambda s: (
            (f"lost_found.{kind}_registered", str(i))
            for i, kind in _rows(s, HelpItem.id, HelpItem.kind)
        ),
    ),
    Rule(
        "claims",
        lambda s: (
            ("lost_found.claimed", f"{item}:{i}")
            for i, item in _rows(s, HelpClaim.id, HelpClaim.item_id)
        ),
        _object_and("claim"),
    ),
    Rule(
        "missing reports",
        lambda s: (("missing.reported", str(i)) for (i,) in _rows(s, MissingReport.id)),
    ),
    Rule(
        "breakdowns",
        lambda s: (
            (action, str(i))
            for i, dispatched, cleared in _rows(
                s, Breakdown.id, Breakdown.dispatched_at, Breakdown.cleared_at
            )
            for action, done in (
                ("breakdown.requested", True),
                ("breakdown.dispatched", dispatched),
                ("breakdown.cleared", cleared),
            )
            if done
        ),
    ),
    Rule(
        "tow services",
        lambda s: (("breakdown.tow_registered", str(i)) for (i,) in _rows(s, TowService.id)),
    ),
    Rule(
        "vehicle owners",
        lambda s: (("parking.owner_registered", p) for (p,) in _rows(s, VehicleOwner.plate)),
    ),
    Rule(
        "car finds",
        lambda s: (
            ("parking.query", f"{plate}:{read}")
            for plate, read in _rows(s, CarFind.plate, CarFind.read_id)
        ),
        _object_and("read"),
    ),
    Rule("devices", lambda s: (("device.register", str(i)) for (i,) in _rows(s, Device.id))),
)

# Rows written in batches: one record per batch, holding how many rows it added.
BATCHES = (
    ("crowd readings", CountReading, "crowd.ingest", "accepted"),
    ("plate reads", PlateRead, "parking.reads_ingested", "n"),
)


def _audited(session: Session, actions: set[str], entity: Callable[[AuditRecord], str]) -> Counter:
    records = session.execute(select(AuditRecord).where(AuditRecord.action.in_(actions))).scalars()
    return Counter((r.action, entity(r)) for r in records)


def _positions(session: Session) -> tuple[int, list[str]]:
    """A unit's stored position (units without a device: devices report outside the trail)
    is the one its newest `unit.position` record holds."""
    with_device = {u for (u,) in _rows(session, Device.unit_id) if u is not None}
    newest: dict[str, AuditRecord] = {}
    for r in session.execute(
        select(AuditRecord).where(AuditRecord.action == "unit.position").order_by(AuditRecord.seq)
    ).scalars():
        newest[str(r.object_id)] = r
    checked, problems = 0, []
    for uid, lon, lat in _rows(session, Unit.id, Unit.lon, Unit.lat):
        if uid in with_device or lon is None:
            continue
        checked += 1
        rec = newest.get(str(uid))
        if rec is None or (rec.detail["lon"], rec.detail["lat"]) != (round(lon, 6), round(lat, 6)):
            problems.append(f"unit {uid}: position ({lon}, {lat}) without its unit.position record")
    return checked, problems


@dataclass(frozen=True, slots=True)
class Trail:
    checked: Counter  # rows matched, per kind
    problems: list[str]


def unaudited_writes(session: Session) -> Trail:
    """Every row of the kinds above held against the audit trail; `problems` names those
    without their record."""
    checked: Counter = Counter()
    problems: list[str] = []
    for rule in RULES:
        expected = Counter(rule.expected(session))
        checked[rule.what] = expected.total()
        audited = _audited(session, {a for a, _ in expected}, rule.entity)
        problems += [f"{rule.what}: {k} ×{n} not audited" for k, n in (expected - audited).items()]
    for what, model, action, field in BATCHES:
        rows = session.execute(select(func.count()).select_from(model)).scalar_one()
        records = session.execute(select(AuditRecord.detail).where(AuditRecord.action == action))
        recorded = sum(d[field] for (d,) in records)
        checked[what] = rows
        if recorded != rows:
            problems.append(f"{what}: {rows} rows, {recorded} in {action} records")
    checked["unit positions"], more = _positions(session)
    return Trail(checked, problems + more)
