"""Video patrol benchmark: person-counter speed and counts on drawn scenes.

    .venv/bin/python bench/video.py [--quick]

Frames are drawn (pingan.video.scenes): figures OpenCV's HOG finds, on a noisy square.
Measures, in one run:
- baseline: HOG on the whole 1920×1080 frame at full resolution, then keeping the people
  whose feet are in the ROI (what a plain detector loop does);
- ours: the patrol's HogCounter — ROI crop, downscaled to ≤ 960 px — on the same frames;
- HOG on a 640×480 frame (the common sub-stream size);
- the ONNX path (onnxruntime, CPU) on a tiny density model built here, at both sizes.
Frames per second are the median of repeated runs; counts show the speed-up costs nothing.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from pingan.video import scenes
from pingan.video.detectors import HogCounter, OnnxCounter
from pingan.video.roi import contains


def tiny_model(path: Path) -> Path:
    """density = relu(channel mean − 0.5) × 2/9 on a dynamic-size input (no download)."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "h", "w"])
    y = helper.make_tensor_value_info("density", TensorProto.FLOAT, [1, 1, "h", "w"])
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["m"], axes=[1], keepdims=1),
        helper.make_node("Sub", ["m", "half"], ["s"]),
        helper.make_node("Relu", ["s"], ["r"]),
        helper.make_node("Mul", ["r", "k"], ["density"]),
    ]
    init = [
        helper.make_tensor("half", TensorProto.FLOAT, [], [0.5]),
        helper.make_tensor("k", TensorProto.FLOAT, [], [2.0 / 9.0]),
    ]
    model = helper.make_model(
        helper.make_graph(nodes, "tiny", [x], [y], initializer=init),
        opset_imports=[helper.make_opsetid("", 13)],
    )
    model.ir_version = 8
    helper.set_model_props(model, {"mean": "0,0,0", "std": "1,1,1"})
    onnx.save(model, path)
    return path


def dots(width: int, height: int, n: int, seed: int = 1) -> np.ndarray:
    """A dark frame with n white 3×3 dots: what the tiny density model counts."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 40, (height, width, 3)).astype(np.uint8)
    for x, y in zip(rng.integers(2, width - 2, n), rng.integers(2, height - 2, n), strict=True):
        img[y - 1 : y + 2, x - 1 : x + 2] = 255
    return img


def timed(fn: Callable[[], float], repeats: int) -> tuple[float, float]:
    """(frames per second from the median time, the count of the last run)."""
    fn()  # warm-up
    times, count = [], 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - t)
    return 1.0 / statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 15")
    args = parser.parse_args()
    repeats = 3 if args.quick else 15

    feet_hd = scenes.grid(2, 6, x0=120, y0=520, dx=190, dy=400)  # 12 people, ~220 px tall
    hd = scenes.scene(feet_hd, width=1920, height=1080, person_px=220)
    roi_hd = ((0, 200), (800, 200), (800, 1080), (0, 1080))  # the plaza's left half
    truth_hd = int(contains(roi_hd, np.asarray(feet_hd)).sum())
    vga = scenes.scene(scenes.grid(2, 6, x0=60, y0=210, dx=104, dy=220))
    full_vga = ((0, 0), (640, 0), (640, 480), (0, 480))
    full_hd = ((0, 0), (1920, 0), (1920, 1080), (0, 1080))

    plain = HogCounter(max_side=10**6)
    ours = HogCounter()

    def baseline() -> float:
        m = plain.measure(hd, full_hd)
        return float(contains(roi_hd, m.feet).sum())

    rows: list[tuple[str, float, float]] = []
    figures: dict[str, float | int | str] = {
        "repeats": repeats,
        "cv2": cv2.__version__,
        "threads": cv2.getNumThreads(),
        "cpus": os.cpu_count() or 0,
        "truth_hd_in_roi": truth_hd,
        "truth_vga": 12,
    }
    for key, label, fn in [
        ("baseline_hog_full_1080p", "baseline: HOG, full 1920×1080, then ROI", baseline),
        (
            "ours_hog_roi_1080p",
            "ours: HOG on ROI crop ≤ 960 px (1080p)",
            lambda: ours.measure(hd, roi_hd).count,
        ),
        ("hog_vga", "HOG on 640×480 (whole frame)", lambda: ours.measure(vga, full_vga).count),
    ]:
        fps, count = timed(fn, repeats)
        rows.append((label, fps, count))
        figures[f"{key}_fps"], figures[f"{key}_count"] = round(fps, 2), count
    with tempfile.TemporaryDirectory() as tmp:
        onnx_counter = OnnxCounter(tiny_model(Path(tmp) / "tiny.onnx"))
        for key, label, img, roi in [
            ("onnx_vga", "ONNX tiny density model, 640×480", dots(640, 480, 50), full_vga),
            ("onnx_1080p", "ONNX tiny density model, 1080p ROI", dots(1920, 1080, 400), roi_hd),
        ]:
            fps, count = timed(lambda i=img, r=roi: onnx_counter.measure(i, r).count, repeats)
            rows.append((label, fps, count))
            figures[f"{key}_fps"] = round(fps, 2)
    figures["speedup_hog_roi_vs_full"] = round(
        float(figures["ours_hog_roi_1080p_fps"]) / float(figures["baseline_hog_full_1080p_fps"]),
        2,
    )
    print(f"{'detector':<48}{'frames/s':>10}{'count':>8}")
    for label, fps, count in rows:
        print(f"{label:<48}{fps:>10.2f}{count:>8.1f}")
    print(
        f"{'speed-up of ours over the baseline (1080p)':<48}"
        f"{figures['speedup_hog_roi_vs_full']:>10}x"
    )
    print(
        f"(drawn people in the 1080p ROI: {truth_hd} of 12; in the 640×480 frame: 12. The tiny "
        "ONNX model counts white dots: 50 in its 640×480 frame; it times the loading path)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
