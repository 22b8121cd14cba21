"""`pingan kinship import` in fresh processes on a fresh data directory: a malformed file is
refused with each line and reason and nothing stored; a good one is imported, audited."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from pingan.audit.models import AuditRecord
from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.kinship import cases, donors
from pingan.kinship.models import KinshipProfile
from pingan.store import open_store
from tests.test_cli_fresh import _pingan

GOOD = "sample_id,D3S1358,vWA,TH01,AMEL\n{sid},15/16,14/17,9.3,X/Y\n"
BAD = (
    "Sample Name,Marker,Allele 1,Allele 2,Allele 3\n"
    "{sid},D3S1358,15,16,\n"
    "{sid},TH01,OL,9.3,\n"  # line 3: off-ladder
    "{sid},D99S1,12,13,\n"  # line 4: unknown locus
    "{sid},vWA,14,17,18\n"  # line 5: three alleles
    "KS-UNKNOWN1,D3S1358,15,16,\n"  # line 6: not registered
)


def _donor(data) -> str:  # type: ignore[no-untyped-def]
    """A case and a consenting donor, written as the case desk would (in this process)."""
    db, vault = open_store(Settings(data_dir=data, secret_key=None))
    try:
        with db.session() as s:
            user = s.scalars(select(User).where(User.username == "lab")).one()
            actor = Actor(user.id, user.username, Role(user.role))
            now = utcnow()
            case = cases.create_case(
                s, actor, vault, cases.CaseSpec(side="adoptee", sex="M", name="巴特尔"), now=now
            )
            person = donors.add_person(
                s, actor, vault, case.id, donors.PersonSpec("巴特尔", "M", "self"), now=now
            )
            donors.record_consent(s, actor, person.id, signed_on=date.today() - timedelta(days=3),
                                  document_no="ZQ-1", now=now)  # fmt: skip
            return person.sample_id
    finally:
        db.dispose()


def _profiles(data) -> int:  # type: ignore[no-untyped-def]
    db, _ = open_store(Settings(data_dir=data, secret_key=None))
    try:
        with db.session() as s:
            n = s.scalar(select(func.count()).select_from(KinshipProfile)) or 0
            audited = s.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "kinship.profiles_imported")
            )
            return n * 10 + (audited or 0)
    finally:
        db.dispose()


def test_import_refuses_a_malformed_file_by_line_then_imports_a_good_one(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    for name, role in (("lab", "analyst"), ("desk", "officer")):
        r = _pingan(data, "user", "add", name, "--role", role, "--password-stdin",
                    stdin="Very-secret-1\n")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
    sid = _donor(data)

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD.format(sid=sid), encoding="utf-8")
    r = _pingan(data, "kinship", "import", str(bad), "--by", "lab", lang="en")
    assert r.returncode == 2, r.stdout + r.stderr
    for expected in ("line 3 [bad_allele]", "line 4 [unknown_locus]",
                     "line 5 [too_many_alleles]", "line 6 [unknown_sample]"):  # fmt: skip
        assert expected in r.stderr, r.stderr
    assert "4 problems: nothing was imported" in r.stderr and "Traceback" not in r.stderr
    assert _profiles(data) == 0
    r = _pingan(data, "kinship", "import", str(bad), "--by", "lab")
    assert r.returncode == 2 and "第 3 行 [bad_allele]" in r.stderr and "未导入" in r.stderr

    good = tmp_path / "good.csv"
    good.write_text(GOOD.format(sid=sid), encoding="utf-8")
    r = _pingan(data, "kinship", "import", str(good), "--by", "desk", lang="en")
    assert r.returncode == 2 and "kinship.profile" in r.stderr
    r = _pingan(data, "kinship", "import", str(good), "--by", "lab", "--kit", "identifiler",
                lang="en")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "profiles imported: 1 added, 0 updated" in r.stdout
    assert _profiles(data) == 11
    r = _pingan(data, "kinship", "import", str(tmp_path / "missing.csv"), "--by", "lab")
    assert r.returncode == 2 and "Traceback" not in r.stderr
