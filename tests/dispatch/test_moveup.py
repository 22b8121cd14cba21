"""The move-up recommender on a tiny situation with a known answer: two small key areas on
the sample city's roads, the foot patrol of one busy elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

from pingan.dispatch.moveup import moveup_settings, recommend_moveups
from pingan.dispatch.recommend import Candidate

SQUARE = (109.7800, 39.6080)  # central square, on the axis


def _off(dx_m: float, dy_m: float) -> tuple[float, float]:
    return SQUARE[0] + dx_m / 85_800, SQUARE[1] + dy_m / 111_200


def _square(dx: float, dy: float, half: float = 40.0) -> list[tuple[float, float]]:
    return [_off(dx - half, dy - half), _off(dx + half, dy - half),
            _off(dx + half, dy + half), _off(dx - half, dy + half)]  # fmt: skip


def _foot(uid: str, dy: float, status: str = "available") -> Candidate:
    at = _off(0, dy)
    return Candidate(uid, "foot_patrol", "walk", status=status, position=at,
                     position_age_s=5.0, post=at, name=uid)  # fmt: skip


AREAS = {"A": _square(0, 0), "B": _square(0, 250)}


def test_the_unit_that_keeps_its_own_circle_covers_the_uncovered_area(travel):
    # A's foot patrol is on a call; B's stands in B; a spare patrol waits 300 m south of A
    units = [_foot("A1", 0, "on_scene"), _foot("B1", 250), _foot("C1", -300)]
    advice = recommend_moveups(AREAS, units, travel)
    assert set(advice.uncovered) == {"A"} and 60.0 in advice.uncovered["A"]
    assert [p.unit_id for p in advice.proposals] == ["C1"]
    move = advice.proposals[0]
    assert move.area_code == "A" and move.to.post_of == "A1"  # A1's post
    assert (move.to.lon, move.to.lat) == pytest.approx(_off(0, 0))
    assert move.before[60.0] == 0.0 and move.after[60.0] >= 0.9  # the circle restored
    assert move.after[180.0] == 1.0 and move.travel_s <= moveup_settings().max_travel_s
    assert advice.after["B"] == advice.now["B"]  # B keeps its circle
    assert advice.restored() > 0.4
    assert "备勤" in move.text_zh and "stand by" in move.text_en


def test_a_unit_whose_move_would_uncover_its_own_area_is_not_proposed(travel):
    # B1 is nearer to A than C1 was, but leaving would empty B's 1-minute circle
    walk = travel.roads["walk"]
    b_to_a = walk.matrix(np.array([_off(0, 250)]), np.array([_off(0, 0)]))[0, 0]
    c_to_a = walk.matrix(np.array([_off(0, -300)]), np.array([_off(0, 0)]))[0, 0]
    assert b_to_a < c_to_a
    advice = recommend_moveups(AREAS, [_foot("A1", 0, "on_scene"), _foot("B1", 250)], travel)
    assert "A" in advice.uncovered
    assert advice.proposals == ()
    assert advice.after == advice.now


def test_nothing_is_proposed_while_every_circle_is_held(travel):
    units = [_foot("A1", 0), _foot("B1", 250), _foot("C1", -300)]
    advice = recommend_moveups(AREAS, units, travel)
    assert advice.uncovered == {} and advice.proposals == ()
