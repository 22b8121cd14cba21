"""Risk flags for the police station (rules.yaml `risk`): night hours, repeated requests at one
address, a recent incident near it, a requester who does not live there."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.geo.graph import haversine_m_array
from pingan.incidents.models import Incident
from pingan.trust.unlock.models import UnlockRequest
from pingan.trust.unlock.rules import Rules


def is_night(at: datetime, r: Rules) -> bool:
    night = r.risk["night"]
    hour = at.astimezone(ZoneInfo(r.risk["timezone"])).hour
    start, end = int(night["from_hour"]), int(night["to_hour"])
    return hour >= start or hour < end if start > end else start <= hour < end


def _repeats(session: Session, target: str, at: datetime, r: Rules) -> bool:
    spec = r.risk["repeat"]
    since = at - timedelta(days=int(spec["days"]))
    n = session.scalar(
        select(func.count(UnlockRequest.id)).where(
            UnlockRequest.target == target, UnlockRequest.created_at >= since
        )
    )
    return int(n or 0) >= int(spec["at_least"])


def _incident_near(session: Session, point: tuple[float, float], at: datetime, r: Rules) -> bool:
    spec = r.risk["recent_incident"]
    metres = float(spec["within_m"])
    box = metres / 111_000 * 2  # a coarse box the index can use, then the exact distance
    rows = session.execute(
        select(Incident.lon, Incident.lat).where(
            Incident.received_at >= at - timedelta(days=int(spec["days"])),
            Incident.received_at <= at,
            Incident.lat.between(point[1] - box, point[1] + box),
            Incident.lon.between(point[0] - 2 * box, point[0] + 2 * box),
        )
    ).all()
    if not rows:
        return False
    pts = np.asarray(rows, dtype=np.float64)
    return bool((haversine_m_array(point[0], point[1], pts[:, 0], pts[:, 1]) <= metres).any())


def flags(
    session: Session,
    r: Rules,
    *,
    target: str,
    point: tuple[float, float],
    at: datetime,
    lock_type: str,
    entitlement_kinds: set[str],
) -> list[str]:
    """The flags this request raises, in the order rules.yaml lists them."""
    raised = {
        "night": is_night(at, r),
        "repeat": _repeats(session, target, at, r),
        "recent_incident": _incident_near(session, point, at, r),
        "not_occupant": lock_type != "vehicle" and not (entitlement_kinds & r.occupant_kinds),
    }
    return [f for f in r.risk if raised.get(f)]
