"""POST /verify/image: a photo of a certificate's QR code, read on the server and verified
like a pasted payload (raw body or a form); not an image, no code in it, and too large are
refused with their reason codes, nothing counted."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pingan.auth.roles import Role
from pingan.trust.certificates import scan, upload
from tests.trust.people import ZHANG
from tests.trust.test_cert_scan import qr_image
from tests.trust.test_certificates_api import _apply, _document, _l2

URL = "/api/v1/trust/certificates"
pytestmark = pytest.mark.usefixtures("loaded")


def readable_qr(text: str, ext: str = ".png") -> bytes:
    """A picture of `text`'s QR code that decode_qr reads. OpenCV's QRCodeDetector misses
    about one in twenty version-13 codes however they are drawn (the payload, and so the code,
    differs in each run), so the test tries a few scales: it is about the endpoint, not the
    decoder."""
    for scale in (6, 5, 7, 8, 4):
        image = qr_image(text, ext, scale)
        try:
            if scan.decode_qr(image) == text:
                return image
        except scan.ScanError:
            continue
    pytest.fail(f"no drawing of {text!r} reads back")


@pytest.fixture
def payload(client, accounts) -> str:
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    r = _apply(client, accounts)
    assert r.status_code == 201, r.text
    (brief,) = r.json()["documents"]
    return _document(client, accounts, brief["number"])["qr_payload"]


def _scans_left(client, payload: str) -> int:
    r = client.post(f"{URL}/verify", json={"payload": payload})
    assert r.status_code == 200, r.text
    return r.json()["scans_left"]


def test_a_photo_of_the_code_verifies_like_the_payload(client, payload):
    r = client.post(
        upload.PATH, content=readable_qr(payload), headers={"Content-Type": "image/png"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] and body["name_masked"] == "张*" and body["payload"] == payload
    assert body["scans_left"] == 4 and ZHANG not in r.text
    # the same as a form (curl -F image=@photo.jpg), JPEG this time
    files = {"image": ("photo.jpg", readable_qr(payload, ".jpg"), "image/jpeg")}
    r = client.post(upload.PATH, files=files)
    assert r.status_code == 200 and r.json()["scans_left"] == 3, r.text


def test_the_pin_goes_in_the_header_or_the_form(client, accounts, payload):
    number = client.post(f"{URL}/verify", json={"payload": payload}).json()["number"]
    r = client.put(
        f"{URL}/documents/{number}/pin",
        json={"pin": "2468"},
        headers=accounts.headers(Role.CITIZEN),
    )
    assert r.status_code == 200, r.text
    image = readable_qr(payload)
    r = client.post(upload.PATH, content=image, headers={"Content-Type": "image/png"})
    assert r.status_code == 403 and r.json()["code"] == "pin_required"
    r = client.post(upload.PATH, content=image, headers={"X-Holder-Pin": "2468"})
    assert r.status_code == 200, r.text
    r = client.post(upload.PATH, files={"image": ("qr.png", image)}, data={"pin": "1357"})
    assert r.status_code == 403 and r.json()["code"] == "pin_wrong"


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda p: p.encode(), 422, "bad_image"),  # the payload as text, not a picture of it
        (lambda p: cv2.imencode(".png", np.full((240, 240), 255, np.uint8))[1].tobytes(), 422,
         "no_qr_found"),
        (lambda p: b"", 422, "no_image"),
    ],
)  # fmt: skip
def test_refusals_count_no_scan(client, payload, make, status, code):
    r = client.post(upload.PATH, content=make(payload), headers={"Content-Type": "image/png"})
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert _scans_left(client, payload) == 4  # the refusal counted nothing


def test_a_form_without_an_image(client):
    r = client.post(upload.PATH, data={"pin": "1234"}, files={"note": (None, "x")})
    assert r.status_code == 422 and r.json()["code"] == "no_image"


def test_over_four_megabytes_is_refused_before_reading(client, payload):
    big = readable_qr(payload) + bytes(scan.MAX_BYTES)
    r = client.post(upload.PATH, content=big, headers={"Content-Type": "image/png"})
    assert r.status_code == 413 and r.json()["code"] == "image_too_large"  # decode_qr's own
    huge = bytes(upload.MAX_BYTES + 1)  # past the body limit for this path: the middleware's 413
    r = client.post(upload.PATH, content=huge, headers={"Content-Type": "image/png"})
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    # other endpoints keep the store's general limit (1 MiB by default)
    r = client.post(f"{URL}/verify", content=bytes(2 * 1024 * 1024))
    assert r.status_code == 413
    assert _scans_left(client, payload) == 4
