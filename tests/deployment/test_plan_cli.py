"""`pingan plan` on a real SQLite store: make, show, approve (commander only), export."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pingan.auth.actor import Actor
from pingan.cli import app
from pingan.config import Settings
from pingan.store import open_store
from pingan.units import service as units

runner = CliRunner()


def test_make_show_approve_export(tmp_path, monkeypatch):
    monkeypatch.setenv("PINGAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PINGAN_LANG", "en")  # the CLI speaks one language: English here
    monkeypatch.delenv("PINGAN_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for name, role in (("chief", "commander"), ("desk", "dispatcher")):
        r = runner.invoke(
            app, ["user", "add", name, "--role", role, "--password-stdin"], input="Very-secret-1\n"
        )
        assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["plan", "make", "--date", "2026-08-01", "--shift", "day", "--by", "desk"]
    )
    assert r.exit_code == 2 and "no units" in r.output
    db, _ = open_store(Settings())  # the audit trail keyed as the CLI keys it
    with db.session() as s:
        for i, kind in enumerate(["foot_patrol", "foot_patrol", "patrol_car", "ptu"]):
            units.create_unit(s, Actor.system("t"), call_sign=f"K{i}", kind=kind)
    db.dispose()
    r = runner.invoke(
        app,
        [
            "plan",
            "make",
            "--date",
            "2026-08-01",
            "--shift",
            "night",
            "--by",
            "desk",
            "--solver",
            "heuristic",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "greedy_swap" in r.output and "tier1" in r.output and "K3" in r.output
    r = runner.invoke(app, ["plan", "approve", "1", "--by", "desk"])
    assert r.exit_code == 2 and "deployment.approve" in r.output
    r = runner.invoke(app, ["plan", "approve", "1", "--by", "chief"])
    assert r.exit_code == 0 and "[approved]" in r.output
    r = runner.invoke(app, ["plan", "show", "1", "--by", "chief"])
    assert r.exit_code == 0 and "[approved]" in r.output
    for ext in ("csv", "pdf", "geojson"):
        out = tmp_path / f"plan.{ext}"
        r = runner.invoke(app, ["plan", "export", "1", "--by", "desk", "--out", str(out)])
        assert r.exit_code == 0, r.output
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    geo = json.loads((tmp_path / "plan.geojson").read_text())
    assert sum(f["properties"]["kind"] == "post" for f in geo["features"]) == 4
    assert "K0" in (tmp_path / "plan.csv").read_text(encoding="utf-8-sig")
    r = runner.invoke(app, ["plan", "export", "1", "--by", "desk", "--out", "x.doc"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["plan", "show", "9", "--by", "nobody"])
    assert r.exit_code == 2 and "no such active user" in r.output
