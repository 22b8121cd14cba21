"""Incident types and response targets, read from the package's data files."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml

from pingan.errors import ValidationFailed


class Source(StrEnum):
    """How an incident reached the police."""

    CALL_110 = "call_110"
    WALK_IN = "walk_in"
    CITIZEN_APP = "citizen_app"
    VIDEO_ANALYTICS = "video_analytics"
    DEVICE = "device"  # robot, drone, body camera
    OFFICER = "officer"  # officer-initiated (自行发现)
    SENSOR = "sensor"  # crowd counters and other monitoring (客流监测)


SOURCE_NAMES_ZH = {
    Source.CALL_110: "110报警",
    Source.WALK_IN: "来所报警",
    Source.CITIZEN_APP: "群众APP",
    Source.VIDEO_ANALYTICS: "视频分析",
    Source.DEVICE: "警用设备",
    Source.OFFICER: "民警自行发现",
    Source.SENSOR: "客流监测",
}


@dataclass(frozen=True, slots=True)
class IncidentType:
    code: str
    name_zh: str
    name_en: str
    priority: int
    capabilities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResponseTier:
    code: str
    seconds: float | None  # None for "late"
    name_zh: str
    name_en: str


def _read_yaml(name: str) -> dict:
    return yaml.safe_load(resources.files("pingan.incidents").joinpath(name).read_text("utf-8"))


@cache
def incident_types() -> dict[str, IncidentType]:
    out: dict[str, IncidentType] = {}
    for code, spec in _read_yaml("types.yaml").items():
        priority = int(spec["priority"])
        if priority not in (1, 2, 3, 4):
            raise ValueError(f"incident type {code}: priority must be 1-4")
        out[code] = IncidentType(
            code=code,
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            priority=priority,
            capabilities=tuple(spec.get("capabilities") or ()),
        )
    return out


def known_type(code: str) -> IncidentType:
    """The incident type with this code, or a 422 listing the known ones."""
    types = incident_types()
    if code not in types:
        raise ValidationFailed(
            f"未知警情类别 {code}；可选: {', '.join(types)} / unknown incident type",
            code="unknown_incident_type",
        )
    return types[code]


@cache
def response_tiers() -> tuple[tuple[ResponseTier, ...], ResponseTier]:
    """The ordered 1/3/5-minute tiers and the 'late' class."""
    raw = _read_yaml("response_targets.yaml")
    tiers = tuple(
        ResponseTier(t["code"], float(t["seconds"]), t["name_zh"], t["name_en"])
        for t in sorted(raw["tiers"], key=lambda t: t["seconds"])
    )
    late = raw["late"]
    return tiers, ResponseTier(late["code"], None, late["name_zh"], late["name_en"])


def classify_response(seconds: float) -> ResponseTier:
    """The first tier whose target the response time meets, else 'late'."""
    tiers, late = response_tiers()
    for tier in tiers:
        if seconds <= tier.seconds:  # type: ignore[operator]
            return tier
    return late


@dataclass(frozen=True, slots=True)
class ReportChecks:
    """Limits on client-given times and the arrival check, from checks.yaml."""

    clock_skew_s: float
    received_backdate_max_s: float
    received_backdate_system_max_s: float
    arrival_max_distance_m: float
    arrival_fix_max_age_s: float


@cache
def report_checks() -> ReportChecks:
    raw = _read_yaml("checks.yaml")
    values = {name: float(raw[name]) for name in ReportChecks.__slots__}  # type: ignore[attr-defined]
    if any(v < 0 for v in values.values()):
        raise ValueError("checks.yaml: every limit must be zero or more")
    return ReportChecks(**values)
