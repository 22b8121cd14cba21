"""What the store says about how busy units are and how long calls wait (store reads for
``busy.py``): assignments dispatch → release per unit kind, and the incidents' received →
dispatched → acknowledged times. A demo's samples and merged calls are not history."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.deployment import busy, settings
from pingan.dispatch.kpi import LOCAL_TZ
from pingan.incidents.models import Assignment, Incident
from pingan.units.models import Unit


@dataclass(frozen=True, slots=True)
class BusyModel:
    """Busy fraction per kind for each local hour, the delays, and the window measured."""

    q: dict[str, list[float]]
    delays: busy.Delays
    since: datetime
    until: datetime
    spells: int
    travel_overrun_s: float | None = None  # median travelled − predicted (verified arrivals)
    travel_overrun_n: int = 0

    def describe(self, hours: Sequence[int]) -> dict:
        """What a plan records about the model it was judged by."""
        return {
            "model": "MEXCLP (Daskin 1983), busy fraction per kind, shift hours",
            "busy_q": {k: round(v, 4) for k, v in busy.shift_mean(self.q, hours).items()},
            "spells": self.spells,
            "window": [self.since.isoformat(), self.until.isoformat()],
            "handling_s": round(self.delays.handling_s, 1),
            "acknowledge_s": round(self.delays.acknowledge_s, 1),
            "set_off_s": round(self.delays.set_off_s, 1),
            "delay_sources": self.delays.sources,
            "wait_quantiles_s": [round(v, 1) for v in self.delays.samples],
            "travel_overrun_s": None
            if self.travel_overrun_s is None
            else round(self.travel_overrun_s, 1),
            "travel_overrun_n": self.travel_overrun_n,
        }


def _real(query):  # type: ignore[no-untyped-def]
    return query.where(Incident.sample.is_(False), Incident.merged_into_id.is_(None))


def busy_model(session: Session, now: datetime, units: Sequence[Unit]) -> BusyModel:
    """Busy fractions and delays from the last ``busy.history_days`` up to ``now``, with the
    units on duty now as the denominator per kind."""
    cfg = settings.busy()
    since = now - timedelta(days=int(cfg["history_days"]))
    rows = session.execute(
        _real(
            select(Unit.kind, Assignment.dispatched_at, Assignment.released_at)
            .join(Unit, Unit.id == Assignment.unit_id)
            .join(Incident, Incident.id == Assignment.incident_id)
            .where(Assignment.dispatched_at >= since, Assignment.dispatched_at < now)
        )
    ).all()
    # a unit still on its call is busy until now
    spells = [busy.BusySpell(k, a, min(r or now, now)) for k, a, r in rows]
    # the window starts at the first call the store holds (a young store, a simulated day):
    # hours before it were not observed, not quiet
    first_call = session.scalar(
        _real(select(func.min(Incident.received_at)).where(Incident.received_at >= since))
    )
    first = min([s.start for s in spells] + ([first_call] if first_call else []), default=now)
    on_duty = Counter(u.kind for u in units)
    q = busy.busy_fractions(
        spells,
        on_duty,
        first,
        now,
        LOCAL_TZ,
        fallback=cfg["fallback_q"],
        default=float(cfg["default_q"]),
        cap=float(cfg["cap_q"]),
    )
    times = session.execute(
        _real(
            select(Incident.received_at, Incident.dispatched_at, Incident.acknowledged_at).where(
                Incident.received_at >= since,
                Incident.received_at < now,
                Incident.dispatched_at.is_not(None),
            )
        )
    ).all()
    handling = [(d - r).total_seconds() for r, d, _ in times]
    ack = [(a - d).total_seconds() for _, d, a in times if a is not None]
    moves = session.execute(
        _real(
            select(
                Assignment.acknowledged_at,
                Assignment.en_route_at,
                Assignment.on_scene_at,
                Assignment.eta_s,
                Assignment.arrival_check,
            )
            .join(Incident, Incident.id == Assignment.incident_id)
            .where(Assignment.dispatched_at >= since, Assignment.dispatched_at < now)
        )
    ).all()
    set_off = [(e - a).total_seconds() for a, e, *_ in moves if a and e]
    # travelled − predicted on verified arrivals: reported beside the figure, not applied
    # (the planner's travel times are the platform's; a bias belongs in the speed model)
    overrun = [(o - e).total_seconds() - eta for _, e, o, eta, c in moves
               if e and o and eta is not None and c == "verified"]  # fmt: skip
    first_moved = session.execute(
        _real(
            select(Incident.received_at, Incident.en_route_at, Incident.on_scene_at).where(
                Incident.received_at >= since,
                Incident.received_at < now,
                (Incident.en_route_at.is_not(None)) | (Incident.on_scene_at.is_not(None)),
            )
        )
    ).all()
    waits = [((e or o) - r).total_seconds() for r, e, o in first_moved]
    delays = busy.median_delays(
        handling, ack, set_off, cfg["fallback_delays"], waits, int(cfg["wait_quantiles"])
    )
    overrun_s = statistics.median(overrun) if overrun else None
    return BusyModel(q, delays, first, now, len(spells), overrun_s, len(overrun))
