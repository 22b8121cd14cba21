"""Every write leaves a chained audit record; editing, deleting, truncating or rewriting
it without the audit key is detected."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import delete, func, select, update

from pingan.audit import service as audit
from pingan.audit.chain import GENESIS_HASH, compute_hash, legacy_hash
from pingan.audit.models import AuditHead, AuditRecord
from pingan.auth.roles import Role
from pingan.pii.vault import Vault
from tests.audit.forge import rewrite_tail
from tests.helpers import create_incident, create_unit


def _populate(client, accounts) -> None:
    disp = accounts.headers(Role.DISPATCHER)
    inc = create_incident(client, disp)
    unit = create_unit(client, accounts.headers(Role.COMMANDER), "巡A09")
    client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [unit["id"]]}, headers=disp
    )


def _verify(db):
    with db.session() as session:
        return audit.verify(session)


def test_writes_are_recorded_with_who_what_where(client, accounts):
    _populate(client, accounts)
    page = client.get("/api/v1/audit?limit=500", headers=accounts.headers(Role.AUDITOR)).json()
    actions = {r["action"] for r in page["items"]}
    assert {
        "incident.received",
        "incident.dispatched",
        "unit.create",
        "auth.login",
        "user.create",
    } <= actions
    rec = next(r for r in page["items"] if r["action"] == "incident.dispatched")
    assert rec["actor"] == "dispatcher1" and rec["actor_role"] == "dispatcher"
    assert rec["ip"] and rec["object_type"] == "incident"
    assert "13912345678" not in str(page)  # personal data never in clear in the trail
    r = client.get("/api/v1/audit/verify", headers=accounts.headers(Role.AUDITOR))
    assert r.json()["ok"] is True and r.json()["checked"] == page["total"]


def test_editing_a_past_record_is_detected(client, accounts, db):
    _populate(client, accounts)
    with db.engine.begin() as conn:
        conn.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(actor="someone_else"))
    result = _verify(db)
    assert not result.ok and any("seq 3" in p and "changed" in p for p in result.problems)


def test_deleting_a_record_in_the_middle_is_detected(client, accounts, db):
    _populate(client, accounts)
    with db.engine.begin() as conn:
        conn.execute(delete(AuditRecord).where(AuditRecord.seq == 4))
    result = _verify(db)
    assert not result.ok and any("missing" in p for p in result.problems)


def test_cutting_off_the_end_is_detected(client, accounts, db):
    _populate(client, accounts)
    with db.engine.begin() as conn:
        last = conn.execute(select(func.max(AuditRecord.seq))).scalar_one()
        conn.execute(delete(AuditRecord).where(AuditRecord.seq == last))
    assert not _verify(db).ok


# What a writer without the audit key can hash with: the unkeyed SHA-256 the chain used
# before it was keyed, or an audit key derived as Pingan does from a guessed secret key.
WITHOUT_THE_KEY = {
    "unkeyed": legacy_hash,
    "guessed key": partial(compute_hash, Vault(bytes(32)).audit_key),
}


@pytest.mark.parametrize("hasher", WITHOUT_THE_KEY.values(), ids=WITHOUT_THE_KEY.keys())
def test_rewriting_the_whole_tail_consistently_without_the_key_is_caught_at_its_first_record(
    client, accounts, db, hasher
):
    """Every record from seq 4 on gets another action and detail, every link and hash after
    it is recomputed and the head moved: links and head agree, only the keyed hashes do not."""
    _populate(client, accounts)
    first = 4
    last = rewrite_tail(db, first, hasher, action="incident.cancelled", detail={"note": "forged"})
    result = _verify(db)
    assert last > first + 2 and result.checked == last
    assert not result.ok
    assert result.problems == [
        f"seq {seq}: content changed after it was written" for seq in range(first, last + 1)
    ]


def test_deleting_every_record_is_caught_by_the_head(client, accounts, db):
    _populate(client, accounts)
    with db.engine.begin() as conn:
        conn.execute(delete(AuditRecord))
    result = _verify(db)
    assert not result.ok and result.checked == 0
    assert any("head says" in p for p in result.problems)


def test_empty_chain_verifies(db):
    result = _verify(db)
    assert result.ok and result.checked == 0
    with db.session() as session:
        assert session.get(AuditHead, 1).hash == GENESIS_HASH


def test_only_auditors_read_the_trail(client, accounts):
    assert client.get("/api/v1/audit", headers=accounts.headers(Role.ADMIN)).status_code == 403
    assert client.get("/api/v1/audit", headers=accounts.headers(Role.AUDITOR)).status_code == 200
