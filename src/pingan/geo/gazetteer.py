"""The city's named places (地名库): key areas, posts, named roads and their crossings.

A call-taker types what the caller says — "音乐喷泉", "经4路", or on a Latin keyboard
"yyps" / "yinyuepenquan" — and picks the place; a point is named back for people
("经4路与纬3路交叉口", "音乐喷泉附近") instead of a node number. Sources: the key-area file,
the posts file and the ``name`` / ``name:en`` tags of the OSM extract's highways (a crossing
is a node shared by two differently named roads). Pinyin comes from ``pypinyin``, which
reads polyphonic characters by phrase (音乐 → yinyue, not yinle).
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import yaml
from pypinyin import lazy_pinyin
from shapely.geometry import Point, Polygon

from pingan.geo.city import City, sample_paths
from pingan.geo.graph import local_xy
from pingan.geo.road_names import city_ways
from pingan.i18n import text

SAMPLE_POSTS = "kangbashi_posts.yaml"
KINDS = ("key_area", "post", "road", "crossing")  # search ranks kinds in this order

# Naming a point: a crossing this close is where the point is (a junction is ~30 m across);
# a post or key area this close is what people would say the point is "near"; a road this
# close is the road the point is on (half a block in the sample city).
CROSSING_M = 60.0
NEAR_M = 300.0
ROAD_M = 80.0
CROSSING_SPACING_M = 150.0  # two roads crossing twice (a ring road): one place per junction
CLOSE_NAME = 0.5  # difflib ratio from which a name is offered as "did you mean"


@dataclass(frozen=True, slots=True)
class Place:
    """One named place; ``lon``/``lat`` is where a unit would be sent for it."""

    code: str
    kind: str
    name_zh: str
    name_en: str
    lon: float
    lat: float
    pinyin: str  # full pinyin, no spaces: "yinyuepenquan"
    initials: str  # first letters: "yyps"; digits and Latin letters kept ("j4l")


@dataclass(frozen=True, slots=True)
class PlaceName:
    """How to say where a point is, in both languages, and what it was named after."""

    name_zh: str
    name_en: str
    place: Place | None
    distance_m: float


def _spell(name: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(name, errors="default") if s.strip()]
    full = "".join(syllables).replace(" ", "")
    initials = "".join(s[0] for s in syllables if s)
    return full, initials


def _en_key(p: Place) -> str:
    return "".join(p.name_en.split()).lower()


def _order(p: Place) -> tuple[int, int, str]:
    """Among equally good places: key areas and posts before roads, roads before crossings,
    short names first."""
    return KINDS.index(p.kind), len(p.name_zh), p.code


def make_place(code: str, kind: str, name_zh: str, name_en: str, lon: float, lat: float) -> Place:
    full, initials = _spell(name_zh)
    return Place(code, kind, name_zh, name_en, float(lon), float(lat), full, initials)


def crossing_names(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    """("经4路与纬3路交叉口", "Warp Road 4 & Weft Road 3") for two (zh, en) road names."""
    return f"{a[0]}与{b[0]}交叉口", f"{a[1]} & {b[1]}"


Polyline = tuple[str, str, np.ndarray]  # a named road's (zh, en, [[lon, lat], ...])


def _road_places(osm: Path) -> tuple[list[Place], list[Polyline], dict[str, tuple[str, str]]]:
    """Named roads (one place each, at the node nearest their middle), their crossings (with
    the two roads each joins), and each road's polylines for naming points on them."""
    ways = city_ways(osm)
    names: dict[str, str] = {}
    lines: list[tuple[str, str, np.ndarray]] = []
    nodes_of: dict[str, list[tuple[float, float]]] = defaultdict(list)
    roads_at: dict[int, set[str]] = defaultdict(set)
    where: dict[int, tuple[float, float]] = {}
    for w in ways:
        zh = (w.tags.get("name") or "").strip()
        if not zh:
            continue
        names.setdefault(zh, (w.tags.get("name:en") or w.tags.get("name") or zh).strip())
        pts = np.column_stack([w.lons, w.lats])
        lines.append((zh, names[zh], pts))
        nodes_of[zh].extend(zip(w.lons, w.lats, strict=True))
        for ref, lon, lat in zip(w.refs, w.lons, w.lats, strict=True):
            roads_at[ref].add(zh)
            where[ref] = (lon, lat)
    places = []
    for i, (zh, en) in enumerate(sorted(names.items())):
        pts = np.asarray(nodes_of[zh])
        mid = pts[np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1))]
        places.append(make_place(f"road_{i + 1}", "road", zh, en, mid[0], mid[1]))
    junctions: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for ref in sorted(roads_at):
        roads = sorted(roads_at[ref])
        for i, a in enumerate(roads):
            for b in roads[i + 1 :]:
                junctions[(a, b)].append(where[ref])
    n = 0
    joins: dict[str, tuple[str, str]] = {}
    for (a, b), pts in sorted(junctions.items()):
        kept: list[tuple[float, float]] = []
        for p in pts:
            if all(_distance_m(p, q) > CROSSING_SPACING_M for q in kept):
                kept.append(p)
        for lon, lat in kept:
            n += 1
            zh, en = crossing_names((a, names[a]), (b, names[b]))
            places.append(make_place(f"crossing_{n}", "crossing", zh, en, lon, lat))
            joins[f"crossing_{n}"] = (a, b)
    return places, lines, joins


def _distance_m(p: tuple[float, float], q: tuple[float, float]) -> float:
    xy = local_xy(np.array([q[0]]), np.array([q[1]]), p[0], p[1])[0]
    return float(np.hypot(*xy))


def _posts(path: Path | None) -> list[Place]:
    if path is None or not path.is_file():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return [
            make_place(str(p["code"]), "post", p["name_zh"], p["name_en"], p["lon"], p["lat"])
            for p in raw.get("posts", [])
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(text("geo.bad_posts_file", path=str(path), error=str(exc))) from exc


class Gazetteer:
    """Search places by Chinese substring, English word, full pinyin or pinyin initials, and
    name any point of the city."""

    def __init__(
        self,
        places: Iterable[Place],
        areas: dict[str, Polygon] | None = None,
        roads: Sequence[Polyline] = (),
        joins: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.places = tuple(places)
        self._areas = areas or {}
        self._roads = list(roads)
        self._joins = joins or {}
        self._by_code = {p.code: p for p in self.places}
        # arrays for naming points fast (a plan names hundreds of intersections at once)
        self._lon = np.array([p.lon for p in self.places], dtype=np.float64)
        self._lat = np.array([p.lat for p in self.places], dtype=np.float64)
        self._kind = np.array([p.kind for p in self.places], dtype=object)
        segs = [(i, pts[:-1], pts[1:]) for i, (_, _, pts) in enumerate(self._roads) if len(pts) > 1]
        self._seg_road = np.concatenate([np.full(len(a), i) for i, a, _ in segs] or [[]])
        self._seg_a = np.concatenate([a for _, a, _ in segs]) if segs else np.zeros((0, 2))
        self._seg_b = np.concatenate([b for _, _, b in segs]) if segs else np.zeros((0, 2))

    def get(self, code: str) -> Place | None:
        return self._by_code.get(code)

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Best matches first: exact name, then name prefix, then anywhere in the name;
        within a rank key areas and posts before roads, roads before crossings, short first."""
        q = "".join(query.split()).lower()
        if not q:
            return []
        ranked = []
        for p in self.places:
            keys = (p.name_zh.lower(), "".join(p.name_en.split()).lower(), p.pinyin, p.initials)
            if q in keys:
                rank = 0
            elif any(k.startswith(q) for k in keys):
                rank = 1
            elif any(q in k for k in keys):
                rank = 2
            else:
                continue
            ranked.append((rank, KINDS.index(p.kind), len(p.name_zh), p.code, p))
        ranked.sort(key=lambda r: r[:4])
        return [r[-1] for r in ranked[: max(0, limit)]]

    def lookup(self, name: str) -> Place | None:
        """The one place a typed name stands for, where a report gives a place instead of a
        point: a place of exactly that name (Chinese, English or full pinyin), else the best
        search hit, else the longest place name inside the text ("音乐喷泉南侧台阶")."""
        q = "".join(name.split()).lower()
        if not q:
            return None
        exact = [p for p in self.places if q in (p.name_zh.lower(), _en_key(p), p.pinyin)]
        if exact:
            return min(exact, key=_order)
        hits = self.search(q, 1)
        if hits:
            return hits[0]
        inside = [p for p in self.places if len(p.name_zh) >= 2 and p.name_zh.lower() in q]
        return max(inside, key=lambda p: (len(p.name_zh), -KINDS.index(p.kind))) if inside else None

    def close_to(self, name: str, n: int = 3) -> list[Place]:
        """Up to `n` places whose name is spelled close to `name` (a typo, a wrong character,
        pinyin a syllable off), best first: what to suggest when `lookup` finds nothing."""
        q = "".join(name.split()).lower()
        if not q:
            return []
        forms = {q, _spell(q)[0]}

        def likeness(p: Place) -> float:
            keys = (p.name_zh.lower(), _en_key(p), p.pinyin)
            return max(SequenceMatcher(None, f, k).ratio() for f in forms for k in keys)

        scored = sorted(((likeness(p), _order(p), p) for p in self.places), key=lambda s: s[:2])
        scored.sort(key=lambda s: -s[0])  # stable: ties keep kind and name order
        return [p for score, _, p in scored[:n] if score >= CLOSE_NAME]

    def _nearest(
        self, lon: float, lat: float, kinds: tuple[str, ...], road: str | None = None
    ) -> tuple[Place | None, float]:
        mask = np.isin(self._kind, kinds)
        if road is not None:
            mask &= np.array([road in self._joins.get(p.code, ()) for p in self.places], bool)
        if not mask.any():
            return None, float("inf")
        idx = np.flatnonzero(mask)
        d = np.hypot(*local_xy(self._lon[idx], self._lat[idx], lon, lat).T)
        k = int(np.argmin(d))
        return self.places[idx[k]], float(d[k])

    def _road_at(self, lon: float, lat: float) -> tuple[str, str, float] | None:
        """The named road nearest the point (distance to its polyline), if any."""
        if not len(self._seg_a):
            return None
        a = local_xy(self._seg_a[:, 0], self._seg_a[:, 1], lon, lat)
        ab = local_xy(self._seg_b[:, 0], self._seg_b[:, 1], lon, lat) - a
        t = np.clip(-(a * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-9), 0, 1)
        d = np.hypot(*(a + ab * t[:, None]).T)
        k = int(np.argmin(d))
        zh, en, _ = self._roads[int(self._seg_road[k])]
        return zh, en, float(d[k])

    def nearest_place(self, lon: float, lat: float) -> PlaceName:
        """How people say where the point is, most precise first: the crossing it is at
        (within CROSSING_M); the key area it is in; a post or key area within NEAR_M ("音乐
        喷泉警务亭附近"); on a named road, its nearest crossing with that road and the way
        from it ("经2路与鄂尔多斯大街交叉口东约200米"); else the nearest place, the same way."""
        crossing, d = self._nearest(lon, lat, ("crossing",))
        if crossing is not None and d <= CROSSING_M:
            return PlaceName(crossing.name_zh, crossing.name_en, crossing, d)
        point = Point(lon, lat)
        for code, poly in self._areas.items():
            area = self._by_code.get(code)
            if area is not None and poly.contains(point):
                return PlaceName(area.name_zh, area.name_en, area, 0.0)
        landmark, d = self._nearest(lon, lat, ("post", "key_area"))
        if landmark is not None and d <= NEAR_M:
            return PlaceName(f"{landmark.name_zh}附近", f"near {landmark.name_en}", landmark, d)
        road = self._road_at(lon, lat)
        if road is not None and road[2] <= ROAD_M:
            along, d = self._nearest(lon, lat, ("crossing",), road=road[0])
            if along is not None:
                return _from(along, lon, lat, d)
            return PlaceName(road[0], road[1], None, road[2])
        anywhere, d = self._nearest(lon, lat, KINDS)
        if anywhere is None:
            return PlaceName(f"{lon:.5f}, {lat:.5f}", f"{lon:.5f}, {lat:.5f}", None, 0.0)
        return _from(anywhere, lon, lat, d)


_COMPASS = (
    ("东", "east"),
    ("东北", "north-east"),
    ("北", "north"),
    ("西北", "north-west"),
    ("西", "west"),
    ("西南", "south-west"),
    ("南", "south"),
    ("东南", "south-east"),
)


def _from(place: Place, lon: float, lat: float, d: float) -> PlaceName:
    """ "<place>东约200米" / "200 m east of <place>": distance rounded to 10 m."""
    x, y = local_xy(np.array([lon]), np.array([lat]), place.lon, place.lat)[0]
    zh, en = _COMPASS[round(math.degrees(math.atan2(y, x)) / 45.0) % 8]
    m = max(10, int(round(d, -1)))
    return PlaceName(f"{place.name_zh}{zh}约{m}米", f"{m} m {en} of {place.name_en}", place, d)


def build_gazetteer(city: City, posts_path: Path | None = None) -> Gazetteer:
    """The gazetteer of a loaded city: its key areas, posts (the sample's for the sample city)
    and the named roads of its OSM file."""
    places: list[Place] = []
    areas: dict[str, Polygon] = {}
    for a in city.key_areas.values():
        poly = Polygon(a.polygon)
        c = poly.representative_point()
        places.append(make_place(a.code, "key_area", a.name_zh, a.name_en, c.x, c.y))
        areas[a.code] = poly
    if posts_path is None and city.synthetic:
        posts_path = sample_paths()[0].parent / SAMPLE_POSTS
    places += _posts(posts_path)
    roads: list[Polyline] = []
    joins: dict[str, tuple[str, str]] = {}
    if city.osm_path is not None:
        road_places, roads, joins = _road_places(city.osm_path)
        places += road_places
    return Gazetteer(places, areas, roads, joins)


_cache: dict[tuple, tuple[City, Gazetteer]] = {}
_lock = threading.Lock()


def gazetteer_for(city: City, posts_path: Path | None = None) -> Gazetteer:
    """The city's gazetteer, built once per city and posts file (reading the OSM file takes
    a fraction of a second for the sample, seconds for a large city)."""
    key = (id(city), posts_path)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is city:
            return hit[1]
    gaz = build_gazetteer(city, posts_path)
    with _lock:
        _cache[key] = (city, gaz)
    return gaz
