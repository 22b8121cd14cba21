"""Grab one frame from a camera's source: an image file, a video file or stream, or an HTTP
snapshot URL (GB/T 28181 / GA/T 1400 platforms expose one). Failures return None with the
reason; the caller turns that into a suspect observation, never a count of zero."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pingan.i18n import Msg, msg

VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".ts", ".flv"})
STREAM_SCHEMES = ("rtsp://", "rtmp://")
MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Grab:
    data: bytes | np.ndarray | None  # encoded bytes, a decoded frame, or nothing
    error: str | None = None


def check_source(source: str) -> Msg | None:
    """Why a source string cannot be a camera source (None when it can)."""
    s = source.strip()
    if not s or len(s) > 500:
        return msg("video.source_length")
    if s.startswith(("http://", "https://", *STREAM_SCHEMES)):
        return None
    if "://" in s:
        return msg("video.source_scheme")
    return None


def _video_frame(source: str, skip: int = 0) -> Grab:
    cap = cv2.VideoCapture(source)
    try:
        if not cap.isOpened():
            return Grab(None, "cannot open video source")
        for _ in range(skip):
            cap.grab()
        ok, frame = cap.read()
        return Grab(frame if ok else None, None if ok else "no frame from video source")
    finally:
        cap.release()


def grab(source: str, *, timeout_s: float = 5.0, frame_index: int = 0) -> Grab:
    """One frame (`frame_index` frames in, for video) from the source, or the reason why not."""
    s = source.strip()
    if s.startswith(STREAM_SCHEMES):
        return _video_frame(s, frame_index)
    if s.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(s, timeout=timeout_s) as resp:
                return Grab(resp.read(MAX_SNAPSHOT_BYTES))
        except OSError as exc:
            return Grab(None, f"{type(exc).__name__}: {exc}"[:200])
    path = Path(s)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return _video_frame(str(path), frame_index) if path.is_file() else Grab(None, "no file")
    try:
        return Grab(path.read_bytes()[:MAX_SNAPSHOT_BYTES])
    except OSError as exc:
        return Grab(None, f"{type(exc).__name__}: {exc.strerror or exc}"[:200])


def is_video(source: str) -> bool:
    s = source.strip()
    return s.startswith(STREAM_SCHEMES) or Path(s).suffix.lower() in VIDEO_SUFFIXES


def grab_pair(source: str, gap_s: float) -> tuple[Grab, Grab, float]:
    """Two frames about `gap_s` apart from a video source, and the real gap (from its fps)."""
    cap = cv2.VideoCapture(source.strip())
    try:
        if not cap.isOpened():
            return Grab(None, "cannot open video source"), Grab(None), 0.0
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        skip = max(1, round(gap_s * fps))
        ok, first = cap.read()
        for _ in range(skip - 1):
            cap.grab()
        ok2, second = cap.read()
        return (
            Grab(first if ok else None, None if ok else "no frame from video source"),
            Grab(second if ok2 else None),
            skip / fps,
        )
    finally:
        cap.release()
