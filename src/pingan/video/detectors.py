"""Person counters behind one interface (pure): HOG boxes or an ONNX density model.

`count_people` turns one frame into a `CountResult` for a camera's region of interest. A frame
that is missing, undecodable, blank or the wrong shape gives a *suspect* result with the
reason and no count — a silent or blinded camera never reads as an empty square.

Two counters ship:
- `HogCounter`: OpenCV's built-in HOG + linear SVM people detector (Dalal & Triggs). No
  download; finds upright, mostly unoccluded people ≥ ~96 px tall. Recall falls steeply once
  people overlap (from ~0.9 to ~0.1 in dense crowds), so it undercounts crowds above about
  2-3 p/m². Gives each person's box and foot point: gathering, intrusion and running.
- `OnnxCounter`: a model the bureau supplies by path (density-map models such as CSRNet,
  DM-Count; the output summed is the count). Counts dense crowds; has no identities, so it
  supports gathering and intrusion (density mass in a zone) but not running.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pingan.i18n import msg
from pingan.video.roi import Polygon, bounding_crop, contains

GATHERING, RUNNING, COUNTER_FLOW, LOITERING, INTRUSION = (
    "gathering",
    "running",
    "counter_flow",
    "loitering",
    "intrusion",
)
HOG_FOOT = 0.875  # the default people window (64×128) has the feet at row 112


class DetectorError(RuntimeError):
    """A counter that cannot be built or run (bad model file, unsupported shape)."""


@dataclass(frozen=True, slots=True)
class FrameRules:
    min_width: int = 64
    min_height: int = 128
    blank_std: float = 2.0


@dataclass(frozen=True, slots=True)
class DensityMap:
    """A density map placed on the frame: cell (i, j) covers frame pixels from
    (x0 + j·cell_w, y0 + i·cell_h), each cell_w × cell_h."""

    values: np.ndarray
    x0: float
    y0: float
    cell_w: float
    cell_h: float

    def mass_in(self, polygon: Polygon, supersample: int = 4) -> float:
        """People (density mass) inside a polygon given in frame pixels, partial cells pro rata."""
        h, w = self.values.shape
        k = supersample
        cells = [
            ((x - self.x0) / self.cell_w * k, (y - self.y0) / self.cell_h * k) for x, y in polygon
        ]
        fine = np.zeros((h * k, w * k), np.uint8)
        cv2.fillPoly(fine, [np.round(np.asarray(cells)).astype(np.int32)], 1)
        share = fine.reshape(h, k, w, k).mean(axis=(1, 3))
        return float((self.values * share).sum())


@dataclass(frozen=True, slots=True)
class Measurement:
    """What a counter saw inside the ROI, in frame pixels."""

    count: float
    feet: np.ndarray | None = None  # (n, 2) foot points of detected people
    boxes: np.ndarray | None = None  # (n, 4) x, y, w, h
    density: DensityMap | None = None


@dataclass(frozen=True, slots=True)
class CountResult:
    detector: str
    count: float | None
    suspect: bool = False
    reason: str | None = None
    feet: np.ndarray | None = None
    boxes: np.ndarray | None = None
    density: DensityMap | None = None
    elapsed_ms: float = 0.0
    frame_size: tuple[int, int] | None = None  # (width, height) of the frame counted
    notes: tuple[str, ...] = field(default=())

    def in_zone(self, polygon: Polygon) -> float | None:
        """People inside another polygon (a forbidden zone); None if the counter cannot say."""
        if self.feet is not None:
            return float(contains(polygon, self.feet).sum())
        if self.density is not None:
            return self.density.mass_in(polygon)
        return None


class PersonCounter(ABC):
    """One way of counting people in a frame. Subclasses say which events they support."""

    name: str = "counter"
    events: frozenset[str] = frozenset({GATHERING})

    @abstractmethod
    def measure(self, image: np.ndarray, roi: Polygon) -> Measurement:
        """Count people inside `roi` (frame pixels) of a BGR uint8 frame."""


def _crop(image: np.ndarray, roi: Polygon, max_side: int, pad: int):  # type: ignore[no-untyped-def]
    """The ROI's bounding box, downscaled so its longer side is at most `max_side`."""
    h, w = image.shape[:2]
    box = bounding_crop(roi, w, h, pad)
    sub = image[box.y0 : box.y1, box.x0 : box.x1]
    side = max(sub.shape[:2])
    s = min(1.0, max_side / side) if side else 1.0
    if s < 1.0:
        sub = cv2.resize(sub, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    return sub, box, s


class HogCounter(PersonCounter):
    """OpenCV's default HOG people detector on the ROI crop, with non-maximum suppression."""

    name = "hog"
    events = frozenset({GATHERING, INTRUSION, RUNNING})

    def __init__(
        self,
        *,
        max_side: int = 960,
        hit_threshold: float = 0.3,
        nms_iou: float = 0.3,
        win_stride: int = 8,
        scale: float = 1.05,
        **_: Any,
    ) -> None:
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.max_side, self.hit_threshold, self.nms_iou = max_side, hit_threshold, nms_iou
        self.win_stride, self.scale = win_stride, scale

    def boxes(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw people boxes (x, y, w, h) and scores after NMS, in `image` pixels."""
        if image.shape[0] < 128 or image.shape[1] < 64:
            return np.zeros((0, 4)), np.zeros(0)
        rects, weights = self.hog.detectMultiScale(
            image,
            winStride=(self.win_stride, self.win_stride),
            padding=(8, 8),
            scale=self.scale,
        )
        if len(rects) == 0:
            return np.zeros((0, 4)), np.zeros(0)
        scores = np.asarray(weights, np.float64).reshape(-1)
        keep = cv2.dnn.NMSBoxes(
            [list(map(int, r)) for r in rects], scores.tolist(), self.hit_threshold, self.nms_iou
        )
        idx = np.asarray(keep, int).reshape(-1)
        return np.asarray(rects, np.float64)[idx], scores[idx]

    def measure(self, image: np.ndarray, roi: Polygon) -> Measurement:
        sub, box, s = _crop(image, roi, self.max_side, pad=16)
        rects, _ = self.boxes(sub)
        rects = rects / s + np.array([box.x0, box.y0, 0, 0]) if len(rects) else rects
        feet = (
            np.column_stack([rects[:, 0] + rects[:, 2] / 2, rects[:, 1] + HOG_FOOT * rects[:, 3]])
            if len(rects)
            else np.zeros((0, 2))
        )
        inside = contains(roi, feet)
        return Measurement(float(inside.sum()), feet=feet[inside], boxes=rects[inside])


def _floats(text: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    if not text:
        return default
    return tuple(float(v) for v in text.replace(";", ",").split(","))


class OnnxCounter(PersonCounter):
    """A density-map (or scalar count) ONNX model loaded from a path the bureau configures.

    The model takes one NCHW float image. Preprocessing is read from the model's metadata
    (`channels` rgb|bgr, `mean` and `std` per channel on a 0-1 scale; ImageNet by default, as
    most crowd-counting models expect). Fixed input sizes are honoured by resizing; dynamic
    ones get the ROI crop (≤ `max_side`) padded to a multiple of `stride`. The output summed
    over the ROI is the count.
    """

    name = "onnx"

    def __init__(
        self, path: str | Path, *, max_side: int = 1024, stride: int = 16, **_: Any
    ) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise DetectorError(msg("video.model_not_found", path=self.path))
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        preferred = ("CUDAExecutionProvider", "CPUExecutionProvider")
        providers = [p for p in preferred if p in ort.get_available_providers()]
        try:
            self.session = ort.InferenceSession(str(self.path), opts, providers=providers)
        except Exception as exc:
            raise DetectorError(
                msg("video.model_not_loaded", name=self.path.name, error=exc)
            ) from exc
        inputs = self.session.get_inputs()
        shape = inputs[0].shape
        if len(inputs) != 1 or len(shape) != 4:
            raise DetectorError(msg("video.model_input_nchw"))
        self.input_name = inputs[0].name
        self.channels = shape[1] if isinstance(shape[1], int) else 3
        if self.channels not in (1, 3):
            raise DetectorError(msg("video.model_channels"))
        self.fixed = (
            (shape[3], shape[2])
            if isinstance(shape[2], int) and isinstance(shape[3], int)
            else None
        )
        meta = self.session.get_modelmeta().custom_metadata_map
        self.bgr = meta.get("channels", "rgb").lower() == "bgr"
        self.mean = np.asarray(_floats(meta.get("mean"), (0.485, 0.456, 0.406)), np.float32)
        self.std = np.asarray(_floats(meta.get("std"), (0.229, 0.224, 0.225)), np.float32)
        self.max_side, self.stride = max_side, stride
        out = self.session.get_outputs()[0].shape
        scalar = len(out) <= 2 and all(isinstance(d, int) and d == 1 for d in out[1:])
        self.events = frozenset({GATHERING} if scalar else {GATHERING, INTRUSION})

    def _tensor(self, sub: np.ndarray) -> tuple[np.ndarray, float, float]:
        """The model input and the crop-pixel size of one input pixel (x, y)."""
        h, w = sub.shape[:2]
        if self.fixed is not None:
            fw, fh = self.fixed
            img = cv2.resize(sub, (fw, fh), interpolation=cv2.INTER_AREA)
            px_w, px_h, pad_w, pad_h = w / fw, h / fh, fw, fh
        else:
            img = sub
            px_w = px_h = 1.0
            pad_w = -(-w // self.stride) * self.stride
            pad_h = -(-h // self.stride) * self.stride
        if self.channels == 1:
            x = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)[:, :, None].astype(np.float32) / 255.0
            x = (x - self.mean[:1]) / self.std[:1]
        else:
            rgb = img if self.bgr else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            x = (rgb.astype(np.float32) / 255.0 - self.mean) / self.std
        tensor = np.zeros((1, self.channels, pad_h, pad_w), np.float32)
        tensor[0, :, : x.shape[0], : x.shape[1]] = x.transpose(2, 0, 1)
        return tensor, px_w, px_h

    def measure(self, image: np.ndarray, roi: Polygon) -> Measurement:
        sub, box, s = _crop(image, roi, self.max_side, pad=0)
        tensor, px_w, px_h = self._tensor(sub)
        out = np.asarray(self.session.run(None, {self.input_name: tensor})[0], np.float32)
        if out.size == 1:  # a scalar-count model: no map, so no ROI masking beyond the crop
            return Measurement(max(0.0, float(out.reshape(-1)[0])))
        values = out.reshape(out.shape[-2:]) if out.ndim >= 2 else out.reshape(1, -1)
        if out.ndim > 2 and int(np.prod(out.shape[:-2])) > 1:
            raise DetectorError(msg("video.model_output"))
        in_h, in_w = tensor.shape[2:]
        cell_w = in_w / values.shape[1] * px_w / s
        cell_h = in_h / values.shape[0] * px_h / s
        density = DensityMap(np.maximum(values, 0), box.x0, box.y0, cell_w, cell_h)
        return Measurement(density.mass_in(roi), density=density)


def decode(data: bytes | None) -> np.ndarray | None:
    """A BGR frame from encoded image bytes (JPEG, PNG, …), or None if it does not decode."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return image if image is not None and image.size else None


def frame_problem(image: np.ndarray | None, rules: FrameRules) -> str | None:
    """Why a frame cannot be counted (None when it can): a code for the suspect flag."""
    if image is None:
        return "frame_undecodable"
    h, w = image.shape[:2]
    if w < rules.min_width or h < rules.min_height:
        return "frame_too_small"
    if float(image.std()) < rules.blank_std:
        return "frame_blank"
    return None


SUSPECT_TEXT = {
    "source_unreachable": ("视频源无法取流", "the camera source could not be read"),
    "frame_undecodable": ("画面无法解码", "the frame does not decode"),
    "frame_too_small": ("画面过小", "the frame is too small to count"),
    "frame_blank": ("画面全黑/被遮挡", "the frame is blank or the lens is covered"),
    "frame_size_mismatch": ("画面尺寸与登记不符", "the frame size differs from the registration"),
    "detector_failed": ("识别程序出错", "the detector failed on this frame"),
}


def suspect(detector: str, reason: str, note: str | None = None) -> CountResult:
    return CountResult(detector, None, True, reason, notes=(note,) if note else ())


def count_people(
    counter: PersonCounter,
    frame: np.ndarray | bytes | None,
    roi: Polygon,
    *,
    registered_size: tuple[int, int],
    rules: FrameRules = FrameRules(),
) -> CountResult:
    """Count inside the ROI, or say why the frame is suspect. A frame of another resolution
    with the same aspect ratio is resized to the registered one, so the ROI and zones (in
    registered pixels) still fit."""
    start = time.perf_counter()
    image = decode(frame) if isinstance(frame, bytes | bytearray) else frame
    problem = frame_problem(image, rules)
    if problem:
        return suspect(counter.name, problem)
    assert image is not None
    h, w = image.shape[:2]
    rw, rh = registered_size
    if (w, h) != (rw, rh):
        if abs(w / h - rw / rh) > 0.01 * (rw / rh):
            return suspect(counter.name, "frame_size_mismatch", f"{w}×{h} ≠ {rw}×{rh}")
        image = cv2.resize(image, (rw, rh), interpolation=cv2.INTER_AREA)
    try:
        m = counter.measure(image, roi)
    except Exception as exc:  # noqa: BLE001 - any failure inside a detector is a suspect frame
        return suspect(counter.name, "detector_failed", f"{type(exc).__name__}: {exc}"[:200])
    return CountResult(
        counter.name,
        m.count,
        feet=m.feet,
        boxes=m.boxes,
        density=m.density,
        elapsed_ms=(time.perf_counter() - start) * 1000,
        frame_size=(w, h),
        notes=() if (w, h) == (rw, rh) else (f"resized {w}×{h} → {rw}×{rh}",),
    )
