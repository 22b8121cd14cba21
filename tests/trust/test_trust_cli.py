"""`pingan trust keys / rotate / revoke` in fresh processes on a fresh data directory."""

from __future__ import annotations

import json

from tests.test_cli_fresh import _pingan


def test_rotate_list_and_revoke_from_the_cli(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    r = _pingan(data, "user", "add", "chief", "--role", "admin", "--password-stdin",
                stdin="Very-secret-1\n")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    r = _pingan(data, "trust", "keys")
    assert r.returncode == 0 and "尚无签名密钥" in r.stdout
    r = _pingan(data, "trust", "rotate", "sm2", "--by", "chief")
    assert r.returncode == 0, r.stdout + r.stderr
    r = _pingan(data, "trust", "rotate", "rsa", "--by", "chief")
    assert r.returncode == 2 and "rsa" in r.stderr and "Traceback" not in r.stderr
    r = _pingan(data, "trust", "keys", "--json")
    assert r.returncode == 0, r.stderr
    (key,) = json.loads(r.stdout)["keys"]
    assert key["crv"] == "SM2" and key["status"] == "active" and "d" not in key
    r = _pingan(data, "trust", "revoke", key["kid"], "--reason", "test", "--by", "chief")
    assert r.returncode == 0, r.stdout + r.stderr
    r = _pingan(data, "trust", "keys", lang="en")
    assert key["kid"] in r.stdout and "revoked" in r.stdout
    assert _pingan(data, "audit", "verify").returncode == 0
