"""Which rows of a store have no audit record of their own.

A chain that verifies says nothing about writes that never reached it: a service that forgot
`audit.record` leaves a consistent, shorter chain. So each kind of row is matched to the
record its service writes, by action and entity id (a multiset: two steps need two records),
and rows written in batches to the batch records' counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
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


def _first(*row: Any) -> str:
    return str(row[0])


def _pair(*row: Any) -> str:
    return f"{row[0]}:{row[1]}"


def _when(*steps: tuple[str, Any]) -> list[str]:
    """The actions whose step took place (a set timestamp, a true flag)."""
    return [action for action, done in steps if done]


@dataclass(frozen=True, slots=True)
class Rule:
    """Rows of one kind (`columns` of each row): the audit actions each must have left
    (`actions` of the row), all on the entity `key` of the row, which `entity` reads back
    from a record."""

    what: str
    columns: tuple[Any, ...]
    actions: Callable[..., Iterable[str]]
    key: Callable[..., str] = _first
    entity: Callable[[AuditRecord], str] = _object

    def expected(self, session: Session) -> Counter[Key]:
        return Counter(
            (action, self.key(*row))
            for row in session.execute(select(*self.columns))
            for action in self.actions(*row)
        )


RULES = (
    Rule("incidents", (Incident.id,), lambda _: ["incident.received"]),
    Rule(
        "timeline steps",
        (IncidentEvent.incident_id, IncidentEvent.unit_id, IncidentEvent.kind),
        lambda _, __, kind: [f"incident.{kind}"],
        _pair,
        _object_and("unit_id"),
    ),
    Rule(
        "assignments",
        (Assignment.incident_id, Assignment.unit_id),
        lambda *_: ["incident.dispatched"],
        _pair,
        _object_and("unit_id"),
    ),
    Rule(
        "plans",
        (DeploymentPlan.id, DeploymentPlan.based_on_id, DeploymentPlan.approved_at),
        lambda _, based_on, approved: _when(
            ("deployment.plan", not based_on),
            ("deployment.replan", based_on),
            ("deployment.approve", approved),
        ),
    ),
    Rule("help items", (HelpItem.id, HelpItem.kind), lambda _, k: [f"lost_found.{k}_registered"]),
    Rule(
        "claims",
        (HelpClaim.item_id, HelpClaim.id),
        lambda *_: ["lost_found.claimed"],
        _pair,
        _object_and("claim"),
    ),
    Rule("missing reports", (MissingReport.id,), lambda _: ["missing.reported"]),
    Rule(
        "breakdowns",
        (Breakdown.id, Breakdown.dispatched_at, Breakdown.cleared_at),
        lambda _, dispatched, cleared: _when(
            ("breakdown.requested", True),
            ("breakdown.dispatched", dispatched),
            ("breakdown.cleared", cleared),
        ),
    ),
    Rule("tow services", (TowService.id,), lambda _: ["breakdown.tow_registered"]),
    Rule("vehicle owners", (VehicleOwner.plate,), lambda _: ["parking.owner_registered"]),
    Rule(
        "car finds",
        (CarFind.plate, CarFind.read_id),
        lambda *_: ["parking.query"],
        _pair,
        _object_and("read"),
    ),
    Rule("devices", (Device.id,), lambda _: ["device.register"]),
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
    with_device = set(session.execute(select(Device.unit_id)).scalars()) - {None}
    newest: dict[str, AuditRecord] = {}
    for r in session.execute(
        select(AuditRecord).where(AuditRecord.action == "unit.position").order_by(AuditRecord.seq)
    ).scalars():
        newest[str(r.object_id)] = r
    checked, problems = 0, []
    for uid, lon, lat in session.execute(select(Unit.id, Unit.lon, Unit.lat)):
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
        expected = rule.expected(session)
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
