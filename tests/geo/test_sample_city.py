import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
import yaml

from pingan.geo.osm_import import SYNTHETIC_CREDIT, read_ways
from pingan.geo.travel_time import TravelTimes

from .conftest import SAMPLE_OSM

ROOT = Path(__file__).resolve().parents[2]
AREAS = ROOT / "src" / "pingan" / "sim" / "data" / "kangbashi_key_areas.yaml"


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location(
        "make_sample_city", ROOT / "scripts" / "make_sample_city.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_city"] = module
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_matches_the_committed_files(generator):
    osm1, areas1 = generator.build(generator.SEED)
    osm2, areas2 = generator.build(generator.SEED)
    assert osm1 == osm2 and areas1 == areas2
    assert SAMPLE_OSM.read_text(encoding="utf-8") == osm1
    assert AREAS.read_text(encoding="utf-8") == areas1
    other, _ = generator.build(generator.SEED + 1)
    assert other != osm1


def test_files_say_they_are_synthetic():
    head = SAMPLE_OSM.read_text(encoding="utf-8")[:600]
    assert "合成数据" in head and "SYNTHETIC" in head
    areas = AREAS.read_text(encoding="utf-8")
    assert "合成数据" in areas[:300] and "SYNTHETIC" in areas[:300]


def test_sample_city_loads_through_the_importer(sample_city):
    drive, walk = sample_city["drive"], sample_city["walk"]
    assert 800 < drive.n_nodes < 5000 and walk.n_nodes > drive.n_nodes
    assert drive.meta["licence"] == SYNTHETIC_CREDIT
    assert 109.72 < drive.lon.mean() < 109.84 and 39.57 < drive.lat.mean() < 39.64
    assert SAMPLE_OSM.stat().st_size < 400_000


def test_lake_is_crossed_only_by_bridges(sample_city):
    ways, _ = read_ways(SAMPLE_OSM)
    names = {w.tags.get("name") for w in ways if w.tags.get("bridge") == "yes"}
    assert names == {"一号桥", "二号桥", "三号桥", "四号桥"}
    roads = [w for w in ways if w.tags.get("bridge") != "yes"]
    lake_ways = [w for w in ways if w.tags.get("natural") == "water"]
    assert not lake_ways  # read_ways keeps highways only; the lake is a barrier, not a road
    engine = TravelTimes(sample_city["drive"])
    north, south = (109.78, 39.605), (109.78, 39.575)
    route = engine.route(north, south)
    bridge_ways = {w.way_id for w in ways if w.tags.get("bridge") == "yes"}
    g = engine.graph
    arcs = engine._arcs(route.nodes)
    assert bridge_ways & set(g.way_id[arcs].tolist())
    assert roads


def test_central_axis_is_for_pedestrians_only(sample_city):
    ways, _ = read_ways(SAMPLE_OSM)
    axis = next(w for w in ways if w.tags.get("name") == "中轴线")
    assert axis.way_id not in set(sample_city["drive"].way_id.tolist())
    assert axis.way_id in set(sample_city["walk"].way_id.tolist())


def test_key_areas_have_consistent_capacities():
    data = yaml.safe_load(AREAS.read_text(encoding="utf-8"))
    areas = {a["code"]: a for a in data["key_areas"]}
    assert set(areas) == {
        "music_fountain", "lakeside", "bridge_3", "central_square",
        "museum", "theatre", "shopping_street",
    }  # fmt: skip
    for a in areas.values():
        assert a["name_zh"] and a["name_en"]
        poly = shapely.Polygon(a["polygon"])
        assert poly.is_valid and poly.area > 0
        assert a["instant_capacity"] == int(a["usable_area_m2"] // a["m2_per_visitor"])
        assert a["daily_capacity"] == a["instant_capacity"] * a["turnover"]
    assert areas["bridge_3"]["name_zh"] == "三号桥"
    centre = np.mean(areas["central_square"]["polygon"], axis=0)
    assert abs(centre[0] - 109.78) < 0.01 and abs(centre[1] - 39.61) < 0.01
