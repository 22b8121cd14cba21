"""Person counters behind one interface: HOG on drawn figures, the ONNX path on tiny models
built here, ROI counting, and suspect frames that never read as empty."""

from __future__ import annotations

import numpy as np
import pytest

from pingan.video import scenes
from pingan.video.counters import counter_for
from pingan.video.detectors import (
    GATHERING,
    INTRUSION,
    RUNNING,
    DetectorError,
    HogCounter,
    OnnxCounter,
    count_people,
)
from tests.video.conftest import CROWD_FEET, density_model, dots

FULL = ((0, 0), (640, 0), (640, 480), (0, 480))
LEFT = ((0, 0), (400, 0), (400, 480), (0, 480))
SIZE = (640, 480)


@pytest.fixture(scope="module")
def hog() -> HogCounter:
    return HogCounter()


def test_hog_counts_people_and_places_their_feet(hog):
    feet = [(120, 400), (320, 400), (520, 400)]
    r = count_people(hog, scenes.encode(scenes.scene(feet)), FULL, registered_size=SIZE)
    assert not r.suspect and r.count == 3
    found = sorted(map(tuple, r.feet))
    for (x, y), (fx, fy) in zip(sorted(feet), found, strict=True):
        assert abs(fx - x) < 12 and abs(fy - y) < 25
    assert hog.events == {GATHERING, INTRUSION, RUNNING}


def test_hog_counts_only_inside_the_roi_and_a_crowd_of_twelve(hog):
    feet = [(120, 400), (320, 400), (520, 400)]
    assert count_people(hog, scenes.scene(feet), LEFT, registered_size=SIZE).count == 2
    crowd = count_people(hog, scenes.scene(CROWD_FEET), FULL, registered_size=SIZE)
    assert crowd.count == 12


def test_an_empty_square_counts_zero_but_a_broken_frame_is_suspect(hog):
    empty = count_people(hog, scenes.encode(scenes.background()), FULL, registered_size=SIZE)
    assert empty.count == 0 and not empty.suspect
    cases = {
        b"\x00not a jpeg": "frame_undecodable",
        None: "frame_undecodable",
        scenes.encode(np.zeros((480, 640, 3), np.uint8)): "frame_blank",
        scenes.encode(scenes.background(40, 40)): "frame_too_small",
        scenes.encode(scenes.background(480, 480)): "frame_size_mismatch",
    }
    for frame, reason in cases.items():
        r = count_people(hog, frame, FULL, registered_size=SIZE)
        assert r.suspect and r.count is None and r.reason == reason, reason


def test_a_larger_frame_of_the_same_shape_is_resized_to_the_registration(hog):
    big = scenes.scene([(240, 800), (640, 800)], width=1280, height=960, person_px=220)
    r = count_people(hog, big, FULL, registered_size=SIZE)
    assert r.count == 2 and r.frame_size == (1280, 960) and r.notes


def test_onnx_density_model_counts_dots_inside_the_roi(onnx_model):
    counter = OnnxCounter(onnx_model)
    assert counter.events == {GATHERING, INTRUSION}
    pts = [(50 + 37 * i, 60 + 29 * (i % 11)) for i in range(15)]
    r = count_people(counter, scenes.encode(dots(pts), ".png"), FULL, registered_size=SIZE)
    assert r.count == pytest.approx(15, abs=0.01)
    left = sum(1 for x, _ in pts if x < 400)
    r = count_people(counter, dots(pts), LEFT, registered_size=SIZE)
    assert r.count == pytest.approx(left, abs=0.01)
    zone = ((0, 0), (200, 0), (200, 480), (0, 480))
    assert r.in_zone(zone) == pytest.approx(sum(1 for x, _ in pts if x < 200), abs=0.01)


def test_onnx_scalar_and_fixed_size_models(tmp_path):
    scalar = OnnxCounter(density_model(tmp_path / "s.onnx", scalar=True))
    assert scalar.events == {GATHERING}
    img = dots([])
    r = count_people(scalar, img, FULL, registered_size=SIZE)
    assert r.count == pytest.approx(img.mean() / 255, rel=0.01) and r.in_zone(FULL) is None
    fixed = OnnxCounter(density_model(tmp_path / "f.onnx", fixed=(64, 48)))
    assert fixed.fixed == (64, 48)
    assert count_people(fixed, img, FULL, registered_size=SIZE).count == pytest.approx(0)


def test_a_bad_model_file_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(DetectorError, match="无法加载模型"):
        OnnxCounter(bad)
    with pytest.raises(DetectorError, match="不存在"):
        counter_for("onnx", str(tmp_path / "missing.onnx"))
    assert counter_for("hog") is counter_for("hog")
