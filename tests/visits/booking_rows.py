"""A small visits world for the booking tests, written with the models directly: a 看守所 and
a 拘留所 with one lawyer and one family terminal each, detainees, a family visitor (张三, at
L2) and a lawyer (李四), their accepted ties and a case-authority consent; a pinned clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.engine import Database
from pingan.pii.vault import Vault
from pingan.trust.identity import register
from pingan.trust.identity.adapters import Adapters, TestDoubleFace, TestDoubleSms
from pingan.visits.models import (
    VisitApproval,
    VisitBooking,
    VisitDetainee,
    VisitFacility,
    VisitRelation,
    VisitSlotClaim,
    VisitTerminal,
    VisitVisitor,
)
from pingan.visits.slots import BEIJING
from tests.trust.people import CSV, LI, ZHANG, id_number

API = "/api/v1/visits"
# Tuesday 8 December 2026, 09:00 in Beijing: a working day in a week without holidays
NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
HOURS = {str(d): [["09:00", "11:30"], ["14:00", "17:00"]] for d in range(7)}
WANG_WU = id_number("150602", "19700101", "111")  # companions on the visitor's side
ZHAO_LIU = id_number("150602", "19720202", "222")
SUN_QI = id_number("150602", "19750303", "333")


def bj(days: int, hour: int, minute: int = 0) -> datetime:
    """That Beijing time `days` after NOW's day, in UTC."""
    day = NOW.astimezone(BEIJING).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


class Clock:
    """The app's clock, pinned; the test moves it (login tokens use the real clock)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class World:
    client: TestClient
    db: Database
    vault: Vault
    clock: Clock
    headers: dict[Role, dict[str, str]]
    ids: dict[str, int]

    def h(self, role: Role) -> dict[str, str]:
        return self.headers[role]

    def book(self, role: Role = Role.CITIZEN, **body: Any) -> Any:
        body.setdefault("relation_id", self.ids["rel_family"])
        return self.client.post(f"{API}/bookings", json=body, headers=self.h(role))

    def actor(self, role: Role) -> Actor:
        return Actor(user_id=self.ids[f"user_{role.value}"], username=f"{role.value}1", role=role)


def reach_l2(client: TestClient, headers: dict[str, str], id_no: str, name: str) -> None:
    r = client.post(
        "/api/v1/trust/identity/verify", json={"id_number": id_no, "name": name}, headers=headers
    )
    assert r.status_code == 200, r.text
    r = client.post(
        "/api/v1/trust/identity/verify",
        json={"method": "face", "image_ref": "selfie"},
        headers=headers,
    )
    assert r.json()["level"] == 2, r.text


def _facility(code: str, kind: str) -> VisitFacility:
    return VisitFacility(
        code=code,
        name=f"{code}所",
        kind=kind,
        address="康巴什区",
        hours=HOURS,
        slot_minutes=30,
        created_at=NOW,
    )


def _detainee(vault: Vault, no: str, facility_id: int, **kw: Any) -> VisitDetainee:
    fields: dict[str, Any] = {
        "status": "held",
        "stage": "investigation",
        "case_authority": "鄂尔多斯市公安局",
        "restrictions": [],
        "held_since": NOW - timedelta(days=30),
        **kw,
    }
    return VisitDetainee(
        detainee_no=no,
        facility_id=facility_id,
        name_enc=vault.encrypt("钱八"),
        name_masked="钱*",
        id_enc=vault.encrypt(no),
        id_key=vault.index(no),
        id_masked="1506**********0000",
        created_at=NOW,
        **fields,
    )


def _visitor(vault: Vault, user_id: int, role: str, name: str, **kw: Any) -> VisitVisitor:
    return VisitVisitor(
        user_id=user_id,
        role=role,
        name_enc=vault.encrypt(name),
        name_masked=name[0] + "*",
        id_key=vault.index(name),
        id_masked="1506**********0000",
        phone_enc=vault.encrypt("13912345678"),
        phone_masked="139****5678",
        created_at=NOW,
        **kw,
    )


def _relation(visitor_id: int, detainee_id: int, relation: str) -> VisitRelation:
    return VisitRelation(
        visitor_id=visitor_id,
        detainee_id=detainee_id,
        relation=relation,
        proof_kind="household_register" if relation != "counsel" else "engagement_letter",
        proof_sha256="0" * 64,
        status="accepted",
        created_at=NOW,
    )


@pytest.fixture(name="world")
def world_fixture(client, db, accounts, vault) -> Iterator[World]:
    clock = Clock(NOW)
    client.app.state.clock = clock
    client.app.state.identity_adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    ids: dict[str, int] = {f"user_{r.value}": accounts.ids[r] for r in Role}
    with db.session() as s:
        register.import_csv(s, Actor.system("test"), vault, CSV, now=NOW)
        kss = _facility("KSS1", "detention_centre")
        jls = _facility("JLS1", "admin_detention_centre")
        s.add_all([kss, jls])
        s.flush()
        terminals = {
            "t_lawyer": VisitTerminal(facility_id=kss.id, code="L1", name="律师室1", use="lawyer"),
            "t_family": VisitTerminal(facility_id=kss.id, code="F1", name="家属室1", use="family"),
            "t_jls_family": VisitTerminal(
                facility_id=jls.id, code="F1", name="家属室1", use="family"
            ),
        }
        s.add_all(terminals.values())
        d1 = _detainee(vault, "KSS-2026-001", kss.id)
        d2 = _detainee(vault, "JLS-2026-001", jls.id, stage="administrative")
        d3 = _detainee(vault, "KSS-2026-002", kss.id)
        s.add_all([d1, d2, d3])
        s.flush()
        family = _visitor(vault, accounts.ids[Role.CITIZEN], "family", "张三")
        lawyer = _visitor(
            vault,
            accounts.ids[Role.LAWYER],
            "lawyer",
            "李四",
            licence_no="11501202610000001",
            organisation="鄂尔多斯某律师事务所",
        )
        family2 = _visitor(vault, accounts.ids[Role.VOLUNTEER], "family", "周九")
        s.add_all([family, lawyer, family2])
        s.flush()
        rels = {
            "rel_family": _relation(family.id, d1.id, "spouse"),
            "rel_family_jls": _relation(family.id, d2.id, "parent"),
            "rel_family_d3": _relation(family.id, d3.id, "sibling"),
            "rel_lawyer": _relation(lawyer.id, d1.id, "counsel"),
        }
        s.add_all(rels.values())
        consent = VisitApproval(
            detainee_id=d1.id,
            visitor_id=None,
            authority="鄂尔多斯市公安局",
            document_no="鄂公同意〔2026〕1号",
            valid_from=NOW - timedelta(days=1),
            valid_until=NOW + timedelta(days=30),
            recorded_by=accounts.ids[Role.OFFICER],
            created_at=NOW,
        )
        s.add(consent)
        s.commit()
        ids |= {k: t.id for k, t in terminals.items()} | {k: r.id for k, r in rels.items()}
        ids |= {"kss": kss.id, "jls": jls.id, "d1": d1.id, "d2": d2.id, "d3": d3.id}
        ids |= {"family": family.id, "family2": family2.id, "lawyer": lawyer.id}
        ids |= {"consent": consent.id}
    headers = {r: accounts.headers(r) for r in Role}
    reach_l2(client, headers[Role.CITIZEN], ZHANG, "张三")
    reach_l2(client, headers[Role.LAWYER], LI, "李四")
    yield World(client, db, vault, clock, headers, ids)


def past_booking(
    w: World, status: str, starts_at: datetime, *, claim: bool = False, **kw: Any
) -> int:
    """A booking row as another visit left it (for quotas, shares and no-shows); `claim`
    also holds its slot."""
    fields: dict[str, Any] = {
        "facility_id": w.ids["kss"],
        "terminal_id": w.ids["t_family"],
        "detainee_id": w.ids["d1"],
        "visitor_id": w.ids["family"],
        "kind": "family",
        **kw,
    }
    with w.db.session() as s:
        n = s.query(VisitBooking).count()
        row = VisitBooking(
            booking_no=f"HJ20261101-{9000 + n}",
            status=status,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            party=[],
            recorded=True,
            monitored=True,
            assurance={},
            created_by=w.ids["user_citizen"],
            created_at=starts_at - timedelta(days=2),
            **fields,
        )
        s.add(row)
        s.flush()
        if claim:
            s.add(
                VisitSlotClaim(terminal_id=row.terminal_id, starts_at=starts_at, booking_id=row.id)
            )
        s.commit()
        return row.id
