"""What the early-warning tests share: a pinned app clock, the API's path, a second officer,
a reported case to tie a number to, and feeds written as CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.fraud.models import FraudCase
from pingan.pii.vault import Vault
from tests.conftest import TEST_PASSWORD

API = "/api/v1/fraud"
FIXED = datetime(2026, 10, 2, 10, 0, tzinfo=UTC)  # 18:00 in Beijing on National Day
FRAUD = "95012345678"  # a known fraud number
OTHER = "17012345678"  # another known one
PERSON = "13912345678"  # whom they call
FEED_HEADER = "number,person_phone,kind,duration_s,at\n"


class Clock:
    """The app's clock, moved only by the test (logins happen before it is pinned: tokens are
    checked against the wall clock)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def pin(client: TestClient) -> Clock:
    clock = Clock(FIXED)
    client.app.state.clock = clock
    return clock


def iso(at: datetime) -> str:
    return at.isoformat()


def feed(*rows: tuple[str, str, str, int | str, datetime | str]) -> str:
    """A CSV feed: (number, person_phone, kind, duration_s, at) per row."""
    lines = [
        f"{n},{p},{k},{d},{iso(a) if isinstance(a, datetime) else a}" for n, p, k, d, a in rows
    ]
    return FEED_HEADER + "\n".join(lines) + "\n"


def officer(client: TestClient, db: Database, vault: Vault, username: str) -> dict[str, str]:
    """Another officer account, logged in: bearer headers."""
    with db.session() as session:
        auth_service.create_user(
            session,
            Actor.system("test"),
            vault,
            username=username,
            password=TEST_PASSWORD,
            role=Role.OFFICER,
        )
    pinned, client.app.state.clock = client.app.state.clock, utcnow  # tokens: wall clock
    try:
        r = client.post(
            "/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD}
        )
    finally:
        client.app.state.clock = pinned
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def reported_case(db: Database, vault: Vault, at: datetime) -> int:
    """A minimal reported case (the case intake's own table) to tie a number to."""
    with db.session() as session:
        case = FraudCase(
            case_no="ZP20261002-0001",
            status="open",
            fraud_type="authority",
            source="officer",
            victim_name_enc=vault.encrypt("张三"),
            victim_name_masked="张*",
            victim_id_enc=vault.encrypt("x"),
            victim_id_key="k",
            victim_id_masked="1527**********1234",
            victim_phone_enc=vault.encrypt("13800000000"),
            victim_phone_key="p",
            victim_phone_masked="138****0000",
            description="",
            loss_fen=100,
            golden_start=at,
            reported_at=at,
        )
        session.add(case)
        session.commit()
        return case.id
