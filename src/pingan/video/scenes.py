"""Synthetic camera frames for the demo, tests and benchmarks (pure, deterministic).

Drawn standing figures (head, torso, arms, legs) are found by OpenCV's HOG people detector
when they are about 80-200 px tall and apart; overlapping figures are not, like real crowds.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np


def background(
    width: int = 640, height: int = 480, *, seed: int = 0, grey: int = 200
) -> np.ndarray:
    """A plain, slightly noisy paved square (BGR)."""
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), grey, np.float32) + rng.normal(0, 6, (height, width, 3))
    return img.clip(0, 255).astype(np.uint8)


def draw_person(img: np.ndarray, x: float, y: float, height: float, colour: int = 40) -> None:
    """A standing figure whose feet are at (x, y), `height` pixels tall, drawn in place."""
    u = height / 8.0
    c = (colour, colour - 10 if colour > 10 else 0, 20)

    def p(dx: float, dy: float) -> tuple[int, int]:
        return round(x + dx * u), round(y + dy * u)

    cv2.ellipse(img, p(0, -7), (max(1, int(0.55 * u)), max(1, int(0.7 * u))), 0, 0, 360, c, -1)
    cv2.rectangle(img, p(-0.35, -6.4), p(0.35, -6), c, -1)
    torso = np.array([p(-1.1, -6.1), p(1.1, -6.1), p(0.9, -3.6), p(-0.9, -3.6)], np.int32)
    cv2.fillPoly(img, [torso], c)
    limb = max(1, int(0.45 * u))
    cv2.line(img, p(-1.0, -6), p(-1.4, -3.3), c, limb)
    cv2.line(img, p(1.0, -6), p(1.4, -3.3), c, limb)
    leg = max(1, int(0.6 * u))
    cv2.line(img, p(-0.45, -3.7), p(-0.7, 0), c, leg)
    cv2.line(img, p(0.45, -3.7), p(0.7, 0), c, leg)


def scene(
    feet: Iterable[tuple[float, float]],
    *,
    width: int = 640,
    height: int = 480,
    person_px: float = 110,
    seed: int = 0,
) -> np.ndarray:
    """A frame with one figure standing at each foot point."""
    img = background(width, height, seed=seed)
    for x, y in sorted(feet, key=lambda f: f[1]):  # far ones first, near ones in front
        draw_person(img, x, y, person_px)
    return img


def grid(
    rows: int, cols: int, *, x0: float, y0: float, dx: float, dy: float
) -> list[tuple[float, float]]:
    """Foot points of people standing in a regular block."""
    return [(x0 + c * dx, y0 + r * dy) for r in range(rows) for c in range(cols)]


def encode(img: np.ndarray, ext: str = ".jpg") -> bytes:
    ok, buf = cv2.imencode(ext, img)
    if not ok:
        raise ValueError(f"cannot encode {ext}")
    return buf.tobytes()
