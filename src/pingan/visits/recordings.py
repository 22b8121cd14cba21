"""Recordings of family and consular calls: stored, hashed, signed, kept, purged.

The terminal's browser records the call (MediaRecorder, WebM) and uploads it when the call
ends. The file is kept under the data directory by its SHA-256; the row holds SHA-256 and
SM3 of the bytes and an SM2 signature (pingan.trust.signing) over a canonical statement of
what was recorded (`statement`), so a copy handed out can be checked against the published
key list without the store. A lawyer's call is never recorded: an upload for one is refused.
Recordings are kept `recording_retention_days` (the rules) and then purged by a timed job:
the file goes, the row stays with `purged_at` (what existed, and its hashes, remain known).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import gmssl_pyx
import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pingan.i18n import msg
from pingan.trust import signing
from pingan.trust.signing.algorithms import SM2
from pingan.trust.signing.jwk import b64u, unb64u
from pingan.visits.models import VisitBooking, VisitRecording, VisitSession
from pingan.visits.rules import rules

FOLDER = "visit_recordings"
MEDIA_TYPES = frozenset({"video/webm", "video/mp4"})
UPLOAD_PATH = re.compile(r"^/api/v1/visits/sessions/\d+/recording$")  # its own body limit
STATEMENT_TYPE = "pingan.visit_recording.v1"


@dataclass(frozen=True, slots=True)
class Received:
    """An upload written to a temporary file, with its SHA-256 computed on the way in."""

    path: Path
    size: int
    sha256: str


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def statement(row: VisitRecording, booking_no: str) -> bytes:
    """The canonical bytes the signature covers (JCS, RFC 8785)."""
    return rfc8785.dumps(
        {
            "type": STATEMENT_TYPE,
            "session_id": row.session_id,
            "booking_no": booking_no,
            "media_type": row.media_type,
            "size_bytes": row.size_bytes,
            "sha256": row.sha256,
            "sm3": row.sm3,
            "created_at": row.created_at.isoformat(),
        }
    )


def _checked_call(
    session: Session, actor: Actor, session_id: int
) -> tuple[VisitSession, VisitBooking]:
    call = session.get(VisitSession, session_id)
    if call is None:
        raise NotFound(msg("visits.call.no_session", id=session_id), code="session_not_found")
    booking = session.get(VisitBooking, call.booking_id)
    assert booking is not None
    if booking.kind == "lawyer":
        raise Forbidden(msg("visits.call.lawyer_not_recorded"), code="lawyer_call_not_recorded")
    if not booking.recorded:
        raise Conflict(msg("visits.call.not_recorded"), code="not_recorded")
    if actor.user_id != call.terminal_officer_id:
        raise Forbidden(msg("visits.call.not_terminal"), code="not_the_terminal")
    if call.started_at is None:
        raise Conflict(msg("visits.call.never_started"), code="call_never_started")
    if session.scalar(select(VisitRecording.id).where(VisitRecording.session_id == call.id)):
        raise Conflict(msg("visits.call.already_recorded"), code="already_uploaded")
    return call, booking


def check_upload(session: Session, actor: Actor, session_id: int) -> None:
    """Refuse before the body is read: unknown call, a lawyer's, unrecorded, not this call's
    terminal, never started, already uploaded."""
    require(actor, "visits.terminal")
    _checked_call(session, actor, session_id)


def store(
    session: Session, actor: Actor, session_id: int, received: Received, media_type: str,
    *, data_dir: Path, now: datetime,
) -> VisitRecording:  # fmt: skip
    """Keep the received file as the call's recording, hashed and signed."""
    require(actor, "visits.terminal")
    call, booking = _checked_call(session, actor, session_id)
    media_type = media_type.split(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise ValidationFailed(
            msg("visits.call.bad_media_type", media_type=media_type[:60]), code="bad_media_type"
        )
    if received.size == 0:
        raise ValidationFailed(msg("visits.call.empty_recording"), code="empty_recording")
    data = received.path.read_bytes()  # SM3 here has no incremental form; bounded by the limit
    target = folder(data_dir) / f"{call.id}-{received.sha256}.{media_type.split('/')[1]}"
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.replace(received.path, target)
    row = VisitRecording(
        session_id=call.id,
        path=str(target.relative_to(data_dir)),
        media_type=media_type,
        size_bytes=received.size,
        sha256=received.sha256,
        sm3=gmssl_pyx.sm3_hash(data).hex(),
        signature={},
        uploaded_by=actor.user_id,
        created_at=now,
        retain_until=now + timedelta(days=rules().recording_retention_days),
    )
    sig = signing.sign(session, SM2, statement(row, booking.booking_no))
    row.signature = {"key_id": sig.key_id, "alg": sig.alg, "value": b64u(sig.value)}
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "visits.recording_store", "visit_recording", row.id,
        {"session_id": call.id, "booking_no": booking.booking_no, "size_bytes": row.size_bytes,
         "sha256": row.sha256, "sm3": row.sm3, "key_id": sig.key_id},
    )  # fmt: skip
    finish(session)
    return row


def get(session: Session, recording_id: int) -> VisitRecording:
    row = session.get(VisitRecording, recording_id)
    if row is None:
        raise NotFound(msg("visits.call.no_recording", id=recording_id), code="recording_not_found")
    return row


def for_session(session: Session, session_id: int) -> list[VisitRecording]:
    return list(
        session.scalars(
            select(VisitRecording)
            .where(VisitRecording.session_id == session_id)
            .order_by(VisitRecording.id)
        )
    )


def booking_no(session: Session, row: VisitRecording) -> str:
    call = session.get(VisitSession, row.session_id)
    booking = session.get(VisitBooking, call.booking_id) if call else None
    return booking.booking_no if booking else ""


def file_path(row: VisitRecording, data_dir: Path) -> Path:
    if row.purged_at is not None:
        raise Conflict(msg("visits.call.purged"), code="recording_purged")
    path = data_dir / row.path
    if not path.is_file():
        raise NotFound(msg("visits.call.file_missing"), code="recording_file_missing")
    return path


def verify(session: Session, row: VisitRecording, data_dir: Path) -> dict[str, Any]:
    """Re-hash the kept file and check the signature: each part's answer and the whole."""
    sig = row.signature
    verdict = signing.verify(
        session, sig["key_id"], statement(row, booking_no(session, row)),
        signing.Signature(sig["key_id"], sig["alg"], unb64u(sig["value"])),
    )  # fmt: skip
    out: dict[str, Any] = {
        "signature_ok": verdict.ok, "signature_reason": verdict.reason,
        "sha256_ok": None, "sm3_ok": None, "file": "present",
    }  # fmt: skip
    path = data_dir / row.path
    if row.purged_at is not None:
        out["file"] = "purged"
    elif not path.is_file():
        out["file"] = "missing"
    else:
        data = path.read_bytes()
        out["sha256_ok"] = hashlib.sha256(data).hexdigest() == row.sha256
        out["sm3_ok"] = gmssl_pyx.sm3_hash(data).hex() == row.sm3
    out["ok"] = bool(verdict.ok and out["sha256_ok"] and out["sm3_ok"])
    return out


def purge(session: Session, data_dir: Path, *, now: datetime) -> int:
    """Delete the files of recordings past `retain_until`; their rows stay, marked purged."""
    due = list(
        session.scalars(
            select(VisitRecording)
            .where(VisitRecording.retain_until <= now, VisitRecording.purged_at.is_(None))
            .order_by(VisitRecording.id)
        )
    )
    if not due:
        return 0
    actor = Actor.system("visits")
    for row in due:
        (data_dir / row.path).unlink(missing_ok=True)
        row.purged_at = now
    audit.record_many(
        session, actor,
        [("visits.recording_purge", "visit_recording", r.id,
          {"sha256": r.sha256, "retain_until": r.retain_until.isoformat()}) for r in due],
    )  # fmt: skip
    finish(session)
    return len(due)
