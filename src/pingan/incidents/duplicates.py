"""Duplicate calls (重复报警): open incidents a new call is probably about.

One event draws many calls; entering each as its own incident sends units twice and inflates
the counts. Before a call is entered, the form asks which open incidents are of the same type
(or family, duplicates.yaml), near in place and recent; the call-taker then attaches the call
to one of them instead (``service.attach_call``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.base import utcnow
from pingan.geo.coords import haversine_m
from pingan.geo.input import validated_point
from pingan.incidents.catalogue import known_type
from pingan.incidents.lifecycle import ACTIVE
from pingan.incidents.models import Incident


@dataclass(frozen=True, slots=True)
class Thresholds:
    window_s: float
    distance_m: float


@dataclass(frozen=True, slots=True)
class Rules:
    default: Thresholds
    by_type: dict[str, Thresholds]
    families: dict[str, frozenset[str]]

    def for_type(self, type_code: str) -> Thresholds:
        return self.by_type.get(type_code, self.default)

    def related(self, type_code: str) -> frozenset[str]:
        """The type itself and every type sharing a family with it."""
        out = {type_code}
        for members in self.families.values():
            if type_code in members:
                out |= members
        return frozenset(out)


@cache
def rules() -> Rules:
    raw = yaml.safe_load(
        resources.files("pingan.incidents").joinpath("duplicates.yaml").read_text("utf-8")
    )
    default = Thresholds(float(raw["window_s"]), float(raw["distance_m"]))
    by_type = {
        code: Thresholds(
            float(spec.get("window_s", default.window_s)),
            float(spec.get("distance_m", default.distance_m)),
        )
        for code, spec in (raw.get("by_type") or {}).items()
    }
    families = {k: frozenset(v) for k, v in (raw.get("families") or {}).items()}
    return Rules(default, by_type, families)


@dataclass(frozen=True, slots=True)
class Duplicate:
    incident: Incident
    distance_m: float
    same_type: bool


def find_duplicates(
    session: Session,
    actor: Actor,
    type_code: str,
    lon: float,
    lat: float,
    *,
    now: datetime | None = None,
    limit: int = 5,
) -> list[Duplicate]:
    """Open incidents a call of `type_code` at (lon, lat) may repeat: same type first, then
    nearest. Each candidate is judged by the thresholds of its own type (the wider of a
    crowding report's radius applies to the crowding incident, whoever calls)."""
    require(actor, "incident.merge")
    known_type(type_code)
    lon, lat = validated_point(lon, lat)
    now = now or utcnow()
    r = rules()
    related = r.related(type_code)
    widest = max([r.for_type(t).window_s for t in related] + [r.default.window_s])
    rows = session.execute(
        select(Incident).where(
            Incident.type_code.in_(related),
            Incident.state.in_([s.value for s in ACTIVE]),
            Incident.received_at >= now - timedelta(seconds=widest),
        )
    ).scalars()
    out = []
    for inc in rows:
        limits = r.for_type(inc.type_code)
        d = haversine_m(lon, lat, inc.lon, inc.lat)
        age = (now - inc.received_at).total_seconds()
        if d <= limits.distance_m and age <= limits.window_s:
            out.append(Duplicate(inc, d, inc.type_code == type_code))
    out.sort(key=lambda x: (not x.same_type, x.distance_m))
    return out[:limit]
