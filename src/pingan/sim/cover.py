"""The simulated dispatcher's cover moves (动中备勤): once a simulated minute, the move-up
recommender's view of the key areas (counted as uncovered area-minutes, whether or not moves
are accepted, so a run with and without move-ups is measured the same way) and, when the day
runs with move-ups, the proposals accepted after the dispatcher's usual delay. The unit then
drives to its cover point (`DaySimulation.home_of`), and home again once released.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pingan.dispatch import cover
from pingan.units import service as units

if TYPE_CHECKING:
    from pingan.sim.day import DaySimulation


def cover_moves(sim: DaySimulation, session: Session, t: datetime, dt: float) -> None:
    """Measure the circles each minute; accept the proposals that have stood the delay."""
    from pingan.sim.day import DISPATCHER, _halt

    if int(t.timestamp()) // 60 == int((t - timedelta(seconds=dt)).timestamp()) // 60:
        return
    advice = cover.moveups(session, DISPATCHER, sim.city, at=t)
    for lost in advice.uncovered.values():
        for tier in lost:
            key = f"tier{round(tier / 60)}"
            sim.figures.uncovered_minutes[key] = sim.figures.uncovered_minutes.get(key, 0) + 1
    delay = sim.config.dispatcher_delay_s
    if not sim.config.moveups or delay is None:
        return
    seen = {}
    for p in advice.proposals:
        key = (p.unit_id, round(p.to.lon, 5), round(p.to.lat, 5))
        seen[key] = first = sim.cover_seen.get(key, t)
        if (t - first).total_seconds() < delay:
            continue
        unit = units.get_unit(session, int(p.unit_id))
        cover.accept(session, DISPATCHER, sim.city, unit.id, lon=p.to.lon, lat=p.to.lat,
                     area_code=p.area_code, note=p.text_zh[:200])  # fmt: skip
        session.commit()
        trip = sim.trips.get(unit.id)
        if trip is not None and trip.incident_id is None:
            _halt(sim, unit, t)  # off its patrol loop or way home: the cover point now
        sim.figures.moveups += 1
        seen.pop(key)
    sim.cover_seen = seen
