"""The road network as GeoJSON: the command map's base layer (police networks have no tiles)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pingan.geo.graph import RoadGraph

MAJOR_KMH = 40.0  # a segment this fast or faster is drawn as a main road


def roads_geojson(graph: RoadGraph) -> dict[str, Any]:
    """Two MultiLineStrings (main and minor roads), one line per undirected segment.

    Coordinates are rounded to 6 decimals (about 0.1 m): the sample city's network stays a
    few hundred kilobytes and draws in one pass.
    """
    seg = graph.segments
    arc = np.where(seg.fwd >= 0, seg.fwd, seg.bwd)
    kmh = graph.length_m[arc] / np.maximum(graph.time_s[arc], 1e-3) * 3.6
    lon, lat = np.round(graph.lon, 6), np.round(graph.lat, 6)
    features = []
    for cls, mask in (("major", kmh >= MAJOR_KMH), ("minor", kmh < MAJOR_KMH)):
        u, v = seg.u[mask], seg.v[mask]
        lines = np.stack(
            [np.stack([lon[u], lat[u]], axis=1), np.stack([lon[v], lat[v]], axis=1)], axis=1
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines.tolist()},
                "properties": {"class": cls, "segments": int(mask.sum())},
            }
        )
    return {"type": "FeatureCollection", "features": features}
