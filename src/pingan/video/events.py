"""Video events of GA/T 2000.254-2019 from one or two counted frames (pure).

Supported: 聚集 gathering (11) with any counter; 入侵 intrusion (06) — people, or density mass,
inside a forbidden zone, confirmed on a second frame when there is one; 快速奔跑 running (04)
from two frames of a box detector (people matched nearest-first, ground speed from the
ROI's floor area). Not supported: 逆行 counter-flow (07) and 徘徊 loitering (08) need
identities kept over many frames (a multi-object tracker), which two snapshots cannot give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from pingan.video.detectors import (
    COUNTER_FLOW,
    GATHERING,
    INTRUSION,
    LOITERING,
    RUNNING,
    CountResult,
)
from pingan.video.roi import Polygon

# code name → (GA/T 2000.254 event code, 中文, English)
EVENT_CODES: dict[str, tuple[str, str, str]] = {
    GATHERING: ("11", "聚集", "gathering"),
    RUNNING: ("04", "快速奔跑", "running"),
    COUNTER_FLOW: ("07", "逆行", "counter-flow"),
    LOITERING: ("08", "徘徊", "loitering"),
    INTRUSION: ("06", "入侵", "intrusion"),
}
SUPPORTED = frozenset({GATHERING, INTRUSION, RUNNING})
LEVEL_ORDER = ("normal", "yellow", "orange", "red", "critical")


@dataclass(frozen=True, slots=True)
class VideoEvent:
    kind: str
    text_zh: str
    text_en: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return EVENT_CODES[self.kind][0]


def density_level(density: float | None, scale: dict[str, float]) -> str:
    """The highest level whose density threshold is reached ('normal' below all, or unknown)."""
    if density is None:
        return "normal"
    level = "normal"
    for name in LEVEL_ORDER[1:]:
        thr = scale.get(name)
        if thr is not None and density >= thr:
            level = name
    return level


def gathering(
    count: float,
    level: str,
    *,
    alert_level: str,
    min_people: int,
    count_threshold: int | None = None,
) -> VideoEvent | None:
    """聚集: the density level reaches `alert_level`, or the count the camera's own threshold."""
    if count < min_people:
        return None
    by_level = LEVEL_ORDER.index(level) >= LEVEL_ORDER.index(alert_level)
    by_count = count_threshold is not None and count >= count_threshold
    if not (by_level or by_count):
        return None
    why_zh = f"密度等级{level}" if by_level else f"人数达到阈值{count_threshold}"
    why_en = f"density level {level}" if by_level else f"count over {count_threshold}"
    return VideoEvent(
        GATHERING,
        f"视频巡查发现人员聚集：约{count:.0f}人（{why_zh}）",
        f"Video patrol: gathering of ~{count:.0f} people ({why_en})",
        {"count": round(count, 1), "level": level, "count_threshold": count_threshold},
    )


def intrusion(
    results: Sequence[CountResult], zones: Sequence[Polygon], *, min_mass: float
) -> VideoEvent | None:
    """入侵: someone inside a forbidden zone on every given frame (two frames confirm)."""
    worst, which = 0.0, -1
    for i, zone in enumerate(zones):
        inside = [r.in_zone(zone) for r in results]
        if not inside or any(v is None or v < min_mass for v in inside):
            continue
        people = min(v for v in inside if v is not None)
        if people > worst:
            worst, which = people, i
    if worst <= 0:
        return None
    return VideoEvent(
        INTRUSION,
        f"视频巡查发现有人进入禁入区域（区域{which + 1}，约{worst:.0f}人）",
        f"Video patrol: intrusion into forbidden zone {which + 1} (~{worst:.0f} people)",
        {"zone": which, "people": round(worst, 1), "frames": len(results)},
    )


def match(a: np.ndarray, b: np.ndarray, max_dist: float) -> list[tuple[int, int, float]]:
    """Pairs (i, j, distance) of points in two frames, minimum total distance, each within
    `max_dist` (Hungarian assignment, O(n³) for n people — tens per camera)."""
    if len(a) == 0 or len(b) == 0:
        return []
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(np.where(d <= max_dist, d, 1e9))
    return [
        (int(i), int(j), float(d[i, j]))
        for i, j in zip(rows, cols, strict=True)
        if d[i, j] <= max_dist
    ]


def running(
    first: CountResult,
    second: CountResult,
    gap_s: float,
    metres_per_px: float | None,
    *,
    speed_m_s: float,
    max_match_m: float,
    min_people: int,
) -> VideoEvent | None:
    """快速奔跑: at least `min_people` moved faster than `speed_m_s` between the two frames."""
    if first.feet is None or second.feet is None or not metres_per_px or gap_s <= 0:
        return None
    pairs = match(first.feet, second.feet, max_match_m / metres_per_px)
    speeds = sorted((d * metres_per_px / gap_s for _, _, d in pairs), reverse=True)
    fast = [s for s in speeds if s > speed_m_s]
    if len(fast) < min_people:
        return None
    return VideoEvent(
        RUNNING,
        f"视频巡查发现{len(fast)}人快速奔跑（最快约{fast[0]:.1f}米/秒）",
        f"Video patrol: {len(fast)} people running (up to {fast[0]:.1f} m/s)",
        {"runners": len(fast), "max_speed_m_s": round(fast[0], 2)},
    )
