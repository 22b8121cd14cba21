"""Unit kinds and statuses, read from kinds.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    OFF_DUTY = "off_duty"


STATUS_NAMES_ZH = {
    UnitStatus.AVAILABLE: "空闲",
    UnitStatus.DISPATCHED: "已派",
    UnitStatus.EN_ROUTE: "途中",
    UnitStatus.ON_SCENE: "到场",
    UnitStatus.OFF_DUTY: "下班",
}


@dataclass(frozen=True, slots=True)
class UnitKind:
    code: str
    name_zh: str
    name_en: str
    mode: str
    crew: int
    police: bool
    capabilities: tuple[str, ...]
    attends: tuple[str, ...] | None = None  # incident types it may be sent to; None: all

    def may_attend(self, incident_type: str) -> bool:
        """Whether this kind may be sent to an incident of that type (its remit)."""
        return self.attends is None or incident_type in self.attends


def _attends(raw: object) -> tuple[str, ...] | None:
    if raw is None or raw == "all":
        return None
    return tuple(raw)  # type: ignore[arg-type]


def may_attend(kind: str, incident_type: str) -> bool:
    """A kind outside the catalogue may attend nothing; see ``UnitKind.may_attend``."""
    spec = unit_kinds().get(kind)
    return spec is not None and spec.may_attend(incident_type)


@cache
def unit_kinds() -> dict[str, UnitKind]:
    raw = yaml.safe_load(resources.files("pingan.units").joinpath("kinds.yaml").read_text("utf-8"))
    return {
        code: UnitKind(
            code=code,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            mode=spec["mode"],
            crew=int(spec["crew"]),
            police=bool(spec["police"]),
            capabilities=tuple(spec.get("capabilities") or ()),
            attends=_attends(spec.get("attends")),
        )
        for code, spec in raw.items()
    }


@cache
def outside_incident_fleet() -> tuple[str, ...]:
    """Kinds sent to no incident (a filed locksmith's van): the bureau's cover, move-ups,
    deployment plans and duty rosters leave them out, or a locksmith would count as police
    cover and be planned onto a post."""
    return tuple(sorted(code for code, kind in unit_kinds().items() if kind.attends == ()))
