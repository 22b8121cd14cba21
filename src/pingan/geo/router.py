"""HTTP adapter for the map: city facts, key areas and isochrones as GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from shapely.geometry import mapping

from pingan.auth.actor import Actor
from pingan.dispatch import service as dispatch
from pingan.geo.basemap import roads_geojson
from pingan.http.deps import CityDep, permit
from pingan.i18n import stored_text

router = APIRouter(prefix="/geo", tags=["geo.tag"])

SYNTHETIC_NOTICE = {
    "zh": "示例城市：街道由程序生成，并非实地测绘",
    "en": "Sample city: the streets are generated, not surveyed",
}


@router.get("/city", summary="geo.api.city_info")
def city_info(city: CityDep, actor: Annotated[Actor, permit("catalogue.read")]) -> dict[str, Any]:
    return {
        "name": city.name,
        "synthetic": city.synthetic,
        "notice": SYNTHETIC_NOTICE if city.synthetic else None,
        "licence": stored_text(city.licence, city.licence),  # a code (synthetic) or as given
        "bounds": city.bounds,
        "modes": {m: {"nodes": g.n_nodes, "arcs": g.n_arcs} for m, g in city.graphs.items()},
        "key_areas": len(city.key_areas),
    }


@router.get("/roads", summary="geo.api.roads")
def roads(city: CityDep, actor: Annotated[Actor, permit("catalogue.read")]) -> dict[str, Any]:
    graph = city.graphs.get("drive") or next(iter(city.graphs.values()))
    return roads_geojson(graph)


@router.get("/key-areas", summary="geo.api.key_areas")
def key_areas(city: CityDep, actor: Annotated[Actor, permit("catalogue.read")]) -> dict[str, Any]:
    features = []
    for a in city.key_areas.values():
        ring = [list(p) for p in a.polygon]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "id": a.code,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "code": a.code,
                    "name_zh": a.name_zh,
                    "name_en": a.name_en,
                    "usable_area_m2": a.usable_area_m2,
                    "instant_capacity": a.instant_capacity,
                    "daily_capacity": a.daily_capacity,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/isochrones", summary="geo.api.isochrones")
def isochrones(
    city: CityDep,
    actor: Annotated[Actor, permit("dispatch.read")],
    lon: float,
    lat: float,
    mode: Annotated[str, Query(description="drive / walk / bike")] = "drive",
    tiers: Annotated[list[float] | None, Query(description="geo.field.tiers")] = None,
) -> dict[str, Any]:
    result = dispatch.isochrones(city, lon, lat, mode, tuple(tiers or (60.0, 180.0, 300.0)))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": mapping(iso.polygon),
                "properties": {
                    "seconds": iso.threshold_s,
                    "mode": mode,
                    "road_length_m": round(iso.road_length_m, 1),
                    "nodes": int(iso.nodes.shape[0]),
                },
            }
            for iso in result
        ],
    }
