"""Regions of interest in image pixels (pure): validation, masks, crops and ground scale."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import shapely

from pingan.i18n import msg

Polygon = tuple[tuple[float, float], ...]


class RoiError(ValueError):
    """A polygon that cannot be used as a region of interest (the message says why)."""


def check_polygon(points: Sequence[Sequence[float]], width: int, height: int) -> Polygon:
    """A clean polygon inside a `width` × `height` frame, or RoiError with the reason."""
    if width <= 0 or height <= 0:
        raise RoiError(msg("video.roi_frame_size"))
    if len(points) < 3:
        raise RoiError(msg("video.roi_too_few_points"))
    poly: list[tuple[float, float]] = []
    for p in points:
        if len(p) != 2 or not all(math.isfinite(v) for v in p):
            raise RoiError(msg("video.roi_bad_point"))
        x, y = float(p[0]), float(p[1])
        if not (0 <= x <= width and 0 <= y <= height):
            raise RoiError(
                msg("video.roi_point_outside", x=f"{x:g}", y=f"{y:g}", width=width, height=height)
            )
        poly.append((x, y))
    shape = shapely.Polygon(poly)
    if not shape.is_valid or shape.area < 1.0:
        raise RoiError(msg("video.roi_invalid"))
    return tuple(poly)


def mask(polygon: Polygon, width: int, height: int) -> np.ndarray:
    """uint8 mask (1 inside) of the polygon on a `width` × `height` grid."""
    out = np.zeros((height, width), np.uint8)
    pts = np.round(np.asarray(polygon, np.float64)).astype(np.int32)
    cv2.fillPoly(out, [pts], 1)
    return out


@dataclass(frozen=True, slots=True)
class Crop:
    """The ROI's bounding box in the frame: x0, y0 (inclusive), x1, y1 (exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int


def bounding_crop(polygon: Polygon, width: int, height: int, pad: int = 0) -> Crop:
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return Crop(
        max(0, math.floor(min(xs)) - pad),
        max(0, math.floor(min(ys)) - pad),
        min(width, math.ceil(max(xs)) + pad),
        min(height, math.ceil(max(ys)) + pad),
    )


def contains(polygon: Polygon, points: np.ndarray) -> np.ndarray:
    """Boolean per (x, y) row of `points`: inside or on the edge of the polygon."""
    if len(points) == 0:
        return np.zeros(0, bool)
    shape = shapely.Polygon(polygon)
    return shapely.covers(shape, shapely.points(points))


def area_px(polygon: Polygon) -> float:
    return float(shapely.Polygon(polygon).area)


def metres_per_pixel(polygon: Polygon, floor_area_m2: float | None) -> float | None:
    """Mean ground scale over the ROI (perspective ignored: a near/far average)."""
    if not floor_area_m2:
        return None
    return math.sqrt(floor_area_m2 / area_px(polygon))
