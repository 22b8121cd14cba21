"""Signatures and verifications per second through the signing service, for Ed25519 and SM2
with SM3, against `cryptography`'s raw Ed25519 (the named baseline) in the same run.

    .venv/bin/python bench/signing.py [--quick] [--seconds 2] [--size 256]

The service rows go through a temporary SQLite store: a `signer` opened once (the active key
unsealed), then `sign` per payload; verification with the published key list (what an offline
verifier holds).

End to end, as the application runs it: one person in an imported register, at identity L2,
applies through the certificate service (`service.apply`: the level check, the record check,
a status-list index, the VC's Data Integrity proof, the signed QR payload, the audit record,
the commit), each application its own transaction on the temporary SQLite store; then the
offline check of that certificate's QR payload and VC with only the published key list.
`issue_per_s`, `offline_verify_per_s` (QR payload and VC together) and `issue_verify_per_s`
(the whole cycle, measured as one).

Prints a table, then one JSON line of the figures. `--quick`: a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.auth.service import create_user
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.db.migrate import upgrade
from pingan.pii.id_number import check_character
from pingan.pii.vault import Vault
from pingan.trust import signing
from pingan.trust.certificates import service, verify
from pingan.trust.identity import register
from pingan.trust.identity import service as identity
from pingan.trust.identity.adapters import Adapters, TestDoubleFace, TestDoubleSms


def rate(fn: Callable[[int], object], seconds: float) -> float:
    """Calls per second of fn(i), run for about `seconds`."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            fn(n)
            n += 1
    return n / elapsed


def _holder(db: Database, vault: Vault) -> Actor:
    """A citizen account whose person is in the register, brought to L2 by a face check."""
    first17 = "15060219900101123"
    id_number = first17 + check_character(first17)
    now, system = utcnow(), Actor.system("bench")
    with db.session() as session:
        csv = (
            "id_number,name,birth_date,address_code,status,phone\n"
            f"{id_number},张三,1990-01-01,150602001001,normal,\n"
        )
        register.import_csv(session, system, vault, csv, now=now)
        user = create_user(session, system, vault, username="holder", password="Bench-pass-1",
                           role=Role.CITIZEN)  # fmt: skip
        actor = Actor(user.id, user.username, Role.CITIZEN)
    with db.session() as session:
        identity.verify_real_name(session, actor, vault, id_number=id_number, name="张三", now=now)
    with db.session() as session:
        adapters = Adapters(face=TestDoubleFace(), sms=TestDoubleSms())
        identity.verify_face(session, actor, vault, adapters, image_ref="bench", now=now)
    return actor


def end_to_end(db: Database, seconds: float) -> dict[str, float]:
    """Certificates issued by the service, and each checked offline with the key list."""
    vault = Vault(os.urandom(32))
    actor = _holder(db, vault)

    def issue(_: int) -> tuple[dict, str]:  # type: ignore[type-arg]
        with db.session() as session:
            now = utcnow()
            _app, doc = service.apply(
                session, actor, vault, purpose="employment", purpose_statement="bench",
                period_from=now.date().replace(year=2008), period_to=now.date(),
                station="康巴什派出所", now=now,
            )  # fmt: skip
            return json.loads(doc.credential), doc.qr_payload or ""

    with db.session() as session:
        issue(0)  # the first signature makes the keys
        keys = signing.published_keys(session)
    vc, payload = issue(0)

    def check(vc: dict, payload: str) -> None:  # type: ignore[type-arg]
        now = utcnow()
        assert verify.payload(payload, keys, now=now).valid
        assert verify.credential(vc, keys, now=now).valid

    return {
        "issue_per_s": rate(issue, seconds),
        "offline_verify_per_s": rate(lambda _: check(vc, payload), seconds),
        "issue_verify_per_s": rate(lambda i: check(*issue(i)), seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--size", type=int, default=256, help="payload bytes")
    args = parser.parse_args()
    seconds = 0.05 if args.quick else args.seconds
    payloads = [os.urandom(args.size) for _ in range(64)]

    raw = Ed25519PrivateKey.generate()
    raw_pub = raw.public_key()
    raw_sig = raw.sign(payloads[0])
    rows = [("cryptography Ed25519 (baseline)", "ed25519",
             rate(lambda i: raw.sign(payloads[i % 64]), seconds),
             rate(lambda i: raw_pub.verify(raw_sig, payloads[0]), seconds))]  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db.engine)
        from pingan.audit import service as audit

        audit.use_key(db, os.urandom(32))
        signing.use_key(db, os.urandom(32))
        for alg in ("ed25519", "sm2"):
            with db.session() as session:
                signer = signing.signer(session, alg)
                document = signing.published_keys(session)
            sig = signer.sign(payloads[0])
            assert signing.verify(document, sig.key_id, payloads[0], sig)
            rows.append((f"service {alg}", alg,
                         rate(lambda i, s=signer: s.sign(payloads[i % 64]), seconds),
                         rate(lambda i, d=document, g=sig: signing.verify(
                             d, g.key_id, payloads[0], g), seconds)))  # fmt: skip
        db.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'e2e.db'}")
        upgrade(db.engine)
        audit.use_key(db, os.urandom(32))
        signing.use_key(db, os.urandom(32))
        e2e = end_to_end(db, seconds)
        db.dispose()

    base_sign, base_verify = rows[0][2], rows[0][3]
    print(f"payload {args.size} bytes, {seconds:g} s per cell")
    print(f"{'path':<34}{'sign/s':>10}{'verify/s':>10}{'sign ×base':>12}{'verify ×base':>14}")
    for name, _, s, v in rows:
        print(f"{name:<34}{s:>10.0f}{v:>10.0f}{s / base_sign:>12.3f}{v / base_verify:>14.3f}")
    print("certificate end to end (service.apply on SQLite; offline: QR payload + VC)")
    for key, label in (("issue_per_s", "issue"), ("offline_verify_per_s", "offline verify"),
                       ("issue_verify_per_s", "issue → offline verify")):  # fmt: skip
        print(f"{label:<34}{e2e[key]:>10.0f} /s")
    print(json.dumps({
        "bench": "signing", "quick": args.quick, "payload_bytes": args.size,
        "rows": [{"path": n, "alg": a, "sign_per_s": round(s, 1), "verify_per_s": round(v, 1)}
                 for n, a, s, v in rows],
        **{k: round(v, 1) for k, v in e2e.items()},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
