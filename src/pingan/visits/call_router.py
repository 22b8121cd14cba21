"""HTTP and WebSocket adapter of the call: admission, the signalling socket, ending and
warning, the recording's upload, and the recordings for those who may play them.

Joining and ending need `visits.call` (the roles that take part in calls) at the route; who
may do either depends on the side (visitor, terminal, monitor), which the service checks
against the permission of that side. The socket lives on its own router (`socket_router`),
outside the permission matrix of HTTP routes: it is authenticated by the admission's token,
not by a bearer header.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio.from_thread
from fastapi import APIRouter, FastAPI, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.errors import DomainError
from pingan.http.deps import (
    ClockDep,
    SessionDep,
    SettingsDep,
    audited_read,
    permit,
)
from pingan.http.inputs import Id
from pingan.visits import recordings, sessions, signalling
from pingan.visits.call_schemas import (
    Admission,
    AdmitIn,
    EndIn,
    EventPublic,
    RecordingCheck,
    RecordingPublic,
    SessionPublic,
    WarnIn,
)
from pingan.visits.models import (
    VisitBooking,
    VisitDetainee,
    VisitFacility,
    VisitSession,
    VisitTerminal,
    VisitVisitor,
)
from pingan.visits.signalling import TERMINAL, VISITOR, Peer, Refused, Rooms

router = APIRouter(prefix="/visits", tags=["visits.call.tag"])
socket_router = APIRouter(prefix="/visits")
SOCKET_PATH = "/api/v1/visits/signal"
JOIN_WAIT_S = 10.0  # a socket that says nothing is closed
T = TypeVar("T")


def rooms_of(app: FastAPI) -> Rooms:
    """The process's rooms (made on first use: a process that serves no call holds none)."""
    found = getattr(app.state, "visit_rooms", None)
    if found is None:
        found = app.state.visit_rooms = Rooms()
    return found


def _signal_key(app: FastAPI) -> bytes:
    return signalling.token_key(app.state.vault.key_bytes)


# Joining and ending: any role that takes part in calls; which side it may be is the
# service's check (the side's own permission)
Caller = Annotated[Actor, permit("visits.call")]


def _tell(app: FastAPI, room: str, message: dict[str, Any], *, close: bool) -> None:
    """From a request's worker thread: tell the room's sockets (and close them)."""
    rooms = rooms_of(app)

    async def step() -> None:
        found = rooms.get(room)
        if close:
            await rooms.close(room, message)
        elif found is not None:
            await rooms.tell(found, message)

    anyio.from_thread.run(step)


# -- admission -------------------------------------------------------------------------------
@router.post("/bookings/{booking_id}/session", summary="visits.call.api.admit")
def admit(
    booking_id: Id,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    actor: Caller,
    body: AdmitIn | None = None,
) -> Admission:
    now = clock()
    got = sessions.admit(session, actor, booking_id, body.side if body else None, now=now)
    b = got.booking
    token = signalling.mint(
        _signal_key(request.app),
        signalling.Claims(
            got.call.id, got.call.room, got.side, actor.user_id or 0, actor.username,
            str(actor.role), int(now.timestamp()) + signalling.TOKEN_TTL_S,
        ),
    )  # fmt: skip
    visitor = session.get(VisitVisitor, b.visitor_id)
    detainee = session.get(VisitDetainee, b.detainee_id)
    facility = session.get(VisitFacility, b.facility_id)
    terminal = session.get(VisitTerminal, b.terminal_id)
    return Admission(
        session_id=got.call.id, room=got.call.room, side=got.side, token=token,
        token_ttl_s=signalling.TOKEN_TTL_S, socket_path=SOCKET_PATH,
        ice_servers=settings.visits_ice_servers, booking_id=b.id, booking_no=b.booking_no,
        kind=b.kind, starts_at=b.starts_at, ends_at=b.ends_at, recorded=b.recorded,
        monitored=b.monitored,
        visitor_name=visitor.name_masked if visitor else "",
        detainee_name=detainee.name_masked if detainee else "",
        facility_name=facility.name if facility else "",
        terminal_name=terminal.name if terminal else "",
        party=[{k: p.get(k) for k in ("name_masked", "relation")} for p in b.party],
    )  # fmt: skip


# -- during and after the call ---------------------------------------------------------------
@router.get("/sessions/{session_id}", summary="visits.call.api.session")
def read_session(
    session_id: Id, session: SessionDep, actor: Annotated[Actor, permit("visits.read")]
) -> SessionPublic:
    call = sessions.get(session, session_id)
    out = SessionPublic.model_validate(call)
    out.events = [EventPublic.model_validate(e) for e in sessions.events(session, call.id)]
    return out


@router.post("/sessions/{session_id}/end", summary="visits.call.api.end")
def end_session(
    session_id: Id,
    body: EndIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Caller,
) -> SessionPublic:
    call = sessions.end(session, actor, session_id, body.reason, now=clock(), note=body.note)
    _tell(request.app, call.room, {"type": "end", "reason": body.reason}, close=True)
    return SessionPublic.model_validate(call)


@router.post("/sessions/{session_id}/warn", summary="visits.call.api.warn")
def warn_session(
    session_id: Id,
    body: WarnIn,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.monitor")],
) -> EventPublic:
    event = sessions.warn(session, actor, session_id, body.note, now=clock())
    call = sessions.get(session, session_id)
    _tell(request.app, call.room, {"type": "warn", "note": event.detail["note"]}, close=False)
    return EventPublic.model_validate(event)


# -- the recording ---------------------------------------------------------------------------
def _in_session(app: FastAPI, step: Callable[[Session], T]) -> T:
    with app.state.db.session() as session:
        return step(session)


@router.post("/sessions/{session_id}/recording", status_code=201, summary="visits.call.api.upload")
async def upload_recording(
    session_id: Id,
    request: Request,
    settings: SettingsDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.terminal")],
) -> RecordingPublic:
    """The raw WebM body (Content-Type video/webm), streamed to disk and hashed on the way."""
    app = request.app
    await run_in_threadpool(
        _in_session, app, lambda s: recordings.check_upload(s, actor, session_id)
    )
    folder = recordings.folder(settings.data_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, suffix=".part")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                digest.update(chunk)
                size += len(chunk)
                await run_in_threadpool(out.write, chunk)
        received = recordings.Received(Path(name), size, digest.hexdigest())
        media_type = request.headers.get("content-type", "")
        row = await run_in_threadpool(
            _in_session, app,
            lambda s: recordings.store(
                s, actor, session_id, received, media_type, data_dir=settings.data_dir, now=clock()
            ),
        )  # fmt: skip
        return RecordingPublic.model_validate(row)
    finally:
        Path(name).unlink(missing_ok=True)  # moved into place when stored


@router.get("/recordings", summary="visits.call.api.recordings")
def list_recordings(
    session: SessionDep,
    actor: Annotated[Actor, permit("visits.recordings")],
    session_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> list[RecordingPublic]:
    return [RecordingPublic.model_validate(r) for r in recordings.for_session(session, session_id)]


@router.get("/recordings/{recording_id}", summary="visits.call.api.recording")
def read_recording(
    recording_id: Id, session: SessionDep, actor: Annotated[Actor, permit("visits.recordings")]
) -> RecordingPublic:
    return RecordingPublic.model_validate(recordings.get(session, recording_id))


@router.get("/recordings/{recording_id}/verify", summary="visits.call.api.verify")
def verify_recording(
    recording_id: Id,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("visits.recordings")],
) -> RecordingCheck:
    row = recordings.get(session, recording_id)
    return RecordingCheck(**recordings.verify(session, row, settings.data_dir))


@router.get("/recordings/{recording_id}/file", summary="visits.call.api.play")
@audited_read
def play_recording(
    recording_id: Id,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("visits.recordings")],
) -> FileResponse:
    row = recordings.get(session, recording_id)
    path = recordings.file_path(row, settings.data_dir)
    audit.record(session, actor, "visits.recording_play", "visit_recording", row.id,
                 {"session_id": row.session_id})  # fmt: skip
    session.commit()
    return FileResponse(str(path), media_type=row.media_type)


# -- the signalling socket -------------------------------------------------------------------
async def _refuse(ws: WebSocket, code: str, close_code: int) -> None:
    await ws.send_json({"type": "error", "code": code})
    await ws.close(close_code)


def _open_call(app: FastAPI, c: signalling.Claims) -> datetime | None:
    """The booking's end if the token's call is still on, else None."""

    def step(s: Session) -> datetime | None:
        call = s.get(VisitSession, c.session_id)
        if call is None or call.room != c.room or call.status == sessions.ENDED:
            return None
        booking = s.get(VisitBooking, call.booking_id)
        return booking.ends_at if booking else None

    return _in_session(app, step)


async def _time_up(
    app: FastAPI, rooms: Rooms, name: str, session_id: int, ends_at: datetime
) -> None:
    """At the booking's end: the call ends as time_up and every peer is told."""
    await asyncio.sleep(max(0.0, (ends_at - app.state.clock()).total_seconds()))
    with contextlib.suppress(DomainError):  # ended meanwhile by someone else
        await run_in_threadpool(
            _in_session, app, lambda s: sessions.time_up(s, session_id, now=app.state.clock())
        )
    await rooms.close(name, {"type": "time_up"})


@socket_router.websocket("/signal")
async def signal(ws: WebSocket) -> None:
    """First message {type: join, token}; then offer/answer/ice to a peer, leave, end."""
    app = ws.app
    await ws.accept()
    try:
        first = json.loads(await asyncio.wait_for(ws.receive_text(), JOIN_WAIT_S))
        if not isinstance(first, dict) or first.get("type") != "join":
            raise Refused("join_first")
        token = first.get("token")
        if not isinstance(token, str):
            raise Refused("bad_token")
        c = signalling.claims(_signal_key(app), token, now=app.state.clock())
    except Refused as refused:
        await _refuse(ws, refused.code, 4401)
        return
    except (TimeoutError, ValueError):
        await _refuse(ws, "join_first", 4400)
        return
    except WebSocketDisconnect:
        return
    ends_at = await run_in_threadpool(_open_call, app, c)
    if ends_at is None:
        await _refuse(ws, "session_ended", 4410)
        return
    actor = Actor(c.user_id, c.username, Role(c.role), ws.client.host if ws.client else None)
    rooms = rooms_of(app)
    room = rooms.room(c.room, c.session_id)
    peer = Peer(c.side, c.user_id, ws.send_json, lambda code: ws.close(code))
    await rooms.join(room, peer)
    both = VISITOR in room.peers and TERMINAL in room.peers
    await run_in_threadpool(
        _in_session, app,
        lambda s: sessions.connected(s, actor, c.session_id, c.side, both=both,
                                     now=app.state.clock()),
    )  # fmt: skip
    if room.timer is None:
        room.timer = asyncio.create_task(_time_up(app, rooms, c.room, c.session_id, ends_at))
    others = [s for s in rooms.present(room) if s != c.side]
    await ws.send_json(
        {"type": "joined", "side": c.side, "peers": others, "ends_at": ends_at.isoformat()}
    )
    await rooms.tell(room, {"type": "join", "from": c.side}, but=c.side)
    try:
        await _converse(app, ws, rooms, room, peer, actor, c)
    finally:
        if await rooms.leave(room, peer):
            with contextlib.suppress(DomainError):
                await run_in_threadpool(
                    _in_session, app,
                    lambda s: sessions.disconnected(s, actor, c.session_id, c.side,
                                                    now=app.state.clock()),
                )  # fmt: skip


async def _converse(
    app: FastAPI, ws: WebSocket, rooms: Rooms, room: signalling.Room, peer: Peer,
    actor: Actor, c: signalling.Claims,
) -> None:  # fmt: skip
    """Relay the peer's messages until it leaves, ends the call, or is closed."""
    while True:
        try:
            raw = await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            return
        if room.peers.get(c.side) is not peer:
            return  # replaced by a newer socket, or the room was closed
        try:
            if len(raw) > signalling.MAX_MESSAGE_CHARS:
                raise Refused("too_big")
            message = signalling.check(c.side, json.loads(raw))
        except Refused as refused:
            await ws.send_json({"type": "error", "code": refused.code})
            continue
        except ValueError:
            await ws.send_json({"type": "error", "code": "bad_message"})
            continue
        if message["type"] == "leave":
            await ws.close(1000)
            return
        if message["type"] == "end":
            reason = message["reason"]
            try:
                await run_in_threadpool(
                    _in_session, app,
                    lambda s, why=reason: sessions.end(s, actor, c.session_id, why,
                                                       now=app.state.clock()),
                )  # fmt: skip
            except DomainError as exc:
                await ws.send_json({"type": "error", "code": exc.code})
                continue
            await rooms.close(c.room, {"type": "end", "reason": message["reason"], "by": c.side})
            return
        if not await rooms.relay(room, message):
            await ws.send_json({"type": "error", "code": "peer_absent", "to": message["to"]})
