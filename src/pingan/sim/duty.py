"""Units come on duty and go off per the stored shift roster (rosters service).

At each change of shift the units on that shift's roster go on duty and the others off; a
unit still busy on an incident goes off when it is released. Kinds sent to no incident (a
company's filed locksmith) are not on a police roster and keep their own hours. A day with no
stored roster leaves the fleet as it is (the 18-unit demo store has none).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pingan.auth.roles import Role
from pingan.dispatch.kpi import shift_day
from pingan.rosters import service as rosters
from pingan.sim.deploy import PLANNER, staff
from pingan.units import service as units
from pingan.units.catalogue import UnitStatus, outside_incident_fleet

if TYPE_CHECKING:
    from pingan.sim.day import DaySimulation

FLEET_LIMIT = 5000


def roster_duty(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """On a new shift: on duty if on its roster, off duty otherwise (audited status changes)."""
    key = shift_day(t)
    if sim.duty_key != key:
        sim.duty_key = key
        entries = rosters.list_roster(session, PLANNER, key[0], key[1])
        if entries:
            _apply(sim, session, {e.call_sign for e in entries})
    elif sim.off_when_free:
        _release(sim, session)


def _apply(sim: DaySimulation, session: Session, rostered: set[str]) -> None:
    actor = staff(session, "dispatcher", Role.DISPATCHER, PLANNER)
    sim.off_when_free.clear()
    for unit in units.list_units(session, limit=FLEET_LIMIT)[0]:
        if unit.kind in outside_incident_fleet():
            continue  # a filed locksmith's van: not the police roster's to set
        on = unit.call_sign in rostered
        if on and unit.status == UnitStatus.OFF_DUTY:
            units.set_duty(session, actor, unit.id, on_duty=True)
        elif not on and unit.status == UnitStatus.AVAILABLE:
            units.set_duty(session, actor, unit.id, on_duty=False)
            sim.trips.pop(unit.id, None)  # the patrol loop ends with the shift
        elif not on and unit.status != UnitStatus.OFF_DUTY:
            sim.off_when_free.add(unit.id)  # busy on a call: off once released


def _release(sim: DaySimulation, session: Session) -> None:
    actor = staff(session, "dispatcher", Role.DISPATCHER, PLANNER)
    for unit_id in list(sim.off_when_free):
        if units.get_unit(session, unit_id).status == UnitStatus.AVAILABLE:
            units.set_duty(session, actor, unit_id, on_duty=False)
            sim.trips.pop(unit_id, None)
            sim.off_when_free.discard(unit_id)
