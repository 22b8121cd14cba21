"""`pingan unlock verify FILE` in a fresh process: a three-party signed and sealed record
checked with a saved key list only (no store); exit 0 when it holds, 1 with the reason when
one byte of it changed, 2 when the file cannot be read."""

from __future__ import annotations

import base64
import json

import pytest

from pingan.trust import signing
from pingan.trust.unlock import record
from tests.conftest import SECRET
from tests.test_cli_fresh import _pingan

PEOPLE = {
    "requester": {"user_id": 7, "id_masked": "1506**********1234", "level": "L2"},
    "locksmith": {"filing_number": "KS-150602-2026-0001", "name_masked": "王**", "user_id": 9},
    "witness": {"kind": "community_worker", "user_id": 11, "username": "volunteer"},
}
BODY = {
    "type": "pingan.unlock.record.v1",
    "record_no": "UL20261207-000001",
    "method": "technical",
    "people": PEOPLE,
    "parties": list(PEOPLE),
}


def _filed(session) -> bytes:  # type: ignore[no-untyped-def]
    """Signed the way `service.sign` and `service._file` do: a statement per party, then the
    seal over the record and the signatures."""
    sha = record.digest(BODY)
    sigs = []
    for i, role in enumerate(BODY["parties"]):
        stmt = record.statement(sha, role, PEOPLE[role], f"2026-12-07T10:0{i}:00Z")
        sigs.append(
            record.party_signature(stmt, signing.sign(session, "sm2", record.canonical(stmt)))
        )
    seal = signing.sign(session, "sm2", record.seal_payload(BODY, sigs))
    return record.document(BODY, sigs, seal)


@pytest.fixture
def files(tmp_path, db):  # type: ignore[no-untyped-def]
    signing.use_key(db, base64.urlsafe_b64decode(SECRET))
    with db.session() as session:
        raw = _filed(session)
        keys = signing.published_keys(session)
    assert record.check(raw, keys)
    (tmp_path / "record.json").write_bytes(raw)
    answer = {"request_id": 1, "document": json.loads(raw)}  # as GET …/record gives it
    (tmp_path / "answer.json").write_text(json.dumps(answer, indent=2, ensure_ascii=False))
    i = raw.index(b"technical")  # one byte of the record's content changed
    (tmp_path / "tampered.json").write_bytes(raw[:i] + b"T" + raw[i + 1 :])
    (tmp_path / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_unlock_verify_offline_in_a_fresh_process(files):
    nowhere = files / "no-store"  # no data directory: nothing but the files
    keys = ("--keys", str(files / "keys.json"))
    for name in ("record.json", "answer.json"):
        r = _pingan(nowhere, "unlock", "verify", str(files / name), *keys)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "有效" in r.stdout and "UL20261207-000001" in r.stdout
    r = _pingan(nowhere, "unlock", "verify", str(files / "record.json"), *keys, lang="en")
    assert r.returncode == 0 and r.stdout.startswith("valid: unlock record"), r.stderr
    r = _pingan(nowhere, "unlock", "verify", str(files / "tampered.json"), *keys, lang="en")
    assert r.returncode == 1 and "hash_mismatch" in r.stderr and "Traceback" not in r.stderr
    at = ("--at", "2026-12-07T10:01:30+00:00")  # before the witness signed
    r = _pingan(nowhere, "unlock", "verify", str(files / "record.json"), *keys, *at)
    assert r.returncode == 1 and "signed_after" in r.stderr and "witness" in r.stderr
    r = _pingan(nowhere, "unlock", "verify", str(files / "missing.json"), *keys)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not nowhere.exists()
