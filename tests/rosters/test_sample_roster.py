"""The sample city's roster: 446 police officer-shifts a day (the article's figure), a PTU
team stationed in every key area, partners not counted as police."""

from __future__ import annotations

import shapely

from pingan.demo import DEMO_UNITS, SAMPLE_POSTS, sample_roster_path
from pingan.deployment.candidates import load_posts
from pingan.geo.city import load_key_areas, sample_paths
from pingan.rosters import service
from pingan.rosters.files import read_file
from pingan.units.catalogue import unit_kinds


def _roster() -> dict[str, list[service.Line]]:
    shifts = read_file(sample_roster_path()).shifts
    return {s: service.validate(lines) for s, lines in shifts.items()}


def test_the_sample_roster_puts_446_officer_shifts_a_day_on_the_streets():
    totals = service.Totals()
    for shift_code, lines in _roster().items():
        for line in lines:
            totals.add(shift_code, line.kind, int(line.crew or 0))
    assert totals.officer_shifts == 446
    assert (totals.officers_in("day"), totals.officers_in("night")) == (216, 230)
    assert totals.partner_people > 0  # partners stand too, outside the 446
    assert set(_roster()) == set(service.shift_codes())


def test_every_key_area_has_a_stationed_ptu_team_on_both_shifts_at_a_post_in_it():
    areas, _ = load_key_areas(sample_paths()[1])
    posts = {p.code: p for p in load_posts(sample_paths()[0].parent / SAMPLE_POSTS)}
    for lines in _roster().values():
        stationed = {ln.area_code: ln for ln in lines if ln.kind == "ptu" and ln.note is None}
        assert set(stationed) == set(areas)
        for code, line in stationed.items():
            post = posts[line.post_code or ""]
            near = shapely.Polygon(areas[code].polygon).buffer(0.0005)  # inside or at its edge
            assert near.contains(shapely.Point(post.lon, post.lat)), code


def test_partners_are_their_own_kinds_and_the_demo_fleet_is_on_the_roster():
    kinds = unit_kinds()
    day = {ln.call_sign: ln for ln in _roster()["day"]}
    for kind in ("armed_police", "firefighter", "city_management", "shop_watch", "volunteer",
                 "grid_worker", "patrol_robot", "flatbed", "swat", "office_staff"):  # fmt: skip
        assert any(ln.kind == kind for ln in day.values()), kind
    assert all(ln.partner for ln in day.values() if not kinds[ln.kind].police and ln.crew)
    for call_sign, kind, area in DEMO_UNITS:
        assert (day[call_sign].kind, day[call_sign].area_code) == (kind, area)
