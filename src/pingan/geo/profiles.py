"""Speed profiles per travel mode, read from ``speed_profiles.yaml`` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from pingan.geo.graph import GraphError
from pingan.i18n import msg

GRAPH_MODES = ("drive", "walk", "bike")
ALL_MODES = (*GRAPH_MODES, "fly")


class ProfileError(GraphError):
    """A speed profile is unknown or malformed."""


@dataclass(frozen=True, slots=True)
class RoadProfile:
    """How one mode moves on the road graph: speed per highway class and the rules it obeys."""

    name: str
    name_zh: str
    name_en: str
    highway_kmh: dict[str, float]
    oneway: bool
    use_maxspeed: bool
    connector_speed_kmh: float
    access_tags: tuple[str, ...]
    maxspeed_implicit: dict[str, float] = field(default_factory=dict)

    @property
    def top_speed_kmh(self) -> float:
        return max(self.highway_kmh.values())


@dataclass(frozen=True, slots=True)
class FlyProfile:
    """Drones fly straight: time = launch delay + distance ÷ cruise speed."""

    name: str
    name_zh: str
    name_en: str
    speed_kmh: float
    launch_delay_s: float

    def time_s(self, distance_m: float) -> float:
        return self.launch_delay_s + distance_m / (self.speed_kmh / 3.6)


def default_profiles_path() -> Path:
    return Path(str(resources.files("pingan.geo").joinpath("speed_profiles.yaml")))


@cache
def _load(path: str) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return dict(data["profiles"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ProfileError(msg("geo.profiles_unreadable", path=path, exc=exc)) from exc


def profile_names(path: str | Path | None = None) -> tuple[str, ...]:
    return tuple(_load(str(path or default_profiles_path())))


def road_profile(name: str, path: str | Path | None = None) -> RoadProfile:
    """The road profile called ``name`` (drive, walk, bike, or one added to the file)."""
    raw = _raw(name, path)
    if not raw.get("graph", True):
        raise ProfileError(msg("geo.mode_not_on_roads", name=name))
    try:
        speeds = {str(k): float(v) for k, v in raw["highway"].items()}
        if not speeds or min(speeds.values()) <= 0:
            raise ValueError("speeds must be positive")
        return RoadProfile(
            name=name,
            name_zh=str(raw.get("name_zh", name)),
            name_en=str(raw.get("name_en", name)),
            highway_kmh=speeds,
            oneway=bool(raw.get("oneway", True)),
            use_maxspeed=bool(raw.get("use_maxspeed", False)),
            connector_speed_kmh=float(raw.get("connector_speed_kmh", 5.0)),
            access_tags=tuple(raw.get("access_tags", ["access"])),
            maxspeed_implicit={
                str(k): float(v) for k, v in raw.get("maxspeed_implicit", {}).items()
            },
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProfileError(msg("geo.bad_profile", name=name, exc=exc)) from exc


def fly_profile(name: str = "fly", path: str | Path | None = None) -> FlyProfile:
    raw = _raw(name, path)
    try:
        return FlyProfile(
            name=name,
            name_zh=str(raw.get("name_zh", name)),
            name_en=str(raw.get("name_en", name)),
            speed_kmh=float(raw["speed_kmh"]),
            launch_delay_s=float(raw.get("launch_delay_s", 0.0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(msg("geo.bad_profile", name=name, exc=exc)) from exc


def _raw(name: str, path: str | Path | None) -> dict:
    profiles = _load(str(path or default_profiles_path()))
    if name not in profiles:
        known = ", ".join(profiles)
        raise ProfileError(msg("geo.unknown_profile", name=name, known=known))
    return dict(profiles[name])
