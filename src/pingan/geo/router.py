"""HTTP adapter for the map: city facts, key areas and isochrones as GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from shapely.geometry import mapping

from pingan.auth.actor import Actor
from pingan.dispatch import service as dispatch
from pingan.geo.basemap import roads_geojson
from pingan.geo.city import sample_paths
from pingan.geo.gazetteer import Place, gazetteer_for
from pingan.geo.input import validated_point
from pingan.geo.road_names import named_roads, road_name_features
from pingan.http.deps import CityDep, SettingsDep, permit

router = APIRouter(prefix="/geo", tags=["geo 地图"])

SYNTHETIC_NOTICE = {
    "zh": "示例城市：街道由程序生成，并非实地测绘",
    "en": "Sample city: the streets are generated, not surveyed",
}


@router.get("/city", summary="城市与路网信息 / city and road network")
def city_info(city: CityDep, actor: Annotated[Actor, permit("catalogue.read")]) -> dict[str, Any]:
    return {
        "name": city.name,
        "synthetic": city.synthetic,
        "notice": SYNTHETIC_NOTICE if city.synthetic else None,
        "licence": city.licence,
        "bounds": city.bounds,
        "modes": {m: {"nodes": g.n_nodes, "arcs": g.n_arcs} for m, g in city.graphs.items()},
        "key_areas": len(city.key_areas),
    }


@router.get("/roads", summary="路网底图 (GeoJSON) / the road network as the base map")
def roads(
    city: CityDep, settings: SettingsDep, actor: Annotated[Actor, permit("catalogue.read")]
) -> dict[str, Any]:
    """Main and minor roads (class "major" / "minor"), then one feature per named main road
    (class "name", with `name_zh` and `name_en`) for the map's road-name labels."""
    graph = city.graphs.get("drive") or next(iter(city.graphs.values()))
    base = roads_geojson(graph)
    names = named_roads(settings.city_osm or sample_paths()[0])
    return {**base, "features": base["features"] + road_name_features(names)}


@router.get("/key-areas", summary="重点区域 (GeoJSON) / key areas")
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


@router.get("/isochrones", summary="1-3-5分钟可达范围 (GeoJSON) / isochrones")
def isochrones(
    city: CityDep,
    actor: Annotated[Actor, permit("dispatch.read")],
    lon: float,
    lat: float,
    mode: Annotated[str, Query(description="drive / walk / bike")] = "drive",
    tiers: Annotated[list[float] | None, Query(description="秒 / seconds")] = None,
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


def _place(p: Place) -> dict[str, Any]:
    return {
        "code": p.code,
        "kind": p.kind,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "lon": p.lon,
        "lat": p.lat,
    }


@router.get("/places", summary="地名检索（中文、拼音、首字母）/ search named places")
def places(
    city: CityDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("catalogue.read")],
    q: Annotated[str, Query(min_length=1, max_length=50, description="地名、全拼或首字母")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[dict[str, Any]]:
    """Key areas, posts, named roads and crossings whose Chinese name, English name, full
    pinyin or pinyin initials contain `q` (best matches first)."""
    return [_place(p) for p in gazetteer_for(city, settings.city_posts).search(q, limit)]


@router.get("/place-name", summary="坐标点的地名 / name a point for people")
def place_name(
    city: CityDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("catalogue.read")],
    lon: float,
    lat: float,
) -> dict[str, Any]:
    """The crossing, key area, nearby landmark or road a point is at."""
    lon, lat = validated_point(lon, lat)
    named = gazetteer_for(city, settings.city_posts).nearest_place(lon, lat)
    return {
        "name_zh": named.name_zh,
        "name_en": named.name_en,
        "place": _place(named.place) if named.place else None,
        "distance_m": round(named.distance_m, 1),
    }
