"""A small visits world for the booking tests, made with the registry's row factories
(tests/visits/rows.py): a 看守所 with a lawyer and a family terminal, a 拘留所 with a family
terminal, three detainees, two family visitors (张三, 周九) and a lawyer (李四), all at L2,
their accepted ties and a case-authority consent for the first detainee; a pinned clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.engine import Database
from pingan.pii.vault import Vault
from pingan.trust.identity.adapters import Adapters, TestDoubleFace, TestDoubleSms
from pingan.visits.models import VisitBooking, VisitSlotClaim, VisitTerminal
from pingan.visits.slots import BEIJING
from tests.conftest import TEST_PASSWORD
from tests.trust.people import LI, ZHANG, id_number
from tests.visits import rows

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


@pytest.fixture(name="world")
def world_fixture(client, db, accounts, vault) -> Iterator[World]:
    clock = Clock(NOW)
    client.app.state.clock = clock
    client.app.state.identity_adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
    ids: dict[str, int] = {f"user_{r.value}": accounts.ids[r] for r in Role}
    with db.session() as s:
        kss = rows.facility(s, code="KSS1", hours=HOURS, now=NOW)
        jls = rows.facility(
            s,
            code="JLS1",
            kind="admin_detention_centre",
            terminals=(("F1", "family"),),
            hours=HOURS,
            now=NOW,
        )
        terminals = {f"{f.code}/{t.code}": t.id for f in (kss, jls) for t in _terminals(s, f.id)}
        d1 = rows.detainee(s, vault, kss, no="KSS-2026-001", now=NOW)
        d2 = rows.detainee(
            s,
            vault,
            jls,
            no="JLS-2026-001",
            number=rows.id_number("19910606", "654"),
            stage="administrative",
            now=NOW,
        )
        d3 = rows.detainee(
            s, vault, kss, no="KSS-2026-002", number=rows.id_number("19920707", "987"), now=NOW
        )
        family = rows.visitor(s, vault, accounts.ids[Role.CITIZEN], number=ZHANG, now=NOW)
        lawyer = rows.visitor(
            s, vault, accounts.ids[Role.LAWYER], role="lawyer", name="李四", number=LI, now=NOW
        )
        other = auth_service.create_user(
            s,
            Actor.system("test"),
            vault,
            username="citizen2",
            password=TEST_PASSWORD,
            role=Role.CITIZEN,
        )
        s.commit()
        family2 = rows.visitor(
            s, vault, other.id, name="周九", number=rows.id_number("19800808", "246"), now=NOW
        )
        rels = {
            "rel_family": rows.relation(s, family, d1, now=NOW),
            "rel_family_jls": rows.relation(s, family, d2, relation="parent", now=NOW),
            "rel_family_d3": rows.relation(s, family, d3, relation="sibling", now=NOW),
            "rel_lawyer": rows.relation(s, lawyer, d1, now=NOW),
        }
        consent = rows.consent(
            s, d1, by=accounts.ids[Role.OFFICER], now=NOW - timedelta(days=1), days=31
        )
        ids |= {
            "t_lawyer": terminals["KSS1/L1"],
            "t_family": terminals["KSS1/F1"],
            "t_jls_family": terminals["JLS1/F1"],
        }
        ids |= {k: r.id for k, r in rels.items()}
        ids |= {"kss": kss.id, "jls": jls.id, "d1": d1.id, "d2": d2.id, "d3": d3.id}
        ids |= {"family": family.id, "family2": family2.id, "lawyer": lawyer.id}
        ids |= {"consent": consent.id}
    headers = {r: accounts.headers(r) for r in Role}
    yield World(client, db, vault, clock, headers, ids)


def _terminals(session: Any, facility_id: int) -> list[VisitTerminal]:
    return list(
        session.scalars(select(VisitTerminal).where(VisitTerminal.facility_id == facility_id))
    )


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
