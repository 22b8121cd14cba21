"""The signing service on the store (SQLite and PostgreSQL): keys, rotation, revocation,
sealed private keys, the published key list verifying offline, tampering, the HTTP API."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.errors import Forbidden, NotFound, ValidationFailed
from pingan.trust import signing
from pingan.trust.signing import jwk
from pingan.trust.signing.kek import SealError, derive_kek, unseal
from pingan.trust.signing.models import SigningKey
from tests.conftest import SECRET

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ADMIN = Actor(1, "admin1", Role.ADMIN, None)
ALGS = ("ed25519", "sm2")
KEYS = "/api/v1/trust/keys"


@pytest.fixture
def store(db):  # type: ignore[no-untyped-def]
    signing.use_key(db, base64.urlsafe_b64decode(SECRET))
    return db


@pytest.mark.parametrize("alg", ALGS)
def test_sign_verify_rotate_and_revoke(store, alg):
    with store.session() as session:
        first = signing.rotate(session, ADMIN, alg, now=T0)
        sig = signing.sign(session, alg, b"payload")
        assert (sig.key_id, sig.alg, len(sig.value)) == (first.key_id, alg, 64)
        assert signing.verify(session, sig.key_id, b"payload", sig)
        assert first.key_id == jwk.key_id(alg, first.public_key)
        assert first.key_id.startswith(f"{alg}-")

        second = signing.rotate(session, ADMIN, alg, now=T1)
        assert second.key_id != first.key_id
        assert signing.sign(session, alg, b"x").key_id == second.key_id
        assert signing.verify(session, first.key_id, b"payload", sig.value)  # retired: verifies
        statuses = {k.key_id: k.status for k in signing.list_keys(session)}
        assert statuses == {first.key_id: "retired", second.key_id: "active"}

        signing.revoke(session, ADMIN, first.key_id, "laptop lost", now=T1)
        verdict = signing.verify(session, first.key_id, b"payload", sig.value)
        assert not verdict and verdict.reason == "key_revoked"
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert actions.count("trust.key_rotate") == 2 and "trust.key_revoke" in actions


def test_sm2_key_keeps_its_user_id_and_publishes_it(store):
    with store.session() as session:
        row = signing.rotate(session, ADMIN, "sm2", now=T0)
        assert row.sm2_uid == "1234567812345678"
        entry = signing.published_keys(session)["keys"][0]
    assert entry["uid"] == "1234567812345678"
    assert (entry["kty"], entry["crv"], entry["alg"]) == ("EC", "SM2", "SM2SM3")
    assert entry["valid_from"] == "2026-03-01T09:00:00Z" and entry["status"] == "active"


def test_unknown_key_and_algorithm_give_reason_codes(store):
    with store.session() as session:
        verdict = signing.verify(session, "ed25519-nosuchkey", b"p", bytes(64))
        assert not verdict and verdict.reason == "unknown_key"
        with pytest.raises(ValidationFailed) as exc:
            signing.sign(session, "rsa", b"p")
        assert exc.value.code == "unknown_algorithm"
        with pytest.raises(NotFound) as missing:
            signing.revoke(session, ADMIN, "sm2-nosuchkey", "x")
        assert missing.value.code == "unknown_key"
        officer = Actor(2, "officer1", Role.OFFICER, None)
        with pytest.raises(Forbidden):
            signing.rotate(session, officer, "ed25519")
        assert session.execute(select(SigningKey)).first() is None


def test_the_published_list_alone_verifies_offline(store):
    with store.session() as session:
        sigs = [signing.sign(session, alg, "证明 no. 7".encode()) for alg in ALGS]
        document = json.loads(json.dumps(signing.published_keys(session)))  # as fetched
    for sig in sigs:
        assert signing.verify(document, sig.key_id, "证明 no. 7".encode(), sig)
        assert signing.verify(document["keys"], sig.key_id, "证明 no. 7".encode(), sig.value)
        entry = next(k for k in document["keys"] if k["kid"] == sig.key_id)
        members = {k: entry[k] for k in ("crv", "kty", "x", "y") if k in entry}
        assert sig.key_id == f"{sig.alg}-{jwk.thumbprint(members)[:16]}"  # recomputable
    revoked = json.loads(json.dumps(document))
    revoked["keys"][0]["status"] = "revoked"
    kid = revoked["keys"][0]["kid"]
    sig = next(s for s in sigs if s.key_id == kid)
    assert signing.verify(revoked, kid, "证明 no. 7".encode(), sig).reason == "key_revoked"


def test_the_store_rows_alone_cannot_sign(store):
    """Private keys are sealed under a KEK derived from the secret, which is not stored: with
    every row in hand but another secret, the seal does not open."""
    with store.session() as session:
        signing.rotate(session, ADMIN, "ed25519", now=T0)
        row = session.execute(select(SigningKey)).scalar_one()
        sealed, kid = row.private_sealed, row.key_id
    assert len(sealed) == 12 + 32 + 16  # nonce, seed, tag: no clear key in the row
    with pytest.raises(SealError):
        unseal(derive_kek(bytes(32)), kid, "ed25519", sealed)
    with pytest.raises(SealError):  # bound to its row: another key id does not open it
        unseal(derive_kek(base64.urlsafe_b64decode(SECRET)), "ed25519-other", "ed25519", sealed)
    assert len(unseal(derive_kek(base64.urlsafe_b64decode(SECRET)), kid, "ed25519", sealed)) == 32
    with store.session() as stranger:  # a session of this store with another secret bound
        stranger.info["pingan.signing_kek"] = derive_kek(bytes(32))
        with pytest.raises(SealError):
            signing.sign(stranger, "ed25519", b"p")


@pytest.mark.parametrize("alg", ALGS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_flipping_any_byte_of_payload_or_signature_fails(store, alg, data):
    with store.session() as session:
        payload = data.draw(st.binary(min_size=1, max_size=200))
        sig = signing.sign(session, alg, payload)
        document = signing.published_keys(session)
    assert signing.verify(document, sig.key_id, payload, sig)
    i = data.draw(st.integers(0, len(payload) - 1))
    bit = data.draw(st.integers(0, 7))
    bad = bytearray(payload)
    bad[i] ^= 1 << bit
    assert signing.verify(document, sig.key_id, bytes(bad), sig).reason == "bad_signature"
    j = data.draw(st.integers(0, len(sig.value) - 1))
    flipped = bytearray(sig.value)
    flipped[j] ^= 1 << bit
    assert not signing.verify(document, sig.key_id, payload, bytes(flipped))


def test_http_key_list_is_public_and_rotation_is_admin_only(client, accounts, store):
    empty = client.get(KEYS)
    assert empty.status_code == 200 and empty.json()["keys"] == []
    refused = client.post(f"{KEYS}/rotate", json={"algorithm": "sm2"},
                          headers=accounts.headers(Role.COMMANDER))  # fmt: skip
    assert refused.status_code == 403
    bad = client.post(f"{KEYS}/rotate", json={"algorithm": "rsa"},
                      headers=accounts.headers(Role.ADMIN))  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_algorithm"
    made = client.post(f"{KEYS}/rotate", json={"algorithm": "sm2"},
                       headers=accounts.headers(Role.ADMIN))  # fmt: skip
    assert made.status_code == 201, made.text
    kid = made.json()["kid"]
    listed = client.get(KEYS).json()["keys"]
    assert [k["kid"] for k in listed] == [kid] and "d" not in listed[0]
    with store.session() as session:
        sig = signing.sign(session, "sm2", b"record")
        assert (
            session.execute(select(AuditRecord).where(AuditRecord.action == "trust.key_rotate"))
            .scalars()
            .all()[0]
            .actor
            == "admin1"
        )
    assert signing.verify(client.get(KEYS).json(), kid, b"record", sig)
    gone = client.post(f"{KEYS}/{kid}/revoke", json={"reason": "test"},
                       headers=accounts.headers(Role.ADMIN))  # fmt: skip
    assert gone.status_code == 200 and gone.json()["status"] == "revoked"
    assert not signing.verify(client.get(KEYS).json(), kid, b"record", sig)
