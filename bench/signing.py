"""Signatures and verifications per second through the signing service, for Ed25519 and SM2
with SM3, against `cryptography`'s raw Ed25519 (the named baseline) in the same run.

    .venv/bin/python bench/signing.py [--quick] [--seconds 2] [--size 256]

The service rows go through a temporary SQLite store: a `signer` opened once (the active key
unsealed), then `sign` per payload; verification with the published key list (what an offline
verifier holds). Prints a table, then one JSON line of the figures. `--quick`: a smoke run.
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

from pingan.db.engine import Database
from pingan.db.migrate import upgrade
from pingan.trust import signing


def rate(fn: Callable[[int], object], seconds: float) -> float:
    """Calls per second of fn(i), run for about `seconds`."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            fn(n)
            n += 1
    return n / elapsed


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

    base_sign, base_verify = rows[0][2], rows[0][3]
    print(f"payload {args.size} bytes, {seconds:g} s per cell")
    print(f"{'path':<34}{'sign/s':>10}{'verify/s':>10}{'sign ×base':>12}{'verify ×base':>14}")
    for name, _, s, v in rows:
        print(f"{name:<34}{s:>10.0f}{v:>10.0f}{s / base_sign:>12.3f}{v / base_verify:>14.3f}")
    print(json.dumps({
        "bench": "signing", "quick": args.quick, "payload_bytes": args.size,
        "rows": [{"path": n, "alg": a, "sign_per_s": round(s, 1), "verify_per_s": round(v, 1)}
                 for n, a, s, v in rows],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
