"""The population register: CSV checks by line, all-or-nothing, and a lookup key that does
not give the ID number back."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.pii.vault import Vault
from pingan.trust.identity import register
from pingan.trust.identity.models import RegisterPerson
from tests.trust.people import CSV, LI, NOT_IN, ZHANG, bad_check, id_number

TODAY = date(2026, 10, 2)
PINGAN = Path(sys.executable).with_name("pingan")


def test_every_bad_line_is_reported_with_its_reason(vault):
    future = id_number("150602", "20300101", "111")
    lines = [
        "id_number,name,birth_date,address_code,status,phone",
        f"{ZHANG},张三,1990-01-01,150602,normal,",  # 2: fine
        f"{bad_check(LI)},李四,,150602,,",  # 3: check character
        f"{future},未来,,150602,,",  # 4: birth date in the future
        f"{NOT_IN},某人,1970-07-08,150602,,",  # 5: date disagrees
        f"{ZHANG},张三,,150602,,",  # 6: duplicate of line 2
        f"{LI},李四,,1506,,",  # 7: address code
        f"{LI},李四,,150602,moved,",  # 8: status
        f"{LI},,,150602,,",  # 9: no name
        f"{LI},李四,,150602,,12345",  # 10: phone
    ]
    with pytest.raises(register.RegisterFileError) as caught:
        register.read_csv(vault, "\n".join(lines) + "\n", today=TODAY)
    found = [(p.line, p.code) for p in caught.value.problems]
    assert found == [
        (3, "invalid_id_number"),
        (4, "invalid_id_number"),
        (5, "birth_date_mismatch"),
        (6, "duplicate"),
        (7, "bad_address_code"),
        (8, "bad_status"),
        (9, "missing"),
        (10, "bad_phone"),
    ]
    assert "2" in str(caught.value.problems[3].detail)  # names the first line


def test_a_header_without_the_required_columns_is_refused(vault):
    with pytest.raises(register.RegisterFileError) as caught:
        register.read_csv(vault, "name,phone\n张三,\n", today=TODAY)
    assert caught.value.problems[0].code == "bad_header"


def test_the_lookup_key_is_keyed_and_nothing_is_stored_in_clear(db, vault):
    with db.session() as s:
        register.import_csv(s, Actor.system("test"), vault, CSV, now=_now())
    with db.session(read_only=True) as s:
        rows = s.scalars(select(RegisterPerson)).all()
        dumped = [str(getattr(r, c.key)) for r in rows for c in RegisterPerson.__table__.c]
    assert len(rows) == 4
    for person in (ZHANG, LI):
        for shown in dumped:
            assert person not in shown and person[6:14] + person[14:] not in shown
        plain = {hashlib.sha256(v.encode()).hexdigest() for v in (person, f"id:{person}")}
        assert not plain & set(dumped)  # not an unkeyed hash one could recompute
    other = Vault(base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32))))
    keys = {r.id_key for r in rows}
    assert vault.index(f"id:{ZHANG}") in keys and other.index(f"id:{ZHANG}") not in keys
    assert {vault.decrypt(r.name_enc) for r in rows} == {"张三", "李四", "王五", "赵六"}


def _now():
    from pingan.db.base import utcnow

    return utcnow()


def _pingan(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env["PINGAN_DATA_DIR"] = str(data_dir)
    env["PINGAN_LANG"] = "en"
    return subprocess.run(
        [str(PINGAN), *args], input=stdin, capture_output=True, text=True, env=env, timeout=180
    )


def test_import_register_in_a_fresh_process_on_a_fresh_store(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    for name, role in (("chief", "commander"), ("desk", "dispatcher")):
        r = _pingan(data, "user", "add", name, "--role", role, "--password-stdin",
                    stdin="Very-secret-1\n")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(
        CSV + f"{bad_check(NOT_IN)},错号,,150602,,\n{LI},李四,,150602,,\n", encoding="utf-8"
    )
    r = _pingan(data, "identity", "import-register", str(bad), "--by", "chief")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "line 6 [invalid_id_number]" in r.stderr
    assert "line 7 [duplicate]" in r.stderr and "line 3" in r.stderr
    assert "nothing was imported" in r.stderr
    assert LI not in r.stderr + r.stdout  # lines are named, numbers are not echoed
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8-sig")  # a BOM, as spreadsheets write
    r = _pingan(data, "identity", "import-register", str(good), "--by", "desk")
    assert r.returncode == 2 and "trust.identity_register" in r.stderr
    r = _pingan(data, "identity", "import-register", str(good), "--by", "chief")
    assert r.returncode == 0, r.stderr
    assert "4 added, 0 updated" in r.stdout
    r = _pingan(data, "identity", "import-register", str(good), "--by", "chief")
    assert "0 added, 4 updated" in r.stdout
    r = _pingan(data, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
