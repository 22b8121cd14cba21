import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.dispatch.recommend import (
    Candidate,
    UnitPool,
    area_coverage,
    fmt_duration,
    recommend,
    suggest_reassignment,
)
from pingan.dispatch.response_plans import Plan, Requirement, load_plans

SQUARE = (109.7800, 39.6080)  # central square, on the axis
ARREST = frozenset({"arrest", "first_aid", "crowd_control", "search", "mediation"})


def _off(dx_m: float, dy_m: float) -> tuple[float, float]:
    return SQUARE[0] + dx_m / 85_800, SQUARE[1] + dy_m / 111_200


def _unit(uid, kind="patrol_car", mode="drive", dx=300.0, dy=0.0, **kw) -> Candidate:
    defaults = dict(capabilities=ARREST, crew=2, position=_off(dx, dy), position_age_s=10.0)
    defaults.update(kw)
    return Candidate(uid, kind, mode, name=uid, **defaults)


def test_fight_gets_two_units_with_four_officers(travel):
    units = [
        _unit("A1", dx=400), _unit("A2", dx=-600), _unit("A3", dx=900),
        _unit("P1", kind="ptu", crew=4, dx=1500),
        _unit("F1", kind="foot_patrol", mode="walk", dx=150),
    ]  # fmt: skip
    rec = recommend(SQUARE, load_plans().plan_for("fight", 1), units, travel)
    assert rec.complete, rec.lines()
    first = [p for p in rec.picks if p.requirement == 0]
    assert len(first) >= 2 and sum(p.crew for p in first) >= 4
    assert all(p.eta_s > 0 and p.distance_m > 0 for p in rec.picks)
    text = rec.picks[0].text_zh + rec.picks[0].text_en
    assert "预计" in text and "ETA" in text and "fills" in text and "满足" in text


def test_picks_are_the_soonest_by_road(travel):
    units = [_unit(f"C{i}", dx=200 * (i + 1), dy=50 * i) for i in range(6)]
    plan = Plan("theft", 3, (Requirement(kinds=("patrol_car",), units=2),))
    rec = recommend(SQUARE, plan, units, travel)
    etas = {p.unit_id: p.eta_s for p in rec.picks}
    engine = travel.roads["drive"]
    all_eta = engine.many_to_one(np.array([u.position for u in units]), SQUARE).eta_s
    assert sorted(etas.values()) == pytest.approx(sorted(all_eta)[:2])


def test_unmet_requirements_are_explained(travel):
    units = [_unit("A1", dx=300), _unit("A2", status="dispatched")]
    rec = recommend(SQUARE, load_plans().plan_for("crowding", 2), units, travel)
    assert not rec.complete
    text = " ".join(u.text_zh + u.text_en for u in rec.unmet)
    assert "未满足" in text and "Unmet" in text and "PTU" in text
    assert {u.requirement for u in rec.unmet} == {0, 1, 2}


def test_units_without_position_are_refused_with_a_reason(travel):
    units = [_unit("A1", position=None, post=None), _unit("A2", dx=500)]
    rec = recommend(SQUARE, load_plans().plan_for("other"), units, travel)
    assert [p.unit_id for p in rec.picks] == ["A2"]
    refusal = next(r for r in rec.refused if r.unit_id == "A1")
    assert "无位置" in refusal.reason_zh and "no position" in refusal.reason_en


def test_far_off_road_units_are_refused(travel):
    units = [_unit("A1", position=(109.0, 39.0)), _unit("A2", dx=500)]
    rec = recommend(SQUARE, load_plans().plan_for("other"), units, travel)
    assert any(r.unit_id == "A1" and "500" in r.reason_zh for r in rec.refused)


def test_stale_positions_use_the_post_and_say_so(travel):
    post = _off(-800, 0)
    units = [_unit("A1", dx=100, position_age_s=3600.0, post=post)]
    rec = recommend(SQUARE, load_plans().plan_for("other"), units, travel)
    pick = rec.picks[0]
    assert pick.from_post and "过期" in pick.text_zh and "old" in pick.text_en
    at_post = recommend(
        SQUARE, load_plans().plan_for("other"), [_unit("A1", position=post)], travel
    )
    assert pick.eta_s == pytest.approx(at_post.picks[0].eta_s)  # timed from the post


def test_missing_child_calls_nearest_police_and_zone_volunteers(travel):
    units = [_unit(f"A{i}", dx=300 * (i + 1)) for i in range(4)]
    units += [
        _unit(
            "V1", kind="volunteer", mode="walk", crew=1, capabilities=frozenset({"search"}), dx=200
        )
    ]
    units += [
        _unit(
            "V2", kind="volunteer", mode="walk", crew=1, capabilities=frozenset({"search"}), dx=5000
        )
    ]
    units += [
        _unit(
            "D1", kind="drone", mode="fly", crew=0, capabilities=frozenset({"aerial_view"}), dx=2000
        )
    ]
    rec = recommend(SQUARE, load_plans().plan_for("missing_person", 1), units, travel)
    picked = {p.unit_id for p in rec.picks}
    police = [p for p in rec.picks if p.requirement == 0]
    assert len(police) == 3 and {"V1", "D1"} <= picked and "V2" not in picked
    assert rec.complete
    drone = next(p for p in rec.picks if p.unit_id == "D1")
    assert "直线" in drone.text_zh and drone.eta_s > 2000 / 15


def test_pool_and_list_give_the_same_answer(travel):
    rng = np.random.default_rng(3)
    units = [
        _unit(f"U{i}", dx=float(rng.uniform(-3000, 3000)), dy=float(rng.uniform(-1000, 2500)))
        for i in range(40)
    ]
    plan = load_plans().plan_for("fight", 1)
    a = recommend(SQUARE, plan, units, travel)
    b = recommend(SQUARE, plan, UnitPool(units, travel))
    assert a == b


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 1000))
def test_adding_a_unit_never_makes_the_first_arrival_later(travel, seed):
    rng = np.random.default_rng(seed)
    units = [
        _unit(f"U{i}", dx=float(rng.uniform(-3000, 3000)), dy=float(rng.uniform(-800, 2500)))
        for i in range(6)
    ]
    plan = Plan("other", None, (Requirement(kinds=("patrol_car",), units=1),))
    before = recommend(SQUARE, plan, units, travel).picks[0].eta_s
    extra = _unit("NEW", dx=float(rng.uniform(-3000, 3000)), dy=float(rng.uniform(-800, 2500)))
    after = recommend(SQUARE, plan, [*units, extra], travel).picks[0].eta_s
    assert after <= before + 1e-9


def test_reassignment_suggests_a_closer_freed_unit(travel):
    far = _unit("FAR", dx=3000)
    near = _unit("NEAR", dx=200)
    s = suggest_reassignment(SQUARE, [(far, 400.0)], near, travel)
    assert s is not None and s.replaces_unit_id == "FAR" and s.saves_s > 60
    assert "改派" in s.text_zh and "re-assignment" in s.text_en
    assert suggest_reassignment(SQUARE, [(far, 30.0)], near, travel) is None
    ptu = _unit("P", kind="ptu", crew=4)
    assert suggest_reassignment(SQUARE, [(ptu, 900.0)], near, travel) is None  # other kind


def test_area_coverage_grows_with_units(travel, key_areas):
    square = key_areas["central_square"]["polygon"]
    none = area_coverage(square, [], travel)
    assert set(none.share) == {60.0, 180.0, 300.0} and max(none.share.values()) == 0.0
    one = area_coverage(square, [_unit("F", kind="foot_patrol", mode="walk", dx=0, dy=100)], travel)
    two = area_coverage(
        square,
        [_unit("F", kind="foot_patrol", mode="walk", dx=0, dy=100), _unit("C", dx=0, dy=-300)],
        travel,
    )
    assert 0 < one.share[60.0] <= one.share[180.0] <= one.share[300.0] <= 1
    for t in (60.0, 180.0, 300.0):
        assert two.share[t] >= one.share[t]


def test_duration_words():
    assert fmt_duration(130) == ("2分10秒", "2 min 10 s")
    assert fmt_duration(45) == ("45秒", "45 s")
    assert fmt_duration(120) == ("2分钟", "2 min")


# -- the two ETA paths (contraction hierarchy, Dijkstra with horizons) give one answer ---------
def _random_fleet(seed: int, n: int = 60) -> list[Candidate]:
    rng = np.random.default_rng(seed)
    kinds = [
        ("patrol_car", "drive", 2, ARREST),
        ("ptu", "drive", 4, ARREST),
        ("foot_patrol", "walk", 2, ARREST),
        ("volunteer", "walk", 1, frozenset({"search", "mediation"})),
        ("drone", "fly", 0, frozenset({"aerial_view", "search"})),
    ]
    units = []
    for i in range(n):
        kind, mode, crew, caps = kinds[int(rng.integers(len(kinds)))]
        dx, dy = float(rng.uniform(-2500, 2500)), float(rng.uniform(-1500, 2500))
        units.append(_unit(f"R{i:02d}", kind=kind, mode=mode, crew=crew, capabilities=caps,
                           dx=dx, dy=dy))  # fmt: skip
    return units


def _answer(rec):
    picks = [
        (p.unit_id, p.requirement, round(p.eta_s, 6), round(p.distance_m, 4)) for p in rec.picks
    ]
    return picks, [(u.requirement, u.missing_units, u.missing_crew) for u in rec.unmet]


@pytest.fixture
def dijkstra_only(monkeypatch):
    """Recommendations through ``_by_dijkstra``, as without ``routingkit-cch``."""
    from pingan.geo.travel_time import TravelTimes

    monkeypatch.setattr(TravelTimes, "has_hierarchy", property(lambda self: False))


def _cases():
    plans = load_plans()
    types = ["crowding", "theft", "fight", "missing_person", "traffic_accident", "disturbance"]
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        where = _off(float(rng.uniform(-2000, 2000)), float(rng.uniform(-1000, 2000)))
        yield seed, where, plans.plan_for(types[seed % len(types)], 1 + seed % 3)


def test_hierarchy_and_dijkstra_give_the_same_card(travel, monkeypatch):
    pytest.importorskip("routingkit_cch")
    from pingan.geo.travel_time import TravelTimes

    fast = [_answer(recommend(w, plan, _random_fleet(s), travel)) for s, w, plan in _cases()]
    monkeypatch.setattr(TravelTimes, "has_hierarchy", property(lambda self: False))
    slow = [_answer(recommend(w, plan, _random_fleet(s), travel)) for s, w, plan in _cases()]
    assert fast == slow


def test_horizons_never_change_the_answer(travel, dijkstra_only, monkeypatch):
    import pingan.dispatch.recommend as rec_mod

    limited = [_answer(recommend(w, plan, _random_fleet(s), travel)) for s, w, plan in _cases()]
    monkeypatch.setattr(rec_mod, "_DETOUR", 0.05)  # horizons far too short: every mode reruns
    monkeypatch.setattr(rec_mod, "_SLACK_S", 0.0)
    tight = [_answer(recommend(w, plan, _random_fleet(s), travel)) for s, w, plan in _cases()]
    monkeypatch.setattr(rec_mod, "_horizons", lambda *a: {m: None for m in ("drive", "walk")})
    whole = [_answer(recommend(w, plan, _random_fleet(s), travel)) for s, w, plan in _cases()]
    assert limited == whole and tight == whole


def test_everyone_in_the_zone_is_listed_whatever_their_road_time(travel, dijkstra_only):
    # two volunteers at hand and one 950 m off (over 11 min on foot): a search horizon sized
    # for the near ones used to drop the far one silently; the zone line lists all three
    def vol(uid, dx, dy=0.0):
        caps = frozenset({"search"})
        return _unit(uid, kind="volunteer", mode="walk", crew=1, capabilities=caps, dx=dx, dy=dy)

    units = [vol("V1", 50), vol("V2", 80), vol("V3", -950, -100)]
    plan = Plan("missing_person", None, (Requirement(kinds=("volunteer",), within_m=1000.0),))
    rec = recommend(SQUARE, plan, units, travel)
    etas = {p.unit_id: p.eta_s for p in rec.picks}
    assert set(etas) == {"V1", "V2", "V3"} and etas["V3"] > 600
    ref = travel.roads["walk"].many_to_one(np.array([u.position for u in units]), SQUARE).eta_s
    assert [etas[u] for u in ("V1", "V2", "V3")] == pytest.approx(ref.tolist(), rel=1e-12)


def _wide_cases():
    """Incidents over the whole town, each with a fleet of its own, dense enough that the
    nearest units by straight line are often not the nearest by road."""
    plans = load_plans()
    types = ["theft", "fight", "traffic_accident", "disturbance", "crowding"]
    for seed in range(40):
        rng = np.random.default_rng(500 + seed)
        where = _off(float(rng.uniform(-2500, 2500)), float(rng.uniform(-1500, 2500)))
        yield _random_fleet(1000 + seed, n=120), where, plans.plan_for(types[seed % 5], 1)


@pytest.mark.parametrize("ranked_by", ["hierarchy", "dijkstra"])
def test_the_card_is_the_one_ranking_every_fitting_unit_gives(travel, monkeypatch, ranked_by):
    """The straight-line shortlist only saves work: a unit behind it that is sooner by road
    (across a bend, a one-way street, the river) still gets the line it would win."""
    if ranked_by == "dijkstra":
        from pingan.geo.travel_time import TravelTimes

        monkeypatch.setattr(TravelTimes, "has_hierarchy", property(lambda self: False))
    else:
        pytest.importorskip("routingkit_cch")
    for fleet, where, plan in _wide_cases():
        shortlisted = _answer(recommend(where, plan, fleet, travel))
        every = _answer(recommend(where, plan, fleet, travel, shortlist_extra=len(fleet)))
        assert shortlisted == every, (where, plan.incident_type)


def test_a_unit_behind_the_shortlist_is_ranked_only_when_it_could_be_sooner(travel):
    """The lower bound (straight line at the mode's top speed) never exceeds a real ETA."""
    from pingan.dispatch.recommend import _eta_floor

    fleet = _random_fleet(7, n=80)
    pool = UnitPool(fleet, travel)
    from pingan.geo.graph import haversine_m_array

    straight = haversine_m_array(SQUARE[0], SQUARE[1], pool.lonlat[:, 0], pool.lonlat[:, 1])
    floor = _eta_floor(pool, straight)
    for mode in ("drive", "walk"):
        idx = np.flatnonzero(pool.mode == mode)
        eta = travel.roads[mode].many_to_one(pool.lonlat[idx], SQUARE).eta_s
        reach = np.isfinite(eta)
        assert reach.any() and np.all(floor[idx][reach] <= eta[reach] + 1e-9)


def test_a_grid_worker_is_never_recommended_for_a_fight_whatever_the_card_says(travel):
    """The kind's remit (kinds.yaml `attends`) outranks a run card that lists it."""
    careless = Plan("fight", 1, (Requirement(kinds=("grid_worker", "patrol_car"), units=1),))
    units = [
        _unit("G1", kind="grid_worker", mode="walk", dx=40, crew=1),
        _unit("A1", dx=900),
    ]
    rec = recommend(SQUARE, careless, units, travel)
    assert [p.unit_id for p in rec.picks] == ["A1"]
    lost = Plan("lost_item", None, (Requirement(kinds=("grid_worker", "patrol_car"), units=1),))
    assert [p.unit_id for p in recommend(SQUARE, lost, units, travel).picks] == ["G1"]
