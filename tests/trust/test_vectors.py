"""The signing algorithms against published test vectors (tests/trust/vectors, with sources),
and SM2 across two independent implementations: GmSSL (gmssl-pyx, the service's) and gmalg
(pure Python, tests only)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import base58
import gmalg
import gmalg.ellipticcurve as ec
import gmalg.sm2
import gmssl_pyx
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.trust.signing.algorithms import ED25519, SM2, KeyPair, algorithm, sm2_z

VECTORS = Path(__file__).parent / "vectors"
UID = b"1234567812345678"


def _load(name: str):  # type: ignore[no-untyped-def]
    return json.loads((VECTORS / name).read_text())


@pytest.mark.parametrize("case", _load("ed25519-rfc8032.json")["tests"], ids=lambda c: c["name"])
def test_rfc8032_ed25519_vectors_are_reproduced_byte_for_byte(case):
    sk, pk = bytes.fromhex(case["secret_key"]), bytes.fromhex(case["public_key"])
    message, sig = bytes.fromhex(case["message"]), bytes.fromhex(case["signature"])
    assert Ed25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw() == pk
    ed = algorithm(ED25519)
    assert ed.sign(KeyPair(sk, pk), message, None) == sig  # Ed25519 is deterministic
    assert ed.verify(pk, message, sig, None)
    assert not ed.verify(pk, message + b"\x00", sig, None)


def _multikey(text: str, prefix: bytes) -> bytes:
    raw = base58.b58decode(text.removeprefix("z"))  # multibase 'z' = base58btc
    assert raw[:2] == prefix
    return raw[2:]


def test_w3c_eddsa_jcs_2022_vector_verifies_and_is_reproduced():
    """Data Integrity eddsa-jcs-2022: hashData = SHA-256(JCS(proof config)) ||
    SHA-256(JCS(document)); the proof value is base58btc(Ed25519(hashData))."""
    pair = _load("eddsa-jcs-2022-keyPair.json")
    public = _multikey(pair["publicKeyMultibase"], b"\xed\x01")
    seed = _multikey(pair["privateKeyMultibase"], b"\x80\x26")
    assert Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw() == public

    signed = _load("eddsa-jcs-2022-signedJCS.json")
    proof = signed.pop("proof")
    proof_value = proof.pop("proofValue")
    canon_doc = rfc8785.dumps(signed)
    canon_proof = rfc8785.dumps(proof)
    assert canon_doc == (VECTORS / "eddsa-jcs-2022-canonDocJCS.txt").read_bytes().strip()
    assert canon_proof == (VECTORS / "eddsa-jcs-2022-proofCanonJCS.txt").read_bytes().strip()
    hash_data = hashlib.sha256(canon_proof).digest() + hashlib.sha256(canon_doc).digest()
    assert hash_data.hex() == (VECTORS / "eddsa-jcs-2022-combinedHashJCS.txt").read_text().strip()

    sig = base58.b58decode(proof_value.removeprefix("z"))
    assert sig.hex() == (VECTORS / "eddsa-jcs-2022-sigHexJCS.txt").read_text().strip()
    ed = algorithm(ED25519)
    assert ed.verify(public, hash_data, sig, None)
    assert ed.sign(KeyPair(seed, public), hash_data, None) == sig


def _rs(case: dict) -> bytes:  # type: ignore[type-arg]
    return bytes.fromhex(case["r"]) + bytes.fromhex(case["s"])


def test_gmt0003_sm2_example_on_the_recommended_curve():
    case = _load("sm2-gmt0003.json")["recommended_curve"]
    public, message = bytes.fromhex(case["public_key"]), case["message"].encode()
    uid = case["uid"].encode()
    sm2 = algorithm(SM2)
    assert sm2.verify(public, message, _rs(case), uid)  # GmSSL, the service's library
    assert not sm2.verify(public, message, _rs(case), b"ALICE123@YAHOO.COM")  # uid is in Z_A
    assert not sm2.verify(public, b"message digesT", _rs(case), uid)
    # gmalg derives the public key and, given the example's k, reproduces r and s exactly
    private = bytes.fromhex(case["private_key"])
    k = int(case["k"], 16)
    other = gmalg.SM2(private, uid, b"\x04" + public, rnd_fn=lambda _: k)
    assert gmalg.SM2().generate_pk(private) == b"\x04" + public
    r, s = other.sign(message)
    assert r + s == _rs(case)


def test_gb32918_annex_a_example_on_its_test_curve():
    """The standard's own worked example (a test curve GmSSL does not offer): it checks the
    second implementation that the cross-library tests below rely on."""
    case = _load("sm2-gmt0003.json")["test_curve"]
    n = {k: int(v, 16) for k, v in case.items() if k not in ("uid", "message")}
    curve = ec.ECDLP(n["p"], n["a"], n["b"], (n["gx"], n["gy"]), n["n"])
    core = gmalg.sm2.SM2Core(curve, gmalg.SM3(), lambda _: n["k"])
    public = (n["public_x"], n["public_y"])
    r, s = core.sign(case["message"].encode(), n["private_key"], case["uid"].encode(), public)
    assert (r, s) == (n["r"], n["s"])
    assert core.verify(case["message"].encode(), r, s, case["uid"].encode(), public)


@pytest.mark.parametrize("case", _load("sm2-openssl.json")["verify"], ids=["v1", "v2"])
def test_openssl_sm2_sm3_verification_cases(case):
    import base64

    pem = _load("sm2-openssl.json")["private_key_pem"]
    der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
    # the PKCS#8 ECPrivateKey ends with its public key: BIT STRING 04 || X || Y
    assert der[-65] == 0x04
    public = der[-64:]
    digest, sig = bytes.fromhex(case["digest"]), bytes.fromhex(case["signature_der"])
    assert gmssl_pyx.sm2_verify_sm3_digest(public, digest, sig)
    assert not gmssl_pyx.sm2_verify_sm3_digest(public, bytes(32), sig)


@settings(max_examples=15, deadline=None)
@given(payload=st.binary(max_size=300))
def test_sm2_gmssl_signatures_verify_in_gmalg_and_back(payload):
    sm2 = algorithm(SM2)
    pair = sm2.generate()
    sig = sm2.sign(pair, payload, UID)
    other = gmalg.SM2(pk=b"\x04" + pair.public, uid=UID)
    assert other.verify(payload, sig[:32], sig[32:])
    assert not gmalg.SM2(pk=b"\x04" + pair.public, uid=b"another-id").verify(
        payload, sig[:32], sig[32:]
    )
    signer = gmalg.SM2(pair.private, UID, b"\x04" + pair.public)
    r, s = signer.sign(payload)  # gmalg drops leading zero bytes: widen to 32 each
    assert sm2.verify(pair.public, payload, r.rjust(32, b"\0") + s.rjust(32, b"\0"), UID)


@settings(max_examples=15, deadline=None)
@given(uid=st.binary(min_size=1, max_size=40), payload=st.binary(max_size=300))
def test_sm2_z_a_matches_gmalg_and_digest_signatures_verify_in_gmssl(uid, payload):
    """The service signs SM3(Z_A || M) with a Z_A it computes once per key: Z_A must equal the
    second implementation's, and the signatures must pass GmSSL's whole-message check."""
    sm2 = algorithm(SM2)
    pair = sm2.generate()
    point = gmalg.sm2.bytes_to_point(b"\x04" + pair.public)
    assert sm2_z(uid, pair.public) == gmalg.SM2()._core.entity_info(uid, point)
    key = sm2.load(pair, uid)
    first, second = key.sign(payload), key.sign(payload)
    assert first != second  # a fresh k per signature
    for sig in (first, second):
        der = encode_dss_signature(int.from_bytes(sig[:32]), int.from_bytes(sig[32:]))
        assert gmssl_pyx.sm2_verify(pair.public, payload, der, uid)
