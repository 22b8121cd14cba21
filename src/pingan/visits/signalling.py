"""Signalling of a video visit: the socket's token, who may say what to whom, and the rooms.

The platform relays only the words of WebRTC (offers, answers, ICE candidates) between the
peers of one call; media flows browser to browser and never through here. A peer proves its
place with the short-lived token the session POST handed out (`mint` / `claims`): the token
names the room and the side, so neither can be chosen on the socket. `check` decides each
message from the sender's side alone (a pure rule, tested directly): the visitor and the
terminal talk to each other, the monitor offers receive-only to each of them and is answered.

Rooms live in this process (`Rooms`): several API processes behind a balancer would need a
shared bus (docs/visits.md, "The call"); one process serves every call of a facility today.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

VISITOR, TERMINAL, MONITOR = "visitor", "terminal", "monitor"
SIDES = (VISITOR, TERMINAL, MONITOR)
TOKEN_TTL_S = 120  # enough to open the socket after the POST; a reconnect asks again
MAX_MESSAGE_CHARS = 64_000  # an SDP with simulcast stays well under this
MAX_SDP_CHARS = 30_000
CLIENT_TYPES = frozenset({"offer", "answer", "ice", "leave", "end"})

# (sender, receiver) pairs per message type: the monitor only offers and only to a side, and
# only the sides answer it; visitor and terminal negotiate between themselves either way
_TALK = {(VISITOR, TERMINAL), (TERMINAL, VISITOR)}
LINKS: dict[str, frozenset[tuple[str, str]]] = {
    "offer": frozenset(_TALK | {(MONITOR, VISITOR), (MONITOR, TERMINAL)}),
    "answer": frozenset(_TALK | {(VISITOR, MONITOR), (TERMINAL, MONITOR)}),
    "ice": frozenset((a, b) for a in SIDES for b in SIDES if a != b),
}


class Refused(ValueError):
    """A message or token this socket will not accept; `code` goes back to the peer."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- the token -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Claims:
    session_id: int
    room: str
    side: str
    user_id: int
    username: str
    role: str
    expires: int  # epoch seconds


def token_key(secret: bytes) -> bytes:
    """The tokens' HMAC key, derived from the platform's secret (one key file to keep)."""
    return hashlib.sha256(b"pingan-visit-signal:" + secret).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint(key: bytes, claims: Claims) -> str:
    body = _b64(json.dumps(_as_dict(claims)).encode())
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def _as_dict(c: Claims) -> dict[str, Any]:
    return {
        "sid": c.session_id, "room": c.room, "side": c.side, "uid": c.user_id,
        "user": c.username, "role": c.role, "exp": c.expires,
    }  # fmt: skip


def claims(key: bytes, token: str, *, now: datetime) -> Claims:
    """The token's claims, or Refused("bad_token" / "token_expired")."""
    try:
        body, mac = token.split(".")
        good = hmac.new(key, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(good, _unb64(mac)):
            raise Refused("bad_token")
        d = json.loads(_unb64(body))
        found = Claims(
            int(d["sid"]), str(d["room"]), str(d["side"]), int(d["uid"]),
            str(d["user"]), str(d["role"]), int(d["exp"]),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused("bad_token") from exc
    if found.side not in SIDES:
        raise Refused("bad_token")
    if now.timestamp() >= found.expires:
        raise Refused("token_expired")
    return found


# -- one message -----------------------------------------------------------------------------
_MEDIA = re.compile(r"^m=(\w+)", re.MULTILINE)
_DIRECTION = re.compile(r"^a=(sendrecv|sendonly|recvonly|inactive)\s*$", re.MULTILINE)


def _directions(sdp: str) -> list[tuple[str, str]]:
    """(media kind, direction) of each m-section; no direction attribute means sendrecv."""
    out = []
    starts = [m.start() for m in _MEDIA.finditer(sdp)]
    session_part = sdp[: starts[0]] if starts else sdp
    default = (_DIRECTION.findall(session_part) or ["sendrecv"])[-1]
    for i, start in enumerate(starts):
        part = sdp[start : starts[i + 1] if i + 1 < len(starts) else len(sdp)]
        kind = _MEDIA.match(part)
        found = _DIRECTION.findall(part)
        out.append((kind.group(1) if kind else "", found[-1] if found else default))
    return out


def receive_only(sdp: str) -> bool:
    """Whether an SDP receives audio/video and sends nothing (no data channel either)."""
    sections = _directions(sdp)
    return bool(sections) and all(
        kind in ("audio", "video") and direction in ("recvonly", "inactive")
        for kind, direction in sections
    )


def send_only(sdp: str) -> bool:
    """Whether an SDP answering the monitor sends and receives nothing from it."""
    sections = _directions(sdp)
    return bool(sections) and all(d in ("sendonly", "inactive") for _, d in sections)


def check(sender: str, message: Any) -> dict[str, Any]:
    """The message as relayed (its `from` set here, never taken from the peer), or Refused.

    offer/answer carry `sdp` (a string) and `to`; ice carries `candidate` (an object or null
    at the end of gathering) and `to`; leave and end go to the server (end: `reason`)."""
    if not isinstance(message, dict):
        raise Refused("bad_message")
    kind = message.get("type")
    if kind not in CLIENT_TYPES:
        raise Refused("unknown_type")
    if kind in ("leave", "end"):
        reason = message.get("reason")
        if kind == "end" and sender == MONITOR:
            raise Refused("monitor_ends_by_api")  # with a reason, POST …/end (audited)
        if reason is not None and reason not in ("completed", "left"):
            raise Refused("bad_reason")
        return {"type": kind, "from": sender, "reason": reason or "completed"}
    to = message.get("to")
    if (sender, to) not in LINKS[kind]:
        raise Refused("not_your_peer")
    out: dict[str, Any] = {"type": kind, "from": sender, "to": to}
    if kind == "ice":
        candidate = message.get("candidate")
        if candidate is not None and not isinstance(candidate, dict):
            raise Refused("bad_candidate")
        out["candidate"] = candidate
        return out
    sdp = message.get("sdp")
    if not isinstance(sdp, str) or not 0 < len(sdp) <= MAX_SDP_CHARS:
        raise Refused("bad_sdp")
    if kind == "offer" and sender == MONITOR and not receive_only(sdp):
        raise Refused("monitor_receive_only")
    if kind == "answer" and to == MONITOR and not send_only(sdp):
        raise Refused("monitor_receive_only")
    out["sdp"] = sdp
    return out


# -- the rooms of this process ---------------------------------------------------------------
Send = Callable[[dict[str, Any]], Awaitable[None]]
Close = Callable[[int], Awaitable[None]]


@dataclass(eq=False)
class Peer:
    side: str
    user_id: int
    send: Send
    close: Close


@dataclass(eq=False)
class Room:
    name: str
    session_id: int
    peers: dict[str, Peer] = field(default_factory=dict)
    timer: asyncio.Task[None] | None = None


class Rooms:
    """The calls this process relays: one peer per side per room (a second socket for the
    same side replaces the first, e.g. after a reload)."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}

    def get(self, name: str) -> Room | None:
        return self._rooms.get(name)

    def room(self, name: str, session_id: int) -> Room:
        found = self._rooms.get(name)
        if found is None:
            found = self._rooms[name] = Room(name, session_id)
        return found

    async def join(self, room: Room, peer: Peer) -> Peer | None:
        """Seat the peer; the one it replaces (if any) is returned, already closed."""
        old = room.peers.get(peer.side)
        room.peers[peer.side] = peer
        if old is not None:
            await _quietly(old.send({"type": "replaced"}))
            await _quietly(old.close(4009))
        return old

    def present(self, room: Room) -> list[str]:
        return [s for s in SIDES if s in room.peers]

    async def leave(self, room: Room, peer: Peer) -> bool:
        """Unseat the peer (if still seated); the others hear it. False when already gone."""
        if room.peers.get(peer.side) is not peer:
            return False
        del room.peers[peer.side]
        await self.tell(room, {"type": "leave", "from": peer.side})
        if not room.peers and room.timer is None:
            self._rooms.pop(room.name, None)
        return True

    async def relay(self, room: Room, message: dict[str, Any]) -> bool:
        """Pass a checked message to its `to`; False when that side is not in the room."""
        target = room.peers.get(message["to"])
        if target is None:
            return False
        await _quietly(target.send(message))
        return True

    async def tell(self, room: Room, message: dict[str, Any], *, but: str | None = None) -> None:
        for side, peer in list(room.peers.items()):
            if side != but:
                await _quietly(peer.send(message))

    async def close(self, name: str, message: dict[str, Any]) -> None:
        """Tell every peer (end, time_up) and close the room's sockets."""
        room = self._rooms.pop(name, None)
        if room is None:
            return
        if room.timer is not None and room.timer is not asyncio.current_task():
            room.timer.cancel()
        peers = list(room.peers.values())
        room.peers.clear()
        for peer in peers:
            await _quietly(peer.send(message))
            await _quietly(peer.close(1000))


async def _quietly(step: Awaitable[None]) -> None:
    """A peer whose socket is already gone misses the message; the others still get it."""
    try:
        await step
    except Exception:  # noqa: BLE001 - any transport error means "that peer is gone"
        return
