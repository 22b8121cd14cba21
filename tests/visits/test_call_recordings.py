"""A call's recording: uploaded by the call's terminal, stored by hash, SHA-256 and SM3,
SM2-signed, read and verified by those who may; a lawyer's call is never recorded; purged
after the rules' retention."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import gmssl_pyx
import pytest
from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.roles import Role
from pingan.jobs import load_jobs
from pingan.trust import signing
from pingan.trust.signing.jwk import unb64u
from pingan.visits import recordings
from pingan.visits.models import VisitRecording, VisitSession
from pingan.visits.rules import rules
from tests.visits.call_rows import (
    START,
)

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40  # an EBML header and some bytes


def started(client, accounts, db, booking) -> int:
    """The terminal admitted and the call started (as when both sockets joined)."""
    r = client.post(
        f"/api/v1/visits/bookings/{booking}/session",
        json={},
        headers=accounts.headers(Role.OFFICER),
    )
    assert r.status_code == 200, r.text
    sid = r.json()["session_id"]
    with db.session() as s:
        s.get(VisitSession, sid).started_at = START + timedelta(minutes=1)
        s.commit()
    return sid


def upload(client, accounts, sid, body=WEBM, role=Role.OFFICER, media="video/webm;codecs=vp8"):
    return client.post(
        f"/api/v1/visits/sessions/{sid}/recording",
        content=body,
        headers={**accounts.headers(role), "Content-Type": media},
    )


def test_the_terminal_uploads_and_the_recording_verifies(
    client, accounts, call_world, db, settings
):
    sid = started(client, accounts, db, call_world.family_booking)
    r = upload(client, accounts, sid)
    assert r.status_code == 201, r.text
    rec = r.json()
    assert rec["sha256"] == hashlib.sha256(WEBM).hexdigest()
    assert rec["sm3"] == gmssl_pyx.sm3_hash(WEBM).hex()
    assert rec["media_type"] == "video/webm" and rec["size_bytes"] == len(WEBM)
    assert rec["signature"]["alg"] == "sm2"
    retain = rules().recording_retention_days
    assert rec["retain_until"].startswith(
        (START + timedelta(minutes=1, days=retain)).date().isoformat()
    )
    # the signature holds against the published key list alone
    with db.session() as s:
        row = s.get(VisitRecording, rec["id"])
        payload = recordings.statement(row, "HJ20261208-0001")
        keys = signing.published_keys(s)
    sig = rec["signature"]
    assert signing.verify(keys, sig["key_id"], payload, unb64u(sig["value"]))
    h = accounts.headers(Role.AUDITOR)
    assert (
        client.get(f"/api/v1/visits/recordings?session_id={sid}", headers=h).json()[0]["id"]
        == rec["id"]
    )
    check = client.get(f"/api/v1/visits/recordings/{rec['id']}/verify", headers=h).json()
    assert check == {
        "ok": True, "signature_ok": True, "signature_reason": None, "sha256_ok": True,
        "sm3_ok": True, "file": "present",
    }  # fmt: skip
    played = client.get(f"/api/v1/visits/recordings/{rec['id']}/file", headers=h)
    assert played.status_code == 200 and played.content == WEBM
    assert (
        client.get(
            f"/api/v1/visits/recordings/{rec['id']}", headers=accounts.headers(Role.OFFICER)
        ).status_code
        == 403
    )
    # a changed file no longer verifies
    (settings.data_dir / row.path).write_bytes(WEBM[:-1] + b"\x00")
    check = client.get(f"/api/v1/visits/recordings/{rec['id']}/verify", headers=h).json()
    assert (check["ok"], check["sha256_ok"], check["sm3_ok"], check["signature_ok"]) == (
        False, False, False, True,
    )  # fmt: skip
    with db.session() as s:
        actions = set(s.scalars(select(AuditRecord.action)))
    assert {"visits.recording_store", "visits.recording_play"} <= actions
    # once only
    assert upload(client, accounts, sid).json()["code"] == "already_uploaded"


def test_a_lawyers_call_is_never_recorded(client, accounts, call_world, db, settings):
    sid = started(client, accounts, db, call_world.lawyer_booking)
    r = upload(client, accounts, sid)
    assert r.status_code == 403 and r.json()["code"] == "lawyer_call_not_recorded", r.text
    with db.session() as s:
        assert s.scalar(select(VisitRecording)) is None
    assert not list(recordings.folder(settings.data_dir).glob("*.part"))


@pytest.mark.parametrize(
    ("role", "body", "media", "status", "code"),
    [
        (Role.OFFICER, b"", "video/webm", 422, "empty_recording"),
        (Role.OFFICER, WEBM, "text/plain", 422, "bad_media_type"),
        (Role.CITIZEN, WEBM, "video/webm", 403, "forbidden"),
    ],
)
def test_bad_uploads(client, accounts, call_world, db, settings, role, body, media, status, code):
    sid = started(client, accounts, db, call_world.family_booking)
    r = upload(client, accounts, sid, body, role, media)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert not list(recordings.folder(settings.data_dir).glob("*"))


def test_another_officer_is_not_the_calls_terminal(client, accounts, call_world, db):
    sid = started(client, accounts, db, call_world.family_booking)
    with db.session() as s:
        s.get(VisitSession, sid).terminal_officer_id = accounts.ids[Role.COMMANDER]
        s.commit()
    r = upload(client, accounts, sid)
    assert r.status_code == 403 and r.json()["code"] == "not_the_terminal"


def test_an_unrecorded_or_unstarted_call_takes_no_upload(client, accounts, call_world, db):
    r = client.post(
        f"/api/v1/visits/bookings/{call_world.family_booking}/session", json={},
        headers=accounts.headers(Role.OFFICER),
    )  # fmt: skip
    r = upload(client, accounts, r.json()["session_id"])
    assert r.status_code == 409 and r.json()["code"] == "call_never_started"


def test_purge_after_retention(client, accounts, call_world, db, settings):
    sid = started(client, accounts, db, call_world.family_booking)
    rec = upload(client, accounts, sid).json()
    with db.session() as s:
        path = settings.data_dir / s.get(VisitRecording, rec["id"]).path
        assert path.exists()
        due = START + timedelta(days=rules().recording_retention_days, minutes=1)
        assert recordings.purge(s, settings.data_dir, now=due - timedelta(minutes=1)) == 0
        assert recordings.purge(s, settings.data_dir, now=due) == 1
        assert recordings.purge(s, settings.data_dir, now=due) == 0
    assert not path.exists()
    h = accounts.headers(Role.COMMANDER)
    check = client.get(f"/api/v1/visits/recordings/{rec['id']}/verify", headers=h).json()
    assert check["file"] == "purged" and check["signature_ok"] and not check["ok"]
    r = client.get(f"/api/v1/visits/recordings/{rec['id']}/file", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "recording_purged"
    assert "visits.recordings_purge" in {j.name for j in load_jobs()}
