"""Built person counters, kept per (kind, model file, its modification time).

Building a HOG detector is cheap but an ONNX session is not; a replaced model file (new
mtime) is loaded afresh. The patrol and the camera validation share this cache.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pingan.i18n import msg
from pingan.video.detectors import DetectorError, HogCounter, OnnxCounter, PersonCounter
from pingan.video.settings import detector_options

_lock = threading.Lock()
_built: dict[tuple[str, str | None, float | None], PersonCounter] = {}


def counter_for(kind: str, model_path: str | None = None) -> PersonCounter:
    """The counter of a camera; DetectorError when its model cannot be loaded."""
    if kind == "hog":
        key: tuple[str, str | None, float | None] = ("hog", None, None)
    elif kind == "onnx":
        if not model_path:
            raise DetectorError(msg("video.onnx_needs_model"))
        try:
            mtime = Path(model_path).stat().st_mtime
        except OSError as exc:
            raise DetectorError(msg("video.model_not_found", path=model_path)) from exc
        key = ("onnx", model_path, mtime)
    else:
        raise DetectorError(msg("video.unknown_detector", kind=kind))
    with _lock:
        counter = _built.get(key)
        if counter is None:
            options = detector_options(kind)
            counter = (
                HogCounter(**options) if kind == "hog" else OnnxCounter(model_path or "", **options)
            )
            for old in [k for k in _built if k[:2] == key[:2]]:
                del _built[old]
            _built[key] = counter
        return counter
