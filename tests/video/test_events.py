"""GA/T 2000.254 events from counted frames: gathering, intrusion over two frames, running."""

from __future__ import annotations

import numpy as np

from pingan.video import events as ev
from pingan.video.detectors import CountResult

ZONE = ((0, 0), (100, 0), (100, 100), (0, 100))
SCALE = {"yellow": 2.0, "orange": 4.0, "red": 5.5, "critical": 6.5}


def people(*feet: tuple[float, float]) -> CountResult:
    return CountResult("hog", float(len(feet)), feet=np.asarray(feet, float).reshape(-1, 2))


def test_gathering_by_density_level_or_own_count_threshold():
    assert ev.density_level(None, SCALE) == "normal"
    assert ev.density_level(4.2, SCALE) == "orange"
    rule = {"alert_level": "orange", "min_people": 10}
    assert ev.gathering(12, "yellow", **rule) is None
    hit = ev.gathering(12, "orange", **rule)
    assert hit is not None and hit.code == "11" and "聚集" in hit.text_zh
    assert ev.gathering(8, "critical", **rule) is None  # too few to be a gathering
    assert ev.gathering(30, "normal", **rule, count_threshold=25) is not None


def test_intrusion_needs_someone_in_the_zone_on_every_frame():
    inside, outside = people((50, 50), (300, 300)), people((300, 300))
    hit = ev.intrusion([inside], [ZONE], min_mass=0.5)
    assert hit is not None and hit.code == "06" and hit.data["people"] == 1
    assert ev.intrusion([inside, outside], [ZONE], min_mass=0.5) is None  # not confirmed
    assert ev.intrusion([outside], [ZONE], min_mass=0.5) is None
    scalar = CountResult("onnx", 5.0)
    assert ev.intrusion([scalar], [ZONE], min_mass=0.5) is None  # cannot place anyone


def test_running_from_two_frames_with_the_ground_scale():
    first = people((100, 100), (200, 100), (400, 400))
    later = people((100 + 40, 100), (200 + 40, 100), (401, 400))  # 40 px = 2 m in 0.5 s
    rule = {"speed_m_s": 3.0, "max_match_m": 6.0, "min_people": 2}
    hit = ev.running(first, later, 0.5, 0.05, **rule)
    assert hit is not None and hit.code == "04" and hit.data["runners"] == 2
    assert hit.data["max_speed_m_s"] == 4.0
    assert ev.running(first, later, 2.0, 0.05, **rule) is None  # 1 m/s: walking
    assert ev.running(first, later, 0.5, None, **rule) is None  # no floor area: no scale


def test_matching_pairs_nearest_and_drops_far_ones():
    a = np.array([[0.0, 0.0], [10.0, 0.0]])
    b = np.array([[11.0, 0.0], [1.0, 0.0], [500.0, 500.0]])
    assert sorted((i, j) for i, j, _ in ev.match(a, b, 5.0)) == [(0, 1), (1, 0)]
    assert {"gathering", "intrusion", "running"} == ev.SUPPORTED
    assert {c for c, _, _ in ev.EVENT_CODES.values()} == {"11", "04", "07", "08", "06"}
