import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from pingan.geo.graph import GraphError, RoadGraph
from pingan.i18n import use_lang


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The errors below are matched in English (their code's English text)."""
    with use_lang("en"):
        yield


def test_save_load_round_trip_is_exact_and_fast(monaco, tmp_path: Path):
    g = monaco["drive"]
    path = g.save(tmp_path / "drive.npz")
    t0 = time.perf_counter()
    h = RoadGraph.load(path)
    assert time.perf_counter() - t0 < 0.5
    for name in ("lon", "lat", "osm_id", "indptr", "indices", "length_m", "time_s", "way_id"):
        a, b = getattr(g, name), getattr(h, name)
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert h.meta == g.meta
    assert g.indptr.dtype == np.int32 and g.time_s.dtype == np.float32
    assert g.lon.dtype == np.float64


def test_arrays_are_read_only(monaco):
    with pytest.raises(ValueError):
        monaco["drive"].time_s[0] = 1.0


@pytest.mark.parametrize("content", [b"", b"not a zip at all"])
def test_corrupt_graph_file_is_a_clear_error(tmp_path: Path, content: bytes):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    with pytest.raises(GraphError, match="corrupt"):
        RoadGraph.load(bad)


def test_other_npz_and_missing_file_are_refused(tmp_path: Path):
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    with pytest.raises(GraphError):
        RoadGraph.load(other)
    with pytest.raises(GraphError, match="not found"):
        RoadGraph.load(tmp_path / "missing.npz")


def test_inconsistent_arrays_are_refused(monaco):
    g = monaco["drive"]
    with pytest.raises(GraphError, match="empty"):
        RoadGraph(
            g.lon[:0], g.lat[:0], g.osm_id[:0], g.indptr[:1], g.indices[:0],
            g.length_m[:0], g.time_s[:0], g.way_id[:0], g.meta,
        )  # fmt: skip
    with pytest.raises(GraphError, match="inconsistent"):
        RoadGraph(
            g.lon, g.lat, g.osm_id, g.indptr, g.indices, g.length_m, -g.time_s, g.way_id, g.meta
        )
