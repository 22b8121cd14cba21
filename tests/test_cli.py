"""The CLI on a real SQLite store: db upgrade, user add, audit verify, demo."""

from __future__ import annotations

import sqlite3

from typer.testing import CliRunner

from pingan.cli import app

runner = CliRunner()


def test_upgrade_add_user_and_verify(tmp_path, monkeypatch):
    monkeypatch.setenv("PINGAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PINGAN_DATABASE_URL", raising=False)
    r = runner.invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["user", "add", "chief", "--role", "admin", "--password-stdin"],
        input="Very-secret-1\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["user", "add", "chief", "--role", "admin", "--password-stdin"],
        input="Very-secret-1\n",
    )
    assert r.exit_code == 2 and "chief" in r.output
    r = runner.invoke(
        app, ["user", "add", "weak", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert r.exit_code == 2
    r = runner.invoke(app, ["user", "add", "x", "--role", "king", "--password-stdin"], input="a\n")
    assert r.exit_code != 0
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 0 and "1" in r.output

    with sqlite3.connect(tmp_path / "pingan.db") as conn:
        conn.execute("UPDATE audit_log SET actor = 'intruder' WHERE seq = 1")
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 1 and "seq 1" in r.output


def test_demo_builds_once_and_prints_one_time_passwords(tmp_path):
    r = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--no-serve"])
    assert r.exit_code == 0, r.output
    assert "admin" in r.output and "dispatcher" in r.output
    r = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--no-serve"])
    assert r.exit_code == 0 and "--reset" in r.output  # kept, passwords not shown again
    with sqlite3.connect(tmp_path / "pingan.db") as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM units").fetchone()[0] > 10
        hashes = [h for (h,) in conn.execute("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    r = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0


def test_geo_import_compiles_graphs_and_refuses_bad_files(tmp_path):
    from pathlib import Path

    monaco = Path(__file__).parent / "data" / "osm" / "monaco.osm.pbf"
    r = runner.invoke(
        app, ["geo", "import", str(monaco), "--out", str(tmp_path), "--modes", "drive"]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "monaco.drive.npz").exists() and "OpenStreetMap" in r.output
    bad = tmp_path / "bad.osm"
    bad.write_text("not xml")
    r = runner.invoke(app, ["geo", "import", str(bad)])
    assert r.exit_code == 2 and "OSM" in r.output
    r = runner.invoke(app, ["geo", "import", str(tmp_path / "missing.pbf")])
    assert r.exit_code == 2
    r = runner.invoke(app, ["geo", "import", str(monaco), "--modes", "hovercraft"])
    assert r.exit_code == 2


def test_report_response_on_the_demo_store(tmp_path):
    runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--no-serve"])
    r = runner.invoke(app, ["report", "response", "--data-dir", str(tmp_path), "--by", "type"])
    assert r.exit_code == 0, r.output
    # the demo's incidents are samples with scripted arrivals: none is counted
    (line,) = [x for x in r.output.splitlines() if x.startswith("all ")]
    assert line.split()[1:3] == ["0", "0"] and "missing_person" not in r.output
    r = runner.invoke(app, ["report", "response", "--data-dir", str(tmp_path), "--by", "x"])
    assert r.exit_code == 2
