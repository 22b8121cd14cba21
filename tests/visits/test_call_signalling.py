"""The signalling socket `/api/v1/visits/signal`: the token, the room, who may say what to
whom (the monitor receive-only), the call's start, its end by the monitor and at time up."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from pingan.auth.roles import Role
from pingan.jobs import load_jobs
from pingan.visits import sessions, signalling
from pingan.visits.models import VisitBooking, VisitSession, VisitSessionEvent
from pingan.visits.signalling import MONITOR, TERMINAL, VISITOR, Refused, check
from tests.visits.call_rows import (
    START,
)

SOCKET = "/api/v1/visits/signal"
SENDRECV = (
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n"
)
RECVONLY = (
    SENDRECV.replace("a=sendrecv", "a=recvonly")
    + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\n"
)
SENDONLY = SENDRECV.replace("a=sendrecv", "a=sendonly")


# -- the rules, directly ---------------------------------------------------------------------
def test_visitor_and_terminal_negotiate_either_way():
    out = check(VISITOR, {"type": "offer", "to": TERMINAL, "sdp": SENDRECV, "from": "monitor"})
    assert out == {"type": "offer", "from": VISITOR, "to": TERMINAL, "sdp": SENDRECV}
    assert check(TERMINAL, {"type": "answer", "to": VISITOR, "sdp": SENDRECV})["from"] == TERMINAL
    assert check(VISITOR, {"type": "ice", "to": TERMINAL, "candidate": None})["candidate"] is None


@pytest.mark.parametrize(
    ("sender", "message", "code"),
    [
        (MONITOR, {"type": "offer", "to": VISITOR, "sdp": SENDRECV}, "monitor_receive_only"),
        (MONITOR, {"type": "offer", "to": VISITOR, "sdp": SENDONLY}, "monitor_receive_only"),
        (MONITOR, {"type": "answer", "to": VISITOR, "sdp": SENDONLY}, "not_your_peer"),
        (VISITOR, {"type": "offer", "to": MONITOR, "sdp": SENDRECV}, "not_your_peer"),
        (VISITOR, {"type": "answer", "to": MONITOR, "sdp": SENDRECV}, "monitor_receive_only"),
        (VISITOR, {"type": "offer", "to": VISITOR, "sdp": SENDRECV}, "not_your_peer"),
        (VISITOR, {"type": "offer", "to": TERMINAL, "sdp": ""}, "bad_sdp"),
        (VISITOR, {"type": "ice", "to": TERMINAL, "candidate": "x"}, "bad_candidate"),
        (VISITOR, {"type": "warn", "to": TERMINAL}, "unknown_type"),
        (VISITOR, {"type": "time_up"}, "unknown_type"),
        (MONITOR, {"type": "end"}, "monitor_ends_by_api"),
        (VISITOR, {"type": "end", "reason": "violation"}, "bad_reason"),
        (VISITOR, ["offer"], "bad_message"),
    ],
)
def test_what_is_refused(sender, message, code):
    with pytest.raises(Refused) as refused:
        check(sender, message)
    assert refused.value.code == code


def test_the_monitor_offers_receive_only_and_is_answered_send_only():
    assert check(MONITOR, {"type": "offer", "to": TERMINAL, "sdp": RECVONLY})["to"] == TERMINAL
    assert check(TERMINAL, {"type": "answer", "to": MONITOR, "sdp": SENDONLY})["to"] == MONITOR
    with_data = RECVONLY + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    assert not signalling.receive_only(with_data)


def test_a_token_is_bound_to_its_key_and_expires():
    key, now = signalling.token_key(b"k" * 32), START
    c = signalling.Claims(1, "room", VISITOR, 7, "citizen1", "citizen", int(now.timestamp()) + 60)
    token = signalling.mint(key, c)
    assert signalling.claims(key, token, now=now) == c
    with pytest.raises(Refused, match="bad_token"):
        signalling.claims(signalling.token_key(b"j" * 32), token, now=now)
    with pytest.raises(Refused, match="bad_token"):
        body, mac = token.split(".")
        signalling.claims(key, body[:-2] + "xx." + mac, now=now)
    with pytest.raises(Refused, match="token_expired"):
        signalling.claims(key, token, now=now + timedelta(seconds=61))


# -- the socket ------------------------------------------------------------------------------
def admit(client, accounts, role, booking, side=None):
    r = client.post(
        f"/api/v1/visits/bookings/{booking}/session",
        json={"side": side} if side else {},
        headers=accounts.headers(role),
    )
    assert r.status_code == 200, r.text
    return r.json()


def enter(ws, admission):
    ws.send_json({"type": "join", "token": admission["token"]})
    joined = ws.receive_json()
    assert joined["type"] == "joined" and joined["side"] == admission["side"], joined
    return joined


def test_a_call_between_visitor_and_terminal_with_a_monitor(client, accounts, call_world, db):
    v = admit(client, accounts, Role.CITIZEN, call_world.family_booking)
    t = admit(client, accounts, Role.OFFICER, call_world.family_booking)
    m = admit(client, accounts, Role.COMMANDER, call_world.family_booking)
    with (
        client.websocket_connect(SOCKET) as tw,
        client.websocket_connect(SOCKET) as vw,
        client.websocket_connect(SOCKET) as mw,
    ):
        assert enter(tw, t)["peers"] == []
        with db.session() as s:
            assert s.scalar(select(VisitSession)).started_at is None
        assert enter(vw, v)["peers"] == [TERMINAL]
        assert tw.receive_json() == {"type": "join", "from": VISITOR}
        with db.session() as s:
            call = s.scalar(select(VisitSession))
            assert call.status == "live" and call.started_at is not None
            assert s.get(VisitBooking, call_world.family_booking).status == "in_call"
        # the terminal offers, the visitor answers; `from` is the server's word
        tw.send_json({"type": "offer", "to": VISITOR, "sdp": SENDRECV, "from": MONITOR})
        assert vw.receive_json() == {
            "type": "offer",
            "from": TERMINAL,
            "to": VISITOR,
            "sdp": SENDRECV,
        }
        vw.send_json({"type": "answer", "to": TERMINAL, "sdp": SENDRECV})
        assert tw.receive_json()["type"] == "answer"
        vw.send_json(
            {"type": "ice", "to": TERMINAL, "candidate": {"candidate": "c", "sdpMid": "0"}}
        )
        assert tw.receive_json()["candidate"] == {"candidate": "c", "sdpMid": "0"}
        # the monitor joins; a sending offer is refused, a receive-only one relayed
        assert set(enter(mw, m)["peers"]) == {VISITOR, TERMINAL}
        assert vw.receive_json() == {"type": "join", "from": MONITOR}
        assert tw.receive_json() == {"type": "join", "from": MONITOR}
        mw.send_json({"type": "offer", "to": VISITOR, "sdp": SENDRECV})
        assert mw.receive_json() == {"type": "error", "code": "monitor_receive_only"}
        mw.send_json({"type": "offer", "to": VISITOR, "sdp": RECVONLY})
        assert vw.receive_json()["from"] == MONITOR
        vw.send_json({"type": "answer", "to": MONITOR, "sdp": SENDONLY})
        assert mw.receive_json()["from"] == VISITOR
        vw.send_json({"type": "offer", "to": MONITOR, "sdp": SENDRECV})
        assert vw.receive_json() == {"type": "error", "code": "not_your_peer"}
        vw.send_text("not json")
        assert vw.receive_json() == {"type": "error", "code": "bad_message"}
        # a warning reaches every side, the monitor's end closes the room
        h = accounts.headers(Role.COMMANDER)
        sid = v["session_id"]
        r = client.post(
            f"/api/v1/visits/sessions/{sid}/warn", json={"note": "请勿谈论案情"}, headers=h
        )
        assert r.status_code == 200
        for ws in (vw, tw, mw):
            assert ws.receive_json() == {"type": "warn", "note": "请勿谈论案情"}
        r = client.post(
            f"/api/v1/visits/sessions/{sid}/end", json={"reason": "officer_ended"}, headers=h
        )
        assert r.status_code == 200
        for ws in (vw, tw, mw):
            assert ws.receive_json() == {"type": "end", "reason": "officer_ended"}
            with pytest.raises(WebSocketDisconnect):
                ws.receive_json()
    with db.session() as s:
        kinds = s.scalars(select(VisitSessionEvent.kind).order_by(VisitSessionEvent.id)).all()
    assert kinds == ["joined", "joined", "monitor_joined", "warned", "ended"]
    with client.websocket_connect(SOCKET) as late:  # a token for an ended call opens nothing
        late.send_json({"type": "join", "token": v["token"]})
        assert late.receive_json() == {"type": "error", "code": "session_ended"}


def test_a_side_ends_the_call_on_the_socket_and_a_leave_is_heard(client, accounts, call_world, db):
    v = admit(client, accounts, Role.LAWYER, call_world.lawyer_booking)
    t = admit(client, accounts, Role.OFFICER, call_world.lawyer_booking)
    with client.websocket_connect(SOCKET) as tw:
        enter(tw, t)
        with client.websocket_connect(SOCKET) as vw:
            enter(vw, v)
            assert tw.receive_json()["type"] == "join"
            vw.send_json({"type": "leave"})
        assert tw.receive_json() == {"type": "leave", "from": VISITOR}
        tw.send_json({"type": "offer", "to": VISITOR, "sdp": SENDRECV})
        assert tw.receive_json() == {"type": "error", "code": "peer_absent", "to": VISITOR}
        tw.send_json({"type": "end", "reason": "completed"})
        assert tw.receive_json() == {"type": "end", "reason": "completed", "by": TERMINAL}
    with db.session() as s:
        call = s.scalar(select(VisitSession))
        assert (call.status, call.end_reason) == ("ended", "completed")
        kinds = s.scalars(select(VisitSessionEvent.kind).order_by(VisitSessionEvent.id)).all()
    assert kinds == ["joined", "joined", "left", "ended"]


def test_a_bad_or_expired_token_opens_nothing(client, accounts, call_world):
    t = admit(client, accounts, Role.OFFICER, call_world.family_booking)
    with client.websocket_connect(SOCKET) as ws:
        ws.send_json({"type": "join", "token": t["token"] + "x"})
        assert ws.receive_json() == {"type": "error", "code": "bad_token"}
    with client.websocket_connect(SOCKET) as ws:
        ws.send_json({"type": "offer", "to": VISITOR, "sdp": SENDRECV})
        assert ws.receive_json() == {"type": "error", "code": "join_first"}
    client.app.state.clock = lambda: START + timedelta(minutes=1, seconds=signalling.TOKEN_TTL_S)
    with client.websocket_connect(SOCKET) as ws:
        ws.send_json({"type": "join", "token": t["token"]})
        assert ws.receive_json() == {"type": "error", "code": "token_expired"}


def test_a_second_socket_of_the_same_side_replaces_the_first(client, accounts, call_world):
    t = admit(client, accounts, Role.OFFICER, call_world.family_booking)
    with client.websocket_connect(SOCKET) as first:
        enter(first, t)
        with client.websocket_connect(SOCKET) as second:
            enter(second, admit(client, accounts, Role.OFFICER, call_world.family_booking))
            assert first.receive_json() == {"type": "replaced"}


def test_time_up_at_the_bookings_end(client, accounts, call_world, db):
    ends = START + timedelta(minutes=30)
    client.app.state.clock = lambda: ends - timedelta(seconds=1)
    t = admit(client, accounts, Role.OFFICER, call_world.family_booking)
    m = admit(client, accounts, Role.COMMANDER, call_world.family_booking)
    with client.websocket_connect(SOCKET) as tw, client.websocket_connect(SOCKET) as vw:
        enter(tw, t)
        enter(vw, m)
        assert tw.receive_json()["type"] == "join"
        began = time.monotonic()
        assert vw.receive_json() == {"type": "time_up"}
        assert tw.receive_json() == {"type": "time_up"}
        assert time.monotonic() - began < 5
    with db.session() as s:
        call = s.scalar(select(VisitSession))
        assert (call.status, call.end_reason, call.ended_by) == ("ended", "time_up", None)


def test_a_call_left_on_past_its_end_is_ended_by_the_job(client, accounts, call_world, db):
    """No socket (its process stopped): the overdue job ends the call as time_up."""
    sid = admit(client, accounts, Role.OFFICER, call_world.family_booking)["session_id"]
    ends = START + timedelta(minutes=30)
    with db.session() as s:
        assert sessions.end_overdue(s, now=ends - timedelta(seconds=1)) == 0
        assert sessions.end_overdue(s, now=ends) == 1
        assert sessions.end_overdue(s, now=ends) == 0
        call = s.get(VisitSession, sid)
        assert (call.status, call.end_reason) == ("ended", "time_up")
    assert "visits.overdue_calls" in {j.name for j in load_jobs()}
