"""The city the platform serves: its road graphs per travel mode and its key areas.

A city is an OSM extract (`.osm`/`.osm.pbf`) plus a key-area file (YAML). The built-in sample
is the synthetic Kangbashi in `pingan/sim/data/`; a bureau points PINGAN_CITY_OSM and
PINGAN_CITY_AREAS at its own. Graphs are compiled once and cached in the data directory under
a hash of the OSM file and the speed profiles, so a restart loads them in milliseconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pingan.dispatch.recommend import Travel
from pingan.geo.area import ServiceArea
from pingan.geo.graph import GraphError, RoadGraph
from pingan.geo.osm_import import GRAPH_MODES, import_osm
from pingan.geo.profiles import default_profiles_path, fly_profile
from pingan.geo.travel_time import TravelTimes

SAMPLE_OSM = "kangbashi_sample.osm"
SAMPLE_AREAS = "kangbashi_key_areas.yaml"


@dataclass(frozen=True, slots=True)
class KeyArea:
    """A zone watched for crowds and risk (重点区域), with its LB/T 034 capacities."""

    code: str
    name_zh: str
    name_en: str
    polygon: tuple[tuple[float, float], ...]  # (lon, lat) ring
    usable_area_m2: float | None = None
    instant_capacity: int | None = None
    daily_capacity: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class City:
    name: str
    synthetic: bool
    licence: str
    graphs: dict[str, RoadGraph]
    travel: Travel
    key_areas: dict[str, KeyArea]
    osm_path: Path | None = None  # the extract the graphs came from (the gazetteer's roads)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the drive network."""
        g = self.graphs.get("drive") or next(iter(self.graphs.values()))
        return (float(g.lon.min()), float(g.lat.min()), float(g.lon.max()), float(g.lat.max()))

    def service_area(self, margin_km: float) -> ServiceArea:
        """Where places are accepted: the network's bounds widened by `margin_km`."""
        return ServiceArea.around(self.bounds, margin_km)


def sample_paths() -> tuple[Path, Path]:
    data = resources.files("pingan.sim") / "data"
    return Path(str(data / SAMPLE_OSM)), Path(str(data / SAMPLE_AREAS))


def _fingerprint(osm: Path) -> str:
    h = hashlib.sha256()
    h.update(osm.read_bytes())
    h.update(default_profiles_path().read_bytes())
    return h.hexdigest()[:16]


def compile_graphs(
    osm: Path, cache_dir: Path | None, modes: tuple[str, ...] = GRAPH_MODES
) -> dict[str, RoadGraph]:
    """Graphs for each mode: from the cache when the OSM file and profiles are unchanged."""
    if cache_dir is None:
        return import_osm(osm, modes)
    key = _fingerprint(osm)
    paths = {m: cache_dir / f"{osm.name}.{key}.{m}.npz" for m in modes}
    if all(p.exists() for p in paths.values()):
        try:
            return {m: RoadGraph.load(p) for m, p in paths.items()}
        except GraphError:
            pass  # a damaged cache file: rebuild below
    graphs = import_osm(osm, modes)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for m, g in graphs.items():
        g.save(paths[m])
    return graphs


def load_key_areas(path: Path) -> tuple[dict[str, KeyArea], dict[str, Any]]:
    """Key areas from a YAML file (a `key_areas:` list); raises ValueError with the reason."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        areas = {}
        for a in raw.get("key_areas", []):
            known = {
                "code",
                "name_zh",
                "name_en",
                "polygon",
                "usable_area_m2",
                "instant_capacity",
                "daily_capacity",
            }
            areas[a["code"]] = KeyArea(
                code=str(a["code"]),
                name_zh=str(a["name_zh"]),
                name_en=str(a["name_en"]),
                polygon=tuple((float(p[0]), float(p[1])) for p in a["polygon"]),
                usable_area_m2=a.get("usable_area_m2"),
                instant_capacity=a.get("instant_capacity"),
                daily_capacity=a.get("daily_capacity"),
                extra={k: v for k, v in a.items() if k not in known},
            )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"重点区域文件格式错误: {path} / malformed key-area file: {exc}") from exc
    return areas, raw


def configured_key_areas(
    osm: Path | None, areas: Path | None
) -> tuple[dict[str, KeyArea], dict[str, Any]]:
    """The configured city's key areas without its road graphs (reports need only these):
    the given file, else the sample's when the city is the sample, else none."""
    default_osm, default_areas = sample_paths()
    if areas is None and (osm is None or osm == default_osm):
        areas = default_areas
    return load_key_areas(areas) if areas else ({}, {})


def load_city(
    osm: Path | None = None, areas: Path | None = None, *, cache_dir: Path | None = None
) -> City:
    """Load the configured city, or the built-in synthetic sample when none is given."""
    osm = osm or sample_paths()[0]
    graphs = compile_graphs(osm, cache_dir)
    key_areas, raw = configured_key_areas(osm, areas)
    meta = next(iter(graphs.values())).meta
    return City(
        name=str(raw.get("city") or osm.stem),
        synthetic=bool(raw.get("synthetic")) or "SYNTHETIC" in str(meta.get("generator", "")),
        licence=str(meta.get("licence", "")),
        graphs=graphs,
        travel=Travel(roads={m: TravelTimes(g) for m, g in graphs.items()}, fly=fly_profile()),
        key_areas=key_areas,
        osm_path=osm,
    )
