"""Builders for the video tests: tiny ONNX models made here, scene files, camera bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from pingan.video import scenes
from tests.dispatch.test_dispatch_api import SQUARE

FULL = [[0, 0], [640, 0], [640, 480], [0, 480]]


def density_model(
    path: Path, *, fixed: tuple[int, int] | None = None, scalar: bool = False
) -> Path:
    """A stand-in density model: one person per bright 3×3 dot.

    density = relu(mean over channels − 0.5) × 2/9, so a dark, noisy background gives 0 and
    each white 3×3 dot sums to 1. `scalar` averages everything to one number instead;
    `fixed` gives the input a fixed (width, height).
    """
    h, w = (fixed[1], fixed[0]) if fixed else ("h", "w")
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, h, w])
    half = helper.make_tensor("half", TensorProto.FLOAT, [], [0.5])
    k = helper.make_tensor("k", TensorProto.FLOAT, [], [2.0 / 9.0])
    nodes = [helper.make_node("ReduceMean", ["image"], ["m"], axes=[1], keepdims=1)]
    if scalar:
        nodes.append(helper.make_node("ReduceMean", ["m"], ["density"], axes=[1, 2, 3], keepdims=0))
        out = helper.make_tensor_value_info("density", TensorProto.FLOAT, [1])
    else:
        nodes += [
            helper.make_node("Sub", ["m", "half"], ["s"]),
            helper.make_node("Relu", ["s"], ["r"]),
            helper.make_node("Mul", ["r", "k"], ["density"]),
        ]
        out = helper.make_tensor_value_info("density", TensorProto.FLOAT, [1, 1, h, w])
    graph = helper.make_graph(nodes, "tiny_density", [x], [out], initializer=[half, k])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    helper.set_model_props(model, {"mean": "0,0,0", "std": "1,1,1", "channels": "rgb"})
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def dots(
    points: list[tuple[int, int]], size: tuple[int, int] = (640, 480), seed: int = 1
) -> np.ndarray:
    """A dark, noisy frame with a white 3×3 dot centred on each point."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 40, (size[1], size[0], 3)).astype(np.uint8)
    for x, y in points:
        img[y - 1 : y + 2, x - 1 : x + 2] = 255
    return img


@pytest.fixture(scope="session")
def onnx_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return density_model(tmp_path_factory.mktemp("models") / "tiny_density.onnx")


def write(path: Path, img: np.ndarray) -> str:
    cv2.imwrite(str(path), img)
    return str(path)


CROWD_FEET = scenes.grid(2, 6, x0=60, y0=210, dx=104, dy=220)  # 12 people HOG finds


def camera_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "code": "CAM-SQ-01",
        "name": "中心广场北侧球机",
        "lon": SQUARE[0],
        "lat": SQUARE[1],
        "area_code": "central_square",
        "source": "/nonexistent/frame.jpg",
        "frame_width": 640,
        "frame_height": 480,
        "roi": FULL,
        "floor_area_m2": 2.5,
    }
    body.update(overrides)
    return body
