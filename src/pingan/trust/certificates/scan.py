"""The text of the QR code in a photo or screenshot (PNG or JPEG), for verifying a
certificate from a picture of it: `decode_qr(image_bytes) -> str`, with OpenCV.

Refusals are `ScanError`s (HTTP 422 with a reason code): `bad_image` (not a PNG or JPEG, or
undecodable), `image_too_large` (413: over 4 MB, or over 40 megapixels), `no_qr_found`. The pixel
count is read from the file's header before decoding, because a small compressed file can
unpack to gigabytes; OpenCV has no such check below its own 2^30-pixel cap, and no library
here reads only a header, so the two header formats are read by hand (`kept_files.image_size`).
"""

from __future__ import annotations

import cv2
import numpy as np

from pingan import kept_files
from pingan.errors import ValidationFailed
from pingan.i18n import msg

MAX_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 40_000_000


class ScanError(ValidationFailed):
    """An image that gives no QR text; `code` says why."""


def image_kind(data: bytes) -> str | None:
    """ "png" or "jpeg" by the file's magic bytes, else None."""
    return {"image/png": "png", "image/jpeg": "jpeg"}.get(kept_files.media_type(data) or "")


class ImageTooLarge(ScanError):
    status = 413


def _too_large() -> ImageTooLarge:
    return ImageTooLarge(
        msg("trust.cert.scan.too_large", max=MAX_BYTES, pixels=MAX_PIXELS), code="image_too_large"
    )


def _read(image: np.ndarray) -> str:
    """OpenCV's classic detector, then its ArUco-based one: the classic one misses some large
    (version 13) codes that the second reads, one in twenty in a run of random payloads."""
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        found, _points, _straight = detector.detectAndDecode(image)
        if found:
            return str(found)
    return ""


def decode_qr(image_bytes: bytes) -> str:
    """The text of the one QR code in the image (whitespace at the ends removed)."""
    if len(image_bytes) > MAX_BYTES:
        raise _too_large()
    size = kept_files.image_size(image_bytes)
    if size is None or 0 in size:
        raise ScanError(msg("trust.cert.scan.bad_image"), code="bad_image")
    if size[0] * size[1] > MAX_PIXELS:
        raise _too_large()
    image = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        raise ScanError(msg("trust.cert.scan.bad_image"), code="bad_image")
    found = _read(image)
    if not found:
        raise ScanError(msg("trust.cert.scan.no_qr_found"), code="no_qr_found")
    return str(found).strip()
