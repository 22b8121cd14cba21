"""Road graphs built once per test session (Monaco extract and the sample city), cached as files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pingan.geo.graph import RoadGraph
from pingan.geo.osm_import import import_osm
from pingan.geo.travel_time import TravelTimes

DATA = Path(__file__).resolve().parents[1] / "data" / "osm"
MONACO_PBF = DATA / "monaco.osm.pbf"
SAMPLE_OSM = (
    Path(__file__).resolve().parents[2] / "src" / "pingan" / "sim" / "data" / "kangbashi_sample.osm"
)


def _cached(tmp_path_factory, name: str, source: Path) -> dict[str, RoadGraph]:
    folder = tmp_path_factory.mktemp(name)
    graphs = import_osm(source)
    for mode, g in graphs.items():
        g.save(folder / f"{mode}.npz")
    return {mode: RoadGraph.load(folder / f"{mode}.npz") for mode in graphs}


@pytest.fixture(scope="session")
def monaco(tmp_path_factory) -> dict[str, RoadGraph]:
    return _cached(tmp_path_factory, "monaco", MONACO_PBF)


@pytest.fixture(scope="session")
def monaco_drive(monaco) -> TravelTimes:
    return TravelTimes(monaco["drive"])


@pytest.fixture(scope="session")
def sample_city(tmp_path_factory) -> dict[str, RoadGraph]:
    return _cached(tmp_path_factory, "kangbashi", SAMPLE_OSM)
