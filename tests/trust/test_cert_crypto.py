"""The e-certificate's signed forms, offline: the Data Integrity proof against the W3C
eddsa-jcs-2022 vector, VCs and QR payloads verified with the published key list alone, one
flipped byte anywhere failing, expiry, the Bitstring Status List, working-day limits."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.trust import signing
from pingan.trust.certificates import credential, proof, qr, status_list, verify
from pingan.trust.certificates.models import StatusList
from pingan.trust.certificates.workdays import add_working_days
from tests.conftest import SECRET
from tests.trust.test_vectors import VECTORS

T0 = datetime(2026, 9, 30, 9, 0, tzinfo=UTC)
UNTIL = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
ADMIN = Actor(1, "admin1", Role.ADMIN, None)
BASE = "https://pingan.example"


@pytest.fixture
def store(db):  # type: ignore[no-untyped-def]
    signing.use_key(db, base64.urlsafe_b64decode(SECRET))
    return db


def _vc(session, *, algorithms=("ed25519",), status=None):  # type: ignore[no-untyped-def]
    doc = credential.build(
        kind="certificate", number="C20260930ABCDE12345", station="康巴什派出所",
        subject={"name": "张三", "idNumberMasked": "1506**********1234", "result": "no_record"},
        valid_from=T0, valid_until=UNTIL, status=status,
    )  # fmt: skip
    return proof.add_proofs(session, doc, base_url=BASE, now=T0, algorithms=algorithms)


def _claims() -> dict:  # type: ignore[type-arg]
    return {"n": "C20260930ABCDE12345", "t": "C", "nm": "张*", "id": "1506**********1234",
            "r": "no_record", "f": "2026-09-30", "u": "2026-12-29", "s": 1, "i": 4242}  # fmt: skip


def test_hash_data_matches_the_w3c_eddsa_jcs_2022_vector():
    signed = json.loads((VECTORS / "eddsa-jcs-2022-signedJCS.json").read_text())
    config = {"@context": signed["@context"]} | signed["proof"]
    data = proof.hash_data(signed, config)
    assert data.hex() == (VECTORS / "eddsa-jcs-2022-combinedHashJCS.txt").read_text().strip()
    pair = json.loads((VECTORS / "eddsa-jcs-2022-keyPair.json").read_text())
    public = base58.b58decode(pair["publicKeyMultibase"][1:])[2:]
    signature = base58.b58decode(signed["proof"]["proofValue"][1:])
    Ed25519PublicKey.from_public_bytes(public).verify(signature, data)  # raises if wrong


@pytest.mark.parametrize("algorithms", [("ed25519",), ("ed25519", "sm2")])
def test_a_vc_verifies_with_the_published_key_list_alone(store, algorithms):
    with store.session() as session:
        vc = _vc(session, algorithms=algorithms)
        keys = json.loads(json.dumps(signing.published_keys(session)))
    result = verify.credential(vc, keys, now=T0 + timedelta(days=1))
    assert result.valid, result.reason
    assert result.kind == "certificate" and result.number == "C20260930ABCDE12345"
    proofs = vc["proof"] if isinstance(vc["proof"], list) else [vc["proof"]]
    assert [p["cryptosuite"] for p in proofs] == [proof.SUITES[a] for a in algorithms]
    kid = proofs[0]["verificationMethod"].rsplit("#", 1)[1]
    assert kid in {k["kid"] for k in keys["keys"]}
    assert all(isinstance(c, str) for c in vc["@context"])
    assert verify.credential(vc, keys, now=UNTIL).reason == "expired"
    assert verify.credential(vc, keys, now=T0 - timedelta(seconds=1)).reason == "not_yet_valid"


@pytest.fixture
def signed(store):  # type: ignore[no-untyped-def]
    with store.session() as session:
        vc = _vc(session, algorithms=("ed25519", "sm2"))
        payload = qr.encode(session, _claims())
        keys = signing.published_keys(session)
    return json.dumps(vc, ensure_ascii=False, separators=(",", ":")), payload, keys


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_flipping_any_byte_of_a_vc_or_its_proof_fails(signed, data):
    text, _, keys = signed
    raw = bytearray(text.encode("utf-8"))
    assert verify.text(raw.decode(), keys, now=T0).valid
    proof_at = raw.find(b'"proof"')
    pos = data.draw(
        st.one_of(st.integers(0, len(raw) - 1), st.integers(proof_at, len(raw) - 1)), label="pos"
    )
    raw[pos] ^= data.draw(st.integers(1, 255), label="xor")
    try:
        tampered = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # not even text: no verifier reads it
    assert not verify.text(tampered, keys, now=T0).valid


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pos=st.integers(0, 10_000), xor=st.integers(1, 127))
def test_flipping_any_byte_of_a_qr_payload_fails(signed, pos, xor):
    _, payload, keys = signed
    ok = verify.payload(payload, keys, now=T0)
    assert ok.valid and ok.claims["nm"] == "张*"
    raw = bytearray(payload.encode("ascii"))
    raw[pos % len(raw)] ^= xor
    assert not verify.payload(raw.decode("ascii"), keys, now=T0).valid


def test_qr_payload_size_and_expiry(signed):
    _, payload, keys = signed
    assert payload.startswith("PA1.ed25519-") and len(payload) <= 300  # documented size
    assert verify.payload(payload, keys, now=datetime(2026, 12, 29, 23, tzinfo=UTC)).valid
    assert verify.payload(payload, keys, now=datetime(2026, 12, 30, tzinfo=UTC)).reason == "expired"


def test_a_revoked_signing_key_fails_everything_it_signed(store):
    with store.session() as session:
        vc = _vc(session)
        payload = qr.encode(session, _claims())
        kid = vc["proof"]["verificationMethod"].rsplit("#", 1)[1]
        signing.revoke(session, ADMIN, kid, "compromised")
        keys = signing.published_keys(session)
    assert verify.credential(vc, keys, now=T0).reason == "key_revoked"
    assert verify.payload(payload, keys, now=T0).reason == "key_revoked"


def test_bitstring_status_list_revokes_and_resists_tampering(store):
    size = 131072
    bits = status_list.set_bit(bytes(size // 8), 4242)
    assert status_list.get_bit(bits, 4242) and not status_list.get_bit(bits, 4243)
    assert bits[4242 // 8] == 0x80 >> (4242 % 8)  # bit 0 is the first byte's high bit
    assert status_list.decode(status_list.encode(bits)) == bits
    with pytest.raises(ValueError):
        status_list.decode(status_list.encode(bytes(1024)))  # under 131,072 entries
    with store.session() as session:
        row = StatusList(
            id=7, purpose="revocation", size=size, bits=bytes(size // 8), used=1, updated_at=T0
        )
        entry = status_list.entry(7, 4242)
        vc = _vc(session, status=entry)
        clean = proof.add_proofs(session, status_list.credential(row, T0), base_url=BASE, now=T0)
        row.bits = bits
        revoked = proof.add_proofs(session, status_list.credential(row, T0), base_url=BASE, now=T0)
        keys = signing.published_keys(session)
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert verify.credential(vc, keys, now=T0, status=clean).valid
    assert verify.credential(vc, keys, now=T0, status=revoked).reason == "revoked"
    forged = json.loads(json.dumps(revoked))
    forged["credentialSubject"]["encodedList"] = clean["credentialSubject"]["encodedList"]
    assert verify.credential(vc, keys, now=T0, status=forged).reason == "bad_status_list"


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (
            date(2026, 9, 30),
            3,
            date(2026, 10, 10),
        ),  # National Day holidays, then a make-up Saturday
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # a make-up Sunday counts
        (date(2026, 9, 30), 15, date(2026, 10, 27)),  # 8–10, 12–16, 19–23, 26, 27 Oct
    ],
)
def test_working_days_follow_holidays_and_make_up_days(start, days, due):
    assert add_working_days(start, days) == (due, True)


def test_working_days_beyond_the_calendar_are_weekdays_and_marked_estimates():
    due, exact = add_working_days(date(2026, 12, 30), 3)
    assert not exact and due.weekday() < 5
