from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from pingan.geo.graph import GraphError
from pingan.geo.osm_import import OSM_CREDIT, import_osm, parse_maxspeed, read_ways
from pingan.geo.profiles import ProfileError, fly_profile, road_profile
from pingan.i18n import use_lang

from .conftest import MONACO_PBF


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The errors below are matched in English (their code's English text)."""
    with use_lang("en"):
        yield


IMPLICIT = road_profile("drive").maxspeed_implicit


def _arcs(g):
    return set(zip(g.tails.tolist(), g.indices.tolist(), strict=True))


def test_monaco_graph_sizes_are_plausible(monaco):
    drive, walk, bike = monaco["drive"], monaco["walk"], monaco["bike"]
    assert 11_000 <= drive.n_nodes <= 16_000
    assert 20_000 <= walk.n_nodes <= 27_000
    assert drive.n_arcs < 2 * drive.n_nodes < walk.n_arcs
    assert walk.n_nodes > drive.n_nodes and bike.n_nodes > drive.n_nodes


def test_only_the_largest_strongly_connected_component_is_kept(monaco):
    for g in monaco.values():
        n, _ = connected_components(g.csr_time, directed=True, connection="strong")
        assert n == 1
        assert g.meta["component"] == "largest_strongly_connected"
        assert g.meta["dropped_nodes"] > 0  # Monaco's extract is cut at the border


def test_metadata_carries_source_and_licence(monaco):
    g = monaco["drive"]
    assert g.meta["source"] == "monaco.osm.pbf"
    assert g.meta["licence"] == OSM_CREDIT and "OpenStreetMap" in g.meta["licence"]
    assert g.meta["mode"] == "drive" and g.meta["top_speed_kmh"] == 90.0


def test_one_way_streets_are_respected_for_cars_not_for_walkers(monaco):
    ways, _ = read_ways(MONACO_PBF)
    one_way = next(
        w for w in ways if w.tags.get("oneway") == "yes" and w.tags.get("highway") == "primary"
    )
    drive, walk = monaco["drive"], monaco["walk"]
    d_ids = {int(o): i for i, o in enumerate(drive.osm_id)}
    w_ids = {int(o): i for i, o in enumerate(walk.osm_id)}
    a, b = one_way.refs[0], one_way.refs[1]
    assert (d_ids[a], d_ids[b]) in _arcs(drive)
    assert (d_ids[b], d_ids[a]) not in _arcs(drive)
    assert (w_ids[b], w_ids[a]) in _arcs(walk)


def test_walk_graph_has_no_motorways_and_drive_has_no_footways(monaco):
    ways, _ = read_ways(MONACO_PBF)
    footway = {w.way_id for w in ways if w.tags.get("highway") in ("footway", "steps")}
    motorway = {w.way_id for w in ways if w.tags.get("highway") == "motorway"}
    assert not footway & set(monaco["drive"].way_id.tolist())
    assert not motorway & set(monaco["walk"].way_id.tolist())
    assert footway & set(monaco["walk"].way_id.tolist())


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("50;30", 30.0),
        ("FR:urban", 50.0),
        ("walk", 6.0),
        ("none", None),
        ("", None),
        ("signals", None),
    ],
)
def test_maxspeed_values_parse(value, kmh):
    got = parse_maxspeed(value, IMPLICIT)
    assert got == pytest.approx(kmh) if kmh is not None else got is None


def test_maxspeed_caps_class_speed(tmp_path: Path):
    osm = tmp_path / "tiny.osm"
    osm.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n"
        '<node id="1" lat="39.6" lon="109.78"/><node id="2" lat="39.601" lon="109.78"/>\n'
        '<node id="3" lat="39.602" lon="109.78"/>\n'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/>'
        '<tag k="maxspeed" v="30 mph"/></way>\n'
        '<way id="2"><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/>'
        '<tag k="oneway" v="-1"/></way>\n</osm>\n'
    )
    g = import_osm(osm, ["drive"])["drive"]
    speed = g.length_m / g.time_s * 3.6
    capped = g.way_id == 1
    assert np.allclose(speed[capped], 30 * 1.609344, rtol=1e-3)
    assert np.allclose(speed[~capped], 50.0, rtol=1e-3)
    # oneway=-1 runs against the node order: only 3 -> 2 exists, so 3 is kept only if it
    # can get back -- it cannot, and the strongly connected component drops it.
    assert g.n_nodes == 2 and g.meta["dropped_nodes"] == 1


def test_roundabouts_are_one_way(tmp_path: Path):
    osm = tmp_path / "ring.osm"
    nodes = "".join(
        f'<node id="{i}" lat="{39.6 + 0.001 * np.sin(i)}" lon="{109.78 + 0.001 * np.cos(i)}"/>'
        for i in range(1, 5)
    )
    osm.write_text(
        f'<osm version="0.6">{nodes}<way id="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<nd ref="4"/><nd ref="1"/><tag k="highway" v="secondary"/>'
        '<tag k="junction" v="roundabout"/></way></osm>'
    )
    g = import_osm(osm, ["drive"])["drive"]
    assert g.n_nodes == 4 and g.n_arcs == 4


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage" * 50])
def test_corrupt_or_empty_pbf_is_a_clear_error(tmp_path: Path, content: bytes):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(content)
    with pytest.raises(GraphError, match="OSM"):
        import_osm(bad)


def test_missing_file_and_file_without_roads(tmp_path: Path):
    with pytest.raises(GraphError, match="OSM file not found"):
        import_osm(tmp_path / "nope.osm.pbf")
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"><node id="1" lat="1" lon="1"/></osm>')
    with pytest.raises(GraphError, match="no highway ways"):
        import_osm(empty)


def test_unknown_profile_is_refused_before_reading(tmp_path: Path):
    with pytest.raises(ProfileError, match="unknown profile"):
        import_osm(tmp_path / "whatever.osm", ["hovercraft"])
    with pytest.raises(ProfileError):
        road_profile("fly")
    assert fly_profile().time_s(0.0) == fly_profile().launch_delay_s
