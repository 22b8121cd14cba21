"""`pingan cert verify FILE` in a fresh process: a VC, a QR payload or an image of the QR
code checked with a saved key list only (no store), exit 0 when valid and 1 with the reason
when not."""

from __future__ import annotations

import base64
import json

import pytest

from pingan.trust import signing
from pingan.trust.certificates import qr
from tests.conftest import SECRET
from tests.test_cli_fresh import _pingan
from tests.trust.test_cert_crypto import _claims, _vc
from tests.trust.test_cert_scan import qr_image


@pytest.fixture
def files(tmp_path, db):  # type: ignore[no-untyped-def]
    signing.use_key(db, base64.urlsafe_b64decode(SECRET))
    with db.session() as session:
        vc = _vc(session)
        payload = qr.encode(session, _claims())
        keys = signing.published_keys(session)
    (tmp_path / "vc.json").write_text(json.dumps(vc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "qr.txt").write_text(payload + "\n", encoding="ascii")
    (tmp_path / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
    (tmp_path / "qr.png").write_bytes(qr_image(payload))  # a photo of the code, as it were
    (tmp_path / "qr.jpg").write_bytes(qr_image(payload, ".jpg"))
    (tmp_path / "other.png").write_bytes(qr_image("https://example.org/"))
    vc["credentialSubject"]["result"] = "record_found"
    (tmp_path / "forged.json").write_text(json.dumps(vc, ensure_ascii=False), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_cert_verify_offline_in_a_fresh_process(files):
    nowhere = files / "no-store"  # no data directory: nothing but the files
    at = ("--at", "2026-10-01T00:00:00+00:00")
    for name in ("vc.json", "qr.txt"):
        r = _pingan(
            nowhere, "cert", "verify", str(files / name), "--keys", str(files / "keys.json"), *at
        )
        assert r.returncode == 0, r.stdout + r.stderr
        assert "有效" in r.stdout and "C20260930ABCDE12345" in r.stdout
    r = _pingan(
        nowhere,
        "cert",
        "verify",
        str(files / "forged.json"),
        "--keys",
        str(files / "keys.json"),
        *at,
        lang="en",
    )
    assert r.returncode == 1 and "bad_signature" in r.stderr and "Traceback" not in r.stderr
    r = _pingan(
        nowhere,
        "cert",
        "verify",
        str(files / "qr.txt"),
        "--keys",
        str(files / "keys.json"),
        "--at",
        "2027-01-01T00:00:00+00:00",
    )
    assert r.returncode == 1 and "expired" in r.stderr
    r = _pingan(
        nowhere, "cert", "verify", str(files / "missing.json"), "--keys", str(files / "keys.json")
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not nowhere.exists()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_cert_verify_reads_an_image_of_the_qr_code(files):
    nowhere = files / "no-store"
    args = ("--keys", str(files / "keys.json"), "--at", "2026-10-01T00:00:00+00:00")
    for name in ("qr.png", "qr.jpg"):
        r = _pingan(nowhere, "cert", "verify", str(files / name), *args)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "C20260930ABCDE12345" in r.stdout
    r = _pingan(nowhere, "cert", "verify", str(files / "other.png"), *args)
    assert r.returncode == 1 and "malformed_payload" in r.stderr
    (files / "broken.png").write_bytes((files / "qr.png").read_bytes()[:40])
    r = _pingan(nowhere, "cert", "verify", str(files / "broken.png"), *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not nowhere.exists()
