"""`pingan kinship search`, `power` and `report` in fresh processes on a fresh data
directory; the rows a records import would write are put straight into the store."""

from __future__ import annotations

import json

from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.kinship import reports, reviews
from pingan.kinship.frequencies import load_table
from pingan.store import open_store
from pingan.trust import signing
from tests.kinship import match_rows
from tests.kinship.conftest import FACTORS, GENOTYPES_A, GENOTYPES_B
from tests.kinship.match_sim import Pedigrees
from tests.test_cli_fresh import _pingan


def _fresh(tmp_path):  # type: ignore[no-untyped-def]
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    for name, role in (("ana", "analyst"), ("rev", "reviewer"), ("desk", "officer")):
        r = _pingan(data, "user", "add", name, "--role", role, "--password-stdin",
                    stdin="Very-secret-1\n")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
    return data


def _store(data):  # type: ignore[no-untyped-def]
    return open_store(Settings(data_dir=data))


def _actor(s, name: str) -> Actor:  # type: ignore[no-untyped-def]
    user = s.scalar(select(User).where(User.username == name))
    return Actor(user.id, user.username, Role(user.role), "test")


def test_report_on_the_command_line_is_signed_and_verifies(tmp_path):
    data = _fresh(tmp_path)
    db, vault = _store(data)
    with db.session() as s:
        by = _actor(s, "ana").user_id
        adoptee = match_rows.case(s, "XQ-2026-0001", "adoptee", by)
        family = match_rows.case(s, "XQ-2026-0002", "family", by)
        a = match_rows.donor(s, vault, adoptee, "KS-A0000001", "self", by, GENOTYPES_A)
        b = match_rows.donor(s, vault, family, "KS-B0000001", "full_sibling", by, GENOTYPES_B)
        cid = match_rows.candidate(s, a, b, by, factors=FACTORS).id
        table = load_table()
        one, two = Pedigrees(table, list(table.loci), 9).full_siblings()
        searched = match_rows.case(s, "XQ-2026-0003", "adoptee", by)
        match_rows.donor(s, vault, searched, "KS-SELF0001", "self", by, one)
        sought = match_rows.case(s, "XQ-2026-0004", "family", by)
        match_rows.donor(s, vault, sought, "KS-TRUE0001", "full_sibling", by, two)
        s.commit()
    db.dispose()
    out = tmp_path / "report.pdf"

    r = _pingan(data, "kinship", "report", str(cid), "--by", "desk", "--out", str(out), lang="en")
    assert r.returncode == 2 and "kinship.report" in r.stderr, r.stdout + r.stderr
    r = _pingan(data, "kinship", "report", str(cid), "--by", "ana", "--out", str(out), lang="en")
    assert r.returncode == 2 and "not confirmed" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()
    r = _pingan(data, "kinship", "search", "--case", "XQ-2026-9999", "--by", "ana")
    assert r.returncode == 2 and "XQ-2026-9999" in r.stderr and "Traceback" not in r.stderr
    r = _pingan(data, "kinship", "search", "--case", "XQ-2026-0003", "--by", "ana", lang="en")
    assert r.returncode == 0, r.stdout + r.stderr
    first = next(line for line in r.stdout.splitlines() if line.startswith("Candidate #"))
    assert "KS-SELF0001 - KS-TRUE0001 (case XQ-2026-0004), full_siblings" in first
    r = _pingan(data, "kinship", "power", "--case", "XQ-2026-0004", "--by", "ana",
                "--panel", "expanded", "--n", "200", lang="en")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Sample KS-TRUE0001 (full_siblings, 40 loci)" in r.stdout
    assert "With one full sibling on 40 STRs" in r.stdout
    r = _pingan(data, "kinship", "power", "--case", "XQ-2026-0004", "--by", "desk")
    assert r.returncode == 2 and "kinship.search" in r.stderr

    db, vault = _store(data)
    with db.session() as s:
        for name in ("ana", "rev"):
            reviews.review(s, _actor(s, name), cid, "confirm", now=match_rows.AT)
    db.dispose()
    r = _pingan(data, "kinship", "report", str(cid), "--by", "rev", "--out", str(out), lang="en")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "XQBG-" in r.stdout and str(out) in r.stdout
    signed = json.loads(out.with_name("report.pdf.sig.json").read_text(encoding="utf-8"))
    db, _ = _store(data)
    with db.session() as s:
        published = signing.published_keys(s)
    db.dispose()
    assert reports.verify(published, out.read_bytes(), signed)
    assert signed["statement"]["b"] == "KS-B0000001"
