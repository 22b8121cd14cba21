"""What the applicant's pages need from the API: which verification methods are on offer,
the demo's SMS outbox, the certificate's QR code as an image for its holder only, and due
dates marked as estimates where the holiday calendar has no data."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import cv2
import numpy as np
import pytest

from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.trust.certificates.workdays import estimated
from pingan.trust.identity import adapters
from pingan.trust.identity.adapters import (
    Adapters,
    NoFace,
    OutboxSms,
    TestDoubleFace,
    TestDoubleSms,
)
from tests.trust.people import ZHANG

ID = "/api/v1/trust/identity"
CERT = "/api/v1/trust/certificates"
pytestmark = pytest.mark.usefixtures("loaded")


def test_methods_name_the_face_provider_and_the_sms_sender(client, accounts, tmp_path):
    r = client.get(f"{ID}/methods")
    assert r.status_code == 401  # signed in only
    client.app.state.identity_adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    r = client.get(f"{ID}/methods", headers=accounts.headers(Role.CITIZEN))
    assert r.status_code == 200, r.text
    assert r.json() == {"face": "double", "otp": True, "sms_sender": "double"}
    client.app.state.identity_adapters = Adapters(
        face=NoFace(), sms=OutboxSms(tmp_path / "sms-outbox.txt")
    )
    r = client.get(f"{ID}/methods", headers=accounts.headers(Role.CITIZEN))
    assert r.json() == {"face": "none", "otp": True, "sms_sender": "outbox"}


def test_the_outbox_appends_masked_phone_code_and_time(tmp_path):
    settings = Settings(data_dir=tmp_path, identity_sms_sender="outbox")
    sender = adapters.from_settings(settings).sms
    assert isinstance(sender, OutboxSms) and sender.path == tmp_path / "sms-outbox.txt"
    sender._now = lambda: datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # pinned
    sender.send("13912345678", "123456")
    sender.send("13800138000", "654321")
    lines = (tmp_path / "sms-outbox.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "2026-12-07T09:30:00+00:00\t139****5678\t123456",
        "2026-12-07T09:30:00+00:00\t138****8000\t654321",
    ]
    assert "13912345678" not in "".join(lines)


def test_the_otp_path_writes_its_code_to_the_outbox(client, accounts, tmp_path):
    outbox = OutboxSms(tmp_path / "sms-outbox.txt")
    client.app.state.identity_adapters = Adapters(face=NoFace(), sms=outbox)
    h = accounts.headers(Role.CITIZEN)
    r = client.post(f"{ID}/verify", json={"id_number": ZHANG, "name": "张三"}, headers=h)
    assert r.status_code == 200, r.text
    r = client.post(f"{ID}/verify", json={"method": "otp"}, headers=h)
    assert r.status_code == 200 and r.json()["otp_sent_to"] == "139****5678", r.text
    (line,) = outbox.path.read_text(encoding="utf-8").splitlines()
    _, phone, code = line.split("\t")
    assert phone == "139****5678"
    r = client.post(f"{ID}/verify", json={"method": "otp", "code": code}, headers=h)
    assert r.status_code == 200 and r.json()["level"] == 2, r.text


def test_the_demo_uses_the_outbox_unless_the_setting_is_given(tmp_path):
    """A fresh `pingan demo --no-serve`: it says where codes go; with the setting, it does not."""
    run = [sys.executable, "-m", "pingan.cli", "demo", "--no-serve", "--fleet", "small"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    out = subprocess.run(
        [*run, "--data-dir", str(tmp_path / "a")], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "sms-outbox.txt" in out.stdout
    out = subprocess.run(
        [*run, "--data-dir", str(tmp_path / "a")],
        env=env | {"PINGAN_IDENTITY_SMS_SENDER": "double"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "sms-outbox.txt" not in out.stdout


def _issued(client, accounts) -> str:
    client.app.state.identity_adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    h = accounts.headers(Role.CITIZEN)
    client.post(f"{ID}/verify", json={"id_number": ZHANG, "name": "张三"}, headers=h)
    client.post(f"{ID}/verify", json={"method": "face", "image_ref": "sdk-1"}, headers=h)
    body = {"purpose": "employment", "period_from": "2008-01-01", "station": "康巴什派出所",
            "period_to": client.app.state.clock.now.date().isoformat()}  # fmt: skip
    r = client.post(f"{CERT}/applications", json=body, headers=h)
    assert r.status_code == 201 and r.json()["status"] == "issued", r.text
    assert r.json()["due_estimated"] is estimated(
        client.app.state.clock.now.date(), date.fromisoformat(r.json()["due_on"])
    )
    return r.json()["documents"][0]["number"]


def test_the_qr_image_is_the_payload_for_its_holder_only(client, accounts):
    number = _issued(client, accounts)
    h = accounts.headers(Role.CITIZEN)
    payload = client.get(f"{CERT}/documents/{number}", headers=h).json()["qr_payload"]
    qr = f"{CERT}/documents/{number}/qr.png"
    r = client.get(qr, headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert "no-store" in r.headers["cache-control"]
    image = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert text == payload
    # anyone else, signed in or not, learns nothing: 404 as for no such certificate
    other = client.get(qr, headers=accounts.headers(Role.VOLUNTEER))
    assert other.status_code == 404 and other.json()["code"] == "unknown_certificate"
    assert client.get(qr).status_code == 401
    missing = client.get(f"{CERT}/documents/EC-NONE/qr.png", headers=h)
    assert missing.status_code == 404
    # a role without the certificate permission is refused outright
    assert client.get(qr, headers=accounts.headers(Role.AUDITOR)).status_code == 403


def test_a_due_date_in_a_year_without_calendar_data_is_an_estimate():
    assert not estimated(date(2026, 9, 30), date(2026, 10, 10))  # published: holidays, make-up day
    assert estimated(date(2099, 1, 5), date(2099, 1, 8))  # Mon–Fri only: a guess
    assert not estimated(date(2099, 1, 5), date(2099, 1, 5))
