"""Demand, candidate posts, the planner and patrol loops on the sample Kangbashi."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from pingan.auth.actor import Actor
from pingan.crowd.models import AreaCount
from pingan.deployment import candidates, demand, planner, service, settings
from pingan.deployment.beats import patrol_loop, tour
from pingan.deployment.coverage import CoverageError
from pingan.geo.city import load_city
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.units.catalogue import unit_kinds


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return load_city(cache_dir=tmp_path_factory.mktemp("graphs"))


@pytest.fixture(scope="module")
def sites(city):
    posts = service.configured_posts(city, None)
    return candidates.candidate_sites(city, posts, settings.planning()["candidates"])


def units(**counts: int) -> list[planner.ShiftUnit]:
    kinds = unit_kinds()
    out = []
    for kind, n in counts.items():
        for _ in range(n):
            i = len(out)
            out.append(planner.ShiftUnit(i + 1, f"U{i + 1}", kind, kinds[kind].mode, None, None))
    return out


def opts(**extra) -> planner.Options:
    p = settings.planning()
    return planner.Options(settings.tiers(), p["backup_share"], p["dense_quantile"], **extra)


def fountain_demand(city, people=3000.0, incidents=()) -> demand.Demand:
    w, s, e, n = city.bounds
    return demand.build_demand(
        city.key_areas,
        {"music_fountain": people, "shopping_street": people / 3},
        list(incidents),
        20.0,
        ((w + e) / 2, (s + n) / 2),
        settings.planning()["demand"],
    )


def test_candidates_cover_configured_posts_entrances_and_intersections(city, sites):
    kinds = {s.kind for s in sites}
    assert {"station", "kiosk", "ptu_point", "entrance", "intersection"} <= kinds
    assert len({s.code for s in sites}) == len(sites)
    walk = city.travel.roads["walk"]
    ent = [s for s in sites if s.kind == "entrance"]
    snapped = walk.snap(np.array([[s.lon, s.lat] for s in ent]))
    assert np.all(snapped.dist_m < 1e-3)  # entrances sit on the walk network
    assert all("foot_patrol" in s.unit_types for s in ent)
    assert all("patrol_car" in s.unit_types for s in sites if s.kind == "intersection")


def test_demand_shares_crowds_over_areas_and_smooths_incidents(city):
    p = settings.planning()["demand"]
    crowd = fountain_demand(city)
    mass = crowd.weight[np.array(crowd.area) == "music_fountain"].sum()
    assert mass == pytest.approx(3000.0 * p["person_weight"])
    at_hour = [demand.PastIncident(109.79, 39.60, "fight", 1, 20.0, 0.0)]
    other = [demand.PastIncident(109.79, 39.60, "fight", 1, 8.0, 0.0)]
    w_same = demand.incident_weights(at_hour, 20.0, p)[0]
    w_far = demand.incident_weights(other, 20.0, p)[0]
    old = demand.incident_weights([demand.PastIncident(0, 0, "fight", 1, 20.0, 30.0)], 20.0, p)
    assert w_far < w_same and old[0] == pytest.approx(w_same / 2)
    # hour 23 and hour 1 are two hours apart on the clock
    wrap = demand.incident_weights([demand.PastIncident(0, 0, "theft", 3, 1.0, 0)], 23.0, p)[0]
    near = demand.incident_weights([demand.PastIncident(0, 0, "theft", 3, 21.0, 0)], 23.0, p)[0]
    assert wrap == pytest.approx(near)
    both = fountain_demand(city, incidents=at_hour)
    smoothed = np.array(both.source) == "incidents"
    assert smoothed.any()
    assert both.weight[smoothed].sum() == pytest.approx(w_same, rel=0.05)


def test_the_planner_explains_a_partial_plan(city, sites):
    dem = fountain_demand(city)
    room = sum(s.capacity for s in sites if "k9" in s.unit_types)
    crew = units(foot_patrol=6, patrol_car=4, k9=room + 2, patrol_robot=1)
    out = planner.make_plan(dem, sites, crew, city.travel.roads, opts(time_limit_s=20))
    reasons = {u.call_sign: u.reason_en for u in out.unplaced}
    assert reasons[crew[-1].call_sign] == "this unit kind serves no response tier"
    assert len(out.placements) + len(out.unplaced) == len(crew)
    assert any("full" in r or "no added coverage" in r for r in reasons.values())
    for s in set(out.placements.values()):  # capacities hold
        assert list(out.placements.values()).count(s) <= sites[s].capacity
    for uid, s in out.placements.items():  # kinds only where a post may host them
        assert crew[uid - 1].kind in sites[s].unit_types
    posted = [(crew[u - 1].kind, crew[u - 1].mode, s) for u, s in out.placements.items()]
    again = planner.recompute(dem, sites, posted, city.travel.roads, settings.tiers())
    assert again == pytest.approx(out.coverage)
    assert out.coverage_by_area["music_fountain"]["tier1"] > 0.5


def test_no_post_for_a_kind_empty_demand_and_no_units_are_refused(city, sites):
    dem = fountain_demand(city)
    only_cars = [s for s in sites if "foot_patrol" not in s.unit_types]
    out = planner.make_plan(
        dem, only_cars, units(foot_patrol=1, patrol_car=1), city.travel.roads, opts()
    )
    assert [u.reason_en for u in out.unplaced] == ["no post can host this unit kind"]
    with pytest.raises(CoverageError, match="no demand"):
        planner.make_plan(
            fountain_demand(city, 0.0), sites, units(ptu=1), city.travel.roads, opts()
        )
    with pytest.raises(CoverageError, match="no units"):
        planner.make_plan(dem, sites, [], city.travel.roads, opts())


def test_replanning_moves_at_most_the_allowed_units(city, sites):
    dem = fountain_demand(city)
    crew = units(foot_patrol=4, ptu=2, patrol_car=3)
    first = planner.make_plan(dem, sites, crew, city.travel.roads, opts())
    home = {u: sites[s].code for u, s in first.placements.items()}
    moved_crowd = demand.build_demand(
        city.key_areas,
        {"shopping_street": 8000.0},
        [],
        20.0,
        ((city.bounds[0] + city.bounds[2]) / 2, (city.bounds[1] + city.bounds[3]) / 2),
        settings.planning()["demand"],
    )
    crew2 = [
        planner.ShiftUnit(u.id, u.call_sign, u.kind, u.mode, None, None, home.get(u.id))
        for u in crew
    ]
    for limit in (0, 2):
        out = planner.make_plan(
            moved_crowd, sites, crew2, city.travel.roads, opts(max_moves=limit, max_move_s=900)
        )
        changed = [u for u, s in out.placements.items() if sites[s].code != home.get(u)]
        assert len(changed) <= limit and len(out.moves) == len(changed)
    assert out.coverage["tier3"] > 0
    by_code = {s.code: s for s in sites}
    for m in out.moves:  # both ends named as people name them, in both languages
        assert m["from_name_zh"] == by_code[m["from"]].name_zh
        assert m["to_name_en"] == by_code[m["to"]].name_en


def test_intersections_are_named_with_the_gazetteer(city, sites):
    from pingan.geo.gazetteer import gazetteer_for

    gaz = gazetteer_for(city)
    crossings = [s for s in sites if s.kind == "intersection"]
    assert crossings
    for s in crossings:
        named = gaz.nearest_place(s.lon, s.lat)
        assert (s.name_zh, s.name_en) == (named.name_zh, named.name_en)
        assert "路口 " not in s.name_zh and not s.name_en.startswith("Intersection")
    # told apart: a crossing, or the way and distance from one, not 24 sites called "大街"
    assert len({s.name_zh for s in crossings}) >= 0.95 * len(crossings)


def test_patrol_loop_passes_the_hot_spots_and_returns(city):
    walk = city.travel.roads["walk"]
    post = (109.7800, 39.5955)
    spots = np.array([[109.7805, 39.5950], [109.7795, 39.5960], [109.7810, 39.5958]])
    loop = patrol_loop(walk, post, spots)
    assert loop.stops[0] == loop.stops[-1] == post
    assert sorted(loop.stops[1:-1]) == sorted(map(tuple, spots.tolist()))
    assert loop.duration_s > 0 and loop.length_m > 0 and len(loop.coords) >= 2
    # the tour is optimal on a small case: compare with every order
    times = walk.matrix(np.vstack([post, spots]), np.vstack([post, spots]))
    order = tour(times, 1.0)

    def cost(o):
        return sum(times[a, b] for a, b in itertools.pairwise(o))

    best = min(cost([0, *p, 0]) for p in itertools.permutations([1, 2, 3]))
    assert cost(order) == pytest.approx(best)


def test_crowds_come_from_the_forecast_when_history_exists(db, city):
    now = datetime(2026, 7, 20, 4, 0, tzinfo=UTC)
    with db.session() as s:
        t = now - timedelta(days=8)
        while t < now:
            local_h = (t.hour + 8) % 24
            for code in city.key_areas:
                s.add(
                    AreaCount(
                        area_code=code, at=t, count=100.0 + 50 * (local_h == 20), level="normal"
                    )
                )
            t += timedelta(hours=1)
        s.commit()
        got = service.expected_crowds(s, Actor.system("t"), city, date(2026, 7, 21), "day", now)
        assert got.source == "forecast:seasonal_naive"
        assert got.hour == 8 and got.people["museum"] == pytest.approx(100.0)
        night = service.expected_crowds(s, Actor.system("t"), city, date(2026, 7, 20), "night", now)
        assert night.hour == 20 and night.people["museum"] == pytest.approx(150.0)
        far = service.expected_crowds(s, Actor.system("t"), city, date(2026, 9, 1), "night", now)
        assert far.source == "typical_profile"


FAR_AWAY = [(0.0, 0.0), (180.0, 90.0), (-179.9, -89.9), (116.4, 39.9)]  # (lon, lat)


def test_a_far_demand_point_still_plans_on_a_bounded_grid_inside_the_city(city, sites):
    p = settings.planning()["demand"]
    near = demand.PastIncident(109.79, 39.60, "fight", 1, 20.0, 0.0)
    far = [demand.PastIncident(x, y, "fight", 1, 20.0, 0.0) for x, y in FAR_AWAY]
    w, s, e, n = city.bounds
    origin = ((w + e) / 2, (s + n) / 2)
    alone = demand.incident_points([near], 20.0, origin, p, city.bounds)
    mixed = demand.incident_points([near, *far], 20.0, origin, p, city.bounds)
    assert len(mixed) == len(alone) and mixed.weight.sum() == pytest.approx(alone.weight.sum())
    assert np.all((mixed.lon >= w) & (mixed.lon <= e) & (mixed.lat >= s) & (mixed.lat <= n))
    only_far = demand.incident_points(far, 20.0, origin, p, city.bounds)
    assert len(only_far) == 0  # nothing of theirs falls on the city
    unclipped = demand.incident_points([near, *far], 20.0, origin, p)  # no city given
    assert 0 < len(unclipped) <= p["max_cells"]  # cells widen instead of growing without end
    dem = demand.build_demand(
        city.key_areas, {"music_fountain": 3000.0}, [near, *far], 20.0, origin, p, city.bounds
    )
    out = planner.make_plan(
        dem, sites, units(foot_patrol=2, patrol_car=1), city.travel.roads, opts(time_limit_s=20)
    )
    assert out.placements and out.coverage["tier1"] > 0


def test_cancelled_and_merged_incidents_are_not_demand(db, vault):
    actor = Actor.system("t")

    def report(summary: str) -> int:
        new = incidents.NewIncident("fight", summary, 109.79, 39.60, Source.CALL_110)
        return incidents.create_incident(s, actor, vault, new).id

    with db.session() as s:
        kept = report("广场打架")
        gone = report("误报")
        incidents.cancel(s, actor, gone, reason="报警人称误报 / false alarm")
        dup = report("同一起打架")
        incidents.merge(s, actor, dup, into_id=kept, note="重复报警")
        past = service.past_incidents(s, datetime.now(UTC) + timedelta(minutes=1), 90)
    assert len(past) == 1 and (past[0].lon, past[0].lat) == (109.79, 39.60)


def test_patrol_tour_is_the_shortest_round_trip_on_small_loops():
    """The solver reads the costs as a matrix: on a post and up to five hot spots it finds the
    round trip a brute force over every order finds (asymmetric times, one arc unreachable)."""
    rng = np.random.default_rng(7)
    for n in (3, 4, 5, 6) * 5:
        times = rng.uniform(5.0, 60.0, (n, n))
        np.fill_diagonal(times, 0.0)
        times[0, n - 1] = np.inf

        best = min(_tour_s(times, [0, *p, 0]) for p in itertools.permutations(range(1, n)))
        order = tour(times, time_limit_s=1.0)
        assert sorted(order[:-1]) == list(range(n)) and order[0] == order[-1] == 0
        assert _tour_s(times, order) == pytest.approx(best)


def _tour_s(times: np.ndarray, order: list[int]) -> float:
    return float(sum(times[a, b] for a, b in itertools.pairwise(order)))
