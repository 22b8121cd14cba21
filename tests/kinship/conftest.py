"""Family-search fixtures for the matching side: a pinned app clock and a world of two
cases on opposite sides with one candidate between their donors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from tests.conftest import TEST_PASSWORD
from tests.kinship import match_rows
from tests.trust.conftest import Clock

GENOTYPES_A = {"D3S1358": ("15", "16"), "vWA": ("14", "17"), "TH01": ("9", "9.3")}
GENOTYPES_B = {"D3S1358": ("15", "17"), "vWA": ("14", "17"), "TH01": ("7", "9")}
FACTORS = {"D3S1358": 1.4, "vWA": 3.2, "TH01": 0.9}


@dataclass
class World:
    candidate_id: int
    adoptee_case: int
    family_case: int


@pytest.fixture
def match_clock(client) -> Clock:  # type: ignore[no-untyped-def]
    """The app's clock, moved only by the test (login tokens are checked against it)."""
    c = Clock()
    client.app.state.clock = c
    return c


@pytest.fixture
def world(client, accounts, db, vault, match_clock) -> World:  # type: ignore[no-untyped-def]
    by = accounts.ids[Role.ANALYST]
    with db.session() as s:
        adoptee = match_rows.case(s, "XQ-2026-0001", "adoptee", by)
        family = match_rows.case(s, "XQ-2026-0002", "family", by)
        a = match_rows.donor(s, vault, adoptee, "KS-A0000001", "self", by, GENOTYPES_A)
        b = match_rows.donor(s, vault, family, "KS-B0000001", "full_sibling", by, GENOTYPES_B)
        row = match_rows.candidate(s, a, b, by, factors=FACTORS)
        s.commit()
        return World(row.id, adoptee.id, family.id)


def second_account(client, db, vault, role: Role, name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Another signed-in account of `role` (the accounts fixture has one per role)."""
    with db.session() as s:
        auth_service.create_user(
            s,
            Actor.system("test"),
            vault,
            username=name,
            password=TEST_PASSWORD,
            role=role,
            phone="13800138001",
        )
    r = client.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def audit_actions(db, action: str) -> list:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from pingan.audit.models import AuditRecord

    with db.session() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))
