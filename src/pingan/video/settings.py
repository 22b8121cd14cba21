"""Video patrol settings, read once from patrol.yaml into plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cache
from importlib import resources
from typing import Any

import yaml

from pingan.video.detectors import FrameRules
from pingan.video.rota import Peak, RotaRules


@dataclass(frozen=True, slots=True)
class GatheringRules:
    alert_level: str
    min_people: int
    repeat_min: float


@dataclass(frozen=True, slots=True)
class RunningRules:
    speed_m_s: float
    max_match_m: float
    min_people: int


@cache
def raw() -> dict[str, Any]:
    text = resources.files("pingan.video").joinpath("patrol.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _clock(text: str) -> time:
    hh, mm = text.split(":")
    return time(int(hh), int(mm))


@cache
def rota_rules() -> RotaRules:
    r = raw()["rota"]
    return RotaRules(
        base_interval_min=float(r["base_interval_min"]),
        min_interval_min=float(r["min_interval_min"]),
        capacity_per_min=int(r["capacity_per_min"]),
        peaks=tuple(
            Peak(_clock(p["start"]), _clock(p["end"]), float(p["factor"]), p["name_zh"])
            for p in r.get("peaks") or ()
        ),
        timezone=r["timezone"],
    )


def area_weight(area_code: str | None, *, premises: bool = False) -> float:
    """Risk weight of a camera: its key area's, or the premises weight."""
    r = raw()["rota"]
    if premises and area_code is None:
        return float(r["premises_weight"])
    return float((r.get("area_weight") or {}).get(area_code or "", r["default_weight"]))


@cache
def gathering_rules() -> GatheringRules:
    g = raw()["gathering"]
    return GatheringRules(g["alert_level"], int(g["min_people"]), float(g["repeat_min"]))


@cache
def running_rules() -> RunningRules:
    g = raw()["running"]
    return RunningRules(float(g["speed_m_s"]), float(g["max_match_m"]), int(g["min_people"]))


def intrusion_min_mass() -> float:
    return float(raw()["intrusion"]["min_mass"])


@cache
def frame_rules() -> FrameRules:
    f = raw()["frames"]
    return FrameRules(int(f["min_width"]), int(f["min_height"]), float(f["blank_std"]))


def grab_timeout_s() -> float:
    return float(raw()["frames"]["grab_timeout_s"])


def detector_options(kind: str) -> dict[str, Any]:
    return dict(raw()["detectors"][kind])
