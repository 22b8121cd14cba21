"""`GET /live/stream`: Server-Sent Events fed by the event backbone, resumable by event id."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from pingan.auth.actor import Actor
from pingan.auth.policy import role_may
from pingan.errors import DomainError
from pingan.http.deps import SessionDep, permit
from pingan.i18n import msg
from pingan.live.hub import Cursor, LiveEvent, LiveHub

router = APIRouter(prefix="/live", tags=["live.tag"])

# Which permission lets a role see each family of events (the family is the type's prefix),
# or one type of event (the full type, looked up first).
FAMILY_PERMISSION = {
    "incident": "incident.read",
    "unit": "unit.read",
    "crowd": "crowd.read",
    "device": "device.read",
    "video": "video.read",
    "dispatch": "dispatch.recommend",
    # help services: the KPI wall counts them live; the payloads carry case numbers, no names
    "lost_found": "services.stats",
    "missing": "services.stats",
    "breakdown": "services.stats",
    "parking": "services.stats",
    # anti-fraud desk: order states and expiry alerts (numbers and states, no names)
    "fraud": "fraud.read",
    # video-visit desk: bookings by number and state (visits.booking), no names
    "visits": "visits.read",
    # a whole type where its family's permission is not the one that reads it
    "fraud.warning": "fraud.warn_read",
}
KEEPALIVE_S = 15.0
MAX_STREAM_S = 300.0  # then the browser reconnects with its cursor and the token is re-checked


class LiveUnavailable(DomainError):
    status = 503


def visible(actor: Actor, event: LiveEvent) -> bool:
    """Whether the actor's role may read this family of events (citizens use their cases)."""
    permission = FAMILY_PERMISSION.get(event.type) or FAMILY_PERMISSION.get(
        event.type.split(".", 1)[0]
    )
    return permission is not None and actor.role is not None and role_may(actor.role, permission)


def _hub(request: Request) -> LiveHub:
    hub: LiveHub | None = getattr(request.app.state, "live", None)
    if hub is None or not hub.attached:
        raise LiveUnavailable(
            msg("live.unavailable"),
            code="live_unavailable",
        )
    return hub


async def _frames(
    request: Request, hub: LiveHub, actor: Actor, cursor: Cursor | None, until_idle: float | None
) -> AsyncIterator[str]:
    flag = hub.waiter()
    started = idle_since = time.monotonic()
    try:
        while True:
            batch = hub.after(cursor)
            if batch is None:  # unknown or expired cursor: the browser reloads its snapshots
                cursor = Cursor(hub.epoch, hub.seq)
                yield f"id: {hub.epoch}:{cursor.seq}\nevent: resync\ndata: {{}}\n\n"
                batch = hub.after(cursor) or []
            for event in batch:
                if visible(actor, event):
                    yield event.frame(hub.epoch)
                cursor = Cursor(hub.epoch, event.seq)
            if batch:
                idle_since = time.monotonic()
            now = time.monotonic()
            if now - started > MAX_STREAM_S or await request.is_disconnected():
                return
            if until_idle is not None and now - idle_since >= until_idle:
                return
            wait = KEEPALIVE_S if until_idle is None else min(KEEPALIVE_S, until_idle)
            flag.clear()
            if hub.after(cursor):  # arrived while we were sending
                continue
            try:
                await asyncio.wait_for(flag.wait(), timeout=wait)
            except TimeoutError:
                yield ": keepalive\n\n"
    finally:
        hub.drop(flag)


@router.get(
    "/stream",
    summary="live.api.stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    session: SessionDep,
    actor: Annotated[Actor, permit("live.read")],
    last_event_id: Annotated[str | None, Header()] = None,
    cursor: Annotated[str | None, Query(description="live.field.cursor")] = None,
    until_idle: Annotated[
        float | None,
        Query(gt=0, le=60, description="live.field.until_idle"),
    ] = None,
) -> StreamingResponse:
    """Events the role may read, in delivery order; resume with the last `id:` received."""
    hub = _hub(request)
    # async endpoint: the connection the login check took goes back to the pool here and now,
    # without waiting for a worker thread (many streams opening at once would otherwise hold
    # every pooled connection while waiting for threads held by requests waiting for them)
    session.close()
    return StreamingResponse(
        _frames(request, hub, actor, Cursor.parse(last_event_id or cursor), until_idle),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
