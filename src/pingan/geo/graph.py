"""Compact directed road graph for one travel mode, stored as CSR NumPy arrays.

Every OSM way node is a graph node and every arc joins two consecutive nodes of a way, so
the node chain *is* the edge geometry: a route is drawn by listing its nodes. This keeps
snapping exact (a point snaps onto a straight segment) at the price of ~2× more nodes than a
contracted graph; on city extracts SciPy's Dijkstra is fast enough for that (see
``travel_time``). Arrays are saved with ``np.savez`` (uncompressed), so loading a city graph
is a handful of ``memcpy`` calls (≈ 2 ms for Monaco).
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from pingan.i18n import msg

FORMAT = "pingan-road-graph"
FORMAT_VERSION = 1
EARTH_RADIUS_M = 6371008.8
_ARRAYS = ("lon", "lat", "osm_id", "indptr", "indices", "length_m", "time_s", "way_id")


class GraphError(ValueError):
    """The road graph cannot be built, loaded or used as asked."""


def local_xy(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Equirectangular metres around (lon0, lat0): < 0.1 % error across a city."""
    k = math.pi / 180.0 * EARTH_RADIUS_M
    x = (np.asarray(lon, dtype=np.float64) - lon0) * (k * math.cos(math.radians(lat0)))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * k
    return np.column_stack([x, y])


def haversine_m_array(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Vectorised great-circle distance in metres (same sphere as ``coords.haversine_m``)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Segments:
    """Undirected view of the arcs: one row per pair of adjacent nodes (u < v).

    ``fwd`` is the arc index u→v and ``bwd`` the arc v→u, or -1 where that direction is not
    allowed (a one-way street). Points snap onto segments, then enter/leave by either arc.
    """

    u: np.ndarray
    v: np.ndarray
    fwd: np.ndarray
    bwd: np.ndarray


@dataclass(eq=False)
class RoadGraph:
    """Directed road graph of one travel mode (arrays are read-only after construction).

    ``meta`` carries source, licence credit, mode, profile name, top speed and how many
    nodes were dropped outside the largest strongly connected component.
    """

    lon: np.ndarray  # float64 (n,)
    lat: np.ndarray  # float64 (n,)
    osm_id: np.ndarray  # int64 (n,)
    indptr: np.ndarray  # int32 (n+1,)
    indices: np.ndarray  # int32 (m,)  head node of each arc
    length_m: np.ndarray  # float32 (m,)
    time_s: np.ndarray  # float32 (m,)
    way_id: np.ndarray  # int64 (m,)  OSM way the arc came from
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._validate()
        for name in _ARRAYS:
            getattr(self, name).flags.writeable = False

    # -- shape ---------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return int(self.lon.shape[0])

    @property
    def n_arcs(self) -> int:
        return int(self.indices.shape[0])

    @property
    def mode(self) -> str:
        return str(self.meta.get("mode", ""))

    @property
    def top_speed_mps(self) -> float:
        """Fastest speed any arc allows; a lower bound on travel time is distance ÷ this."""
        return float(self.meta["top_speed_kmh"]) / 3.6

    @property
    def connector_speed_mps(self) -> float:
        return float(self.meta.get("connector_speed_kmh", 5.0)) / 3.6

    def _validate(self) -> None:
        n, m = self.lon.shape[0], self.indices.shape[0]
        if n == 0 or m == 0:
            raise GraphError(msg("geo.graph_empty"))
        ok = (
            self.lat.shape == (n,)
            and self.osm_id.shape == (n,)
            and self.indptr.shape == (n + 1,)
            and self.length_m.shape == (m,)
            and self.time_s.shape == (m,)
            and self.way_id.shape == (m,)
            and int(self.indptr[0]) == 0
            and int(self.indptr[-1]) == m
            and bool(np.all(np.diff(self.indptr) >= 0))
            and int(self.indices.min()) >= 0
            and int(self.indices.max()) < n
            and bool(np.all(self.time_s > 0))
        )
        if not ok:
            raise GraphError(msg("geo.graph_inconsistent"))
        if "top_speed_kmh" not in self.meta:
            raise GraphError(msg("geo.graph_lacks_speed"))

    # -- derived views (computed once, cheap) ---------------------------------------------
    @cached_property
    def tails(self) -> np.ndarray:
        """Tail node of every arc (int32), the inverse of ``indptr``."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int32), np.diff(self.indptr))

    @cached_property
    def csr_time(self) -> csr_matrix:
        """Travel-time matrix (float64, as SciPy's Dijkstra wants it: no per-call copy)."""
        return self._csr(self.time_s)

    @cached_property
    def csr_time_reversed(self) -> csr_matrix:
        """Transposed travel-time matrix: Dijkstra on it gives times *to* a node."""
        return self.csr_time.T.tocsr()

    def csr_with_slots(self, slots: int, *, reverse: bool = False) -> csr_matrix:
        """A fresh copy of the travel-time matrix (or its transpose) with ``slots`` extra nodes.

        Nodes ``n … n + slots - 1`` are virtual query points with two arcs each, stored after
        the ``nnz`` arcs of the plain matrix; they start as self-loops (never relaxed:
        Dijkstra skips a settled node) and a query overwrites them in place. No arc enters a
        virtual node, so the stale arcs of unused slots are never reached. Built once per
        thread and reused, this replaces a ~100 µs CSR rebuild on every search.
        """
        base = self.csr_time_reversed if reverse else self.csr_time
        n, m = self.n_nodes, base.nnz
        own = np.repeat(np.arange(n, n + slots, dtype=np.int32), 2)
        indptr = np.concatenate(
            [base.indptr.astype(np.int32), m + 2 * np.arange(1, slots + 1, dtype=np.int32)]
        )
        indices = np.concatenate([base.indices.astype(np.int32), own])
        data = np.concatenate([base.data, np.zeros(2 * slots)])
        return csr_matrix((data, indices, indptr), shape=(n + slots, n + slots), copy=False)

    def _csr(self, weights: np.ndarray) -> csr_matrix:
        n = self.n_nodes
        return csr_matrix(
            (weights.astype(np.float64), self.indices.copy(), self.indptr.copy()), shape=(n, n)
        )

    @cached_property
    def origin(self) -> tuple[float, float]:
        """Centre of the bounding box; the origin of ``local_xy`` projections."""
        return (
            float((self.lon.min() + self.lon.max()) / 2),
            float((self.lat.min() + self.lat.max()) / 2),
        )

    @cached_property
    def xy(self) -> np.ndarray:
        """Node positions in local metres (n, 2)."""
        return local_xy(self.lon, self.lat, *self.origin)

    @cached_property
    def segments(self) -> Segments:
        t, h = self.tails.astype(np.int64), self.indices.astype(np.int64)
        lo, hi = np.minimum(t, h), np.maximum(t, h)
        key = lo * self.n_nodes + hi
        uniq, inv = np.unique(key, return_inverse=True)
        k = uniq.shape[0]
        fwd = np.full(k, -1, dtype=np.int64)
        bwd = np.full(k, -1, dtype=np.int64)
        arcs = np.arange(self.n_arcs)
        is_fwd = t < h
        fwd[inv[is_fwd]] = arcs[is_fwd]
        bwd[inv[~is_fwd]] = arcs[~is_fwd]
        return Segments(
            u=(uniq // self.n_nodes).astype(np.int32),
            v=(uniq % self.n_nodes).astype(np.int32),
            fwd=fwd,
            bwd=bwd,
        )

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write one uncompressed ``.npz`` file (fast to load) and return its path."""
        path = Path(path)
        header = {"format": FORMAT, "version": FORMAT_VERSION, "meta": self.meta}
        blob = np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8)
        with path.open("wb") as fh:
            np.savez(fh, header=blob, **{name: getattr(self, name) for name in _ARRAYS})
        return path

    @classmethod
    def load(cls, path: str | Path) -> RoadGraph:
        """Read a file written by ``save``; anything else raises ``GraphError``."""
        path = Path(path)
        if not path.is_file():
            raise GraphError(msg("geo.graph_not_found", path=path))
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(bytes(z["header"]).decode())
                arrays = {name: np.array(z[name]) for name in _ARRAYS}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise GraphError(msg("geo.graph_corrupt", path=path, exc=exc)) from exc
        if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION:
            raise GraphError(
                msg(
                    "geo.graph_unsupported",
                    path=path,
                    format=header.get("format"),
                    version=header.get("version"),
                )
            )
        return cls(**arrays, meta=dict(header.get("meta", {})))

    def __repr__(self) -> str:
        return (
            f"RoadGraph(mode={self.mode!r}, nodes={self.n_nodes}, arcs={self.n_arcs}, "
            f"source={self.meta.get('source')!r})"
        )
