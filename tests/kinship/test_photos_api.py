"""A family-search case's photos over HTTP, on both stores: JPEG and PNG made here with
OpenCV, kept once by SHA-256 and listed in the case's sealed details; a text file, a broken
picture and an oversized one refused with their codes; each add and read audited without the
image; officers and analysts add photos, an auditor only reads them."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
import pytest

from pingan.auth.roles import Role
from pingan.kinship import photos
from pingan.kinship.models import KinshipCase
from pingan.kinship.sealed import unseal
from tests.kinship.conftest import audit_actions
from tests.kinship.records_rows import URL, open_case
from tests.trust.conftest import Clock


@pytest.fixture
def clock(client) -> Clock:  # type: ignore[no-untyped-def]
    c = Clock()
    client.app.state.clock = c
    return c


def picture(ext: str, seed: int = 1, size: tuple[int, int] = (48, 64)) -> bytes:
    """A small noisy colour picture encoded as `ext` (".png" or ".jpg")."""
    pixels = np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(ext, pixels)
    assert ok
    return buf.tobytes()


def send(client, accounts, case_id, data, *, role=Role.OFFICER, name="p.png", caption=None):  # type: ignore[no-untyped-def]
    form = {"caption": caption} if caption is not None else {}
    return client.post(
        f"{URL}/cases/{case_id}/photos",
        files={"file": (name, data, "application/octet-stream")},
        data=form,
        headers=accounts.headers(role),
    )


def test_photos_are_kept_once_listed_sealed_and_read_back(
    client, accounts, db, vault, settings, clock
):
    case = open_case(client, accounts)
    png, jpeg = picture(".png"), picture(".jpg", seed=2)
    r = send(client, accounts, case["id"], png, caption="1960年在保育院")
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == "image/png" and r.json()["caption"] == "1960年在保育院"
    assert r.json()["sha256"] == hashlib.sha256(png).hexdigest()
    r = send(client, accounts, case["id"], jpeg, role=Role.ANALYST, name="x.png")
    assert r.status_code == 201 and r.json()["media_type"] == "image/jpeg"  # by content
    again = send(client, accounts, case["id"], png, caption="另一说明")
    assert again.status_code == 201 and again.json()["caption"] == "1960年在保育院"
    kept = sorted(p.name for p in photos.folder(settings.data_dir).iterdir())
    assert kept == sorted(
        [hashlib.sha256(png).hexdigest() + ".png", hashlib.sha256(jpeg).hexdigest() + ".jpg"]
    )

    auditor = accounts.headers(Role.AUDITOR)
    detail = client.get(f"{URL}/cases/{case['id']}", headers=auditor).json()
    listed = detail["details"]["photos"]
    assert [p["media_type"] for p in listed] == ["image/png", "image/jpeg"]
    assert set(listed[0]) == {"sha256", "media_type", "caption", "added_at"}
    assert detail["details"]["life_story"].startswith("三岁")
    with db.session() as s:
        row = s.get(KinshipCase, case["id"])
        assert "保育院" not in row.details_enc  # the captions are sealed with the rest
        sealed = unseal(vault, row.details_enc)["photos"]
        assert sealed[0]["added_by"] == accounts.ids[Role.OFFICER]

    for data, media in ((png, "image/png"), (jpeg, "image/jpeg")):
        sha = hashlib.sha256(data).hexdigest()
        got = client.get(f"{URL}/cases/{case['id']}/photos/{sha}", headers=auditor)
        assert got.status_code == 200 and got.content == data
        assert got.headers["content-type"] == media
    assert send(client, accounts, case["id"], png, role=Role.AUDITOR).status_code == 403

    added, read = audit_actions(db, "kinship.photo_added"), audit_actions(db, "kinship.photo_read")
    assert len(added) == 2 and len(read) == 2
    assert added[0].detail["sha256"] == hashlib.sha256(png).hexdigest()
    assert "caption" not in added[0].detail and "1960" not in str([a.detail for a in added])

    # editing the case's details keeps its photos
    r = client.patch(
        f"{URL}/cases/{case['id']}",
        json={"details": {"life_story": "新的经历"}},
        headers=accounts.headers(Role.ANALYST),
    )
    assert r.status_code == 200 and len(r.json()["details"]["photos"]) == 2
    assert r.json()["details"]["life_story"] == "新的经历"


def test_photo_refusals(client, accounts, settings, clock):
    case = open_case(client, accounts)
    other = open_case(client, accounts)
    r = send(client, accounts, case["id"], "就是一段文字".encode(), name="photo.png")
    assert r.status_code == 422 and r.json()["code"] == "bad_photo_type"
    assert r.json()["detail"].startswith("只能")
    broken = picture(".png")[:80]  # a PNG header with no picture behind it
    assert send(client, accounts, case["id"], broken).json()["code"] == "bad_photo_type"
    pdf = b"%PDF-1.4\n" + b"0" * 100
    assert send(client, accounts, case["id"], pdf).json()["code"] == "bad_photo_type"

    big = picture(".png")
    big += b"\0" * (photos.MAX_BYTES + 1 - len(big))
    r = send(client, accounts, case["id"], big)
    assert r.status_code == 413 and r.json()["code"] == "photo_too_large"
    huge = big + b"\0" * photos.UPLOAD_LIMIT  # over the path's body limit: refused unread
    assert send(client, accounts, case["id"], huge).status_code == 413

    r = send(client, accounts, case["id"], picture(".png"), caption="长" * 101)
    assert r.status_code == 422
    r = send(client, accounts, 9999, picture(".png"))
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    assert not settings.data_dir.joinpath(photos.FOLDER).exists() or not any(
        settings.data_dir.joinpath(photos.FOLDER).iterdir()
    )

    sha = send(client, accounts, case["id"], picture(".png")).json()["sha256"]
    h = accounts.headers(Role.AUDITOR)
    assert client.get(f"{URL}/cases/{other['id']}/photos/{sha}", headers=h).status_code == 404
    r = client.get(f"{URL}/cases/{case['id']}/photos/{'0' * 64}", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "photo_not_found"
    assert client.get(f"{URL}/cases/{case['id']}/photos/nothex", headers=h).status_code == 422
    en = client.post(
        f"{URL}/cases/{case['id']}/photos",
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers={**accounts.headers(Role.OFFICER), "Accept-Language": "en"},
    )
    assert en.json()["code"] == "bad_photo_type" and "JPEG or PNG" in en.json()["detail"]
