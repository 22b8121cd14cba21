"""`scan.decode_qr`: the QR text from a PNG or JPEG, and the refusals with their codes —
not an image, too large in bytes or in pixels (read from the header, before decoding), no
code in the picture."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest

from pingan import kept_files
from pingan.trust.certificates import scan

PAYLOAD = "PA1.ed25519-test.eyJuIjoiQzIwMjYwOTMwQUJDREUxMjM0NSJ9.c2lnbmF0dXJl"


def qr_image(text: str, ext: str = ".png", scale: int = 6) -> bytes:
    """A QR code made by OpenCV's own encoder, enlarged, with a white border."""
    code = cv2.QRCodeEncoder.create().encode(text)
    big = cv2.resize(code, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    ok, data = cv2.imencode(ext, cv2.copyMakeBorder(big, 40, 40, 40, 40, cv2.BORDER_CONSTANT,
                                                    value=255))  # fmt: skip
    assert ok
    return data.tobytes()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return kept_files.PNG + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


@pytest.mark.parametrize("ext", [".png", ".jpg"])
def test_decodes_png_and_jpeg(ext):
    assert scan.decode_qr(qr_image(PAYLOAD, ext)) == PAYLOAD


def test_image_kind_by_magic_bytes():
    assert scan.image_kind(qr_image("x")) == "png"
    assert scan.image_kind(qr_image("x", ".jpg")) == "jpeg"
    assert scan.image_kind(PAYLOAD.encode()) is None


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (PAYLOAD.encode(), "bad_image", 422),  # text, not an image
        (b"GIF89a" + bytes(40), "bad_image", 422),  # an image, not one we read
        (_png_header(100, 100) + b"not pixels", "bad_image", 422),
        (kept_files.JPEG + b"\x00" * 64, "bad_image", 422),
        (_png_header(20_000, 20_000), "image_too_large", 413),  # 400 megapixels
        (_png_header(10, 10) + bytes(scan.MAX_BYTES), "image_too_large", 413),
    ],
)
def test_refusals_say_why(data, code, status):
    with pytest.raises(scan.ScanError) as caught:
        scan.decode_qr(data)
    assert (caught.value.code, caught.value.status) == (code, status)


def test_a_picture_without_a_code():
    ok, blank = cv2.imencode(".png", np.full((200, 200), 255, dtype=np.uint8))
    assert ok
    with pytest.raises(scan.ScanError) as caught:
        scan.decode_qr(blank.tobytes())
    assert caught.value.code == "no_qr_found"


def test_certificate_sized_codes_are_read_whatever_their_bytes():
    """Version 13 codes (a real payload's size) with random contents: the classic detector
    alone misses some of them, so every one must be read through the fallback."""
    import base64
    import random

    rng = random.Random(13)
    for _ in range(60):
        claims = base64.urlsafe_b64encode(rng.randbytes(180)).decode().rstrip("=")
        sig = base64.urlsafe_b64encode(rng.randbytes(64)).decode().rstrip("=")
        payload = f"PA1.ed25519-k1.{claims}.{sig}"
        assert scan.decode_qr(qr_image(payload)) == payload
