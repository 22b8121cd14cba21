"""`pingan roster import / show` in a fresh process on a fresh data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pingan.demo import sample_roster_path

PINGAN = Path(sys.executable).with_name("pingan")


def _pingan(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env["PINGAN_DATA_DIR"] = str(data_dir)
    env["PINGAN_LANG"] = "en"  # the CLI speaks one language: English here
    return subprocess.run(
        [str(PINGAN), *args], input=stdin, capture_output=True, text=True, env=env, timeout=180
    )


def test_import_and_show_the_sample_roster_then_refuse_bad_files(tmp_path):
    data = tmp_path / "fresh"
    assert _pingan(data, "db", "upgrade").returncode == 0
    for name, role in (("chief", "commander"), ("desk", "dispatcher")):
        r = _pingan(data, "user", "add", name, "--role", role, "--password-stdin",
                    stdin="Very-secret-1\n")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
    r = _pingan(data, "roster", "import", str(sample_roster_path()), "--by", "chief")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "446" in r.stdout
    r = _pingan(data, "roster", "show", "--date", "2026-10-02")
    assert r.returncode == 0, r.stderr
    assert "officer-shifts: 446" in r.stdout
    ptu = [ln.split() for ln in r.stdout.splitlines() if ln.split()[:2] == ["night", "ptu"]]
    assert ptu == [["night", "ptu", "10", "40"]]
    r = _pingan(data, "roster", "show", "--date", "2026-10-02", "--shift", "day")
    assert "night" not in r.stdout and "216" in r.stdout

    # a dispatcher may not fill in rosters; a bad file names its problems and stores nothing
    r = _pingan(data, "roster", "import", str(sample_roster_path()), "--by", "desk")
    assert r.returncode == 2 and "roster.write" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "shift,call_sign,kind,crew\nday,巡Z01,patrol_car,2\nday,网Z01,grid_wizard,1\n",
        encoding="utf-8",
    )
    r = _pingan(data, "roster", "import", str(bad), "--by", "chief", "--date", "2026-10-02")
    assert r.returncode == 2 and "grid_wizard" in r.stderr
    good = tmp_path / "good.csv"
    good.write_text("shift,call_sign,kind,crew,partner\nday,巡Z01,patrol_car,3,\n"
                    "day,网Z01,grid_worker,1,社区网格\n", encoding="utf-8")  # fmt: skip
    r = _pingan(data, "roster", "import", str(good), "--by", "chief", "--date", "2026-10-03")
    assert r.returncode == 0 and "3" in r.stdout, r.stderr
    r = _pingan(data, "roster", "show", "--date", "2026-10-02")
    assert "officer-shifts: 446" in r.stdout  # the bad file changed nothing
    r = _pingan(data, "roster", "import", str(good), "--by", "chief")
    assert r.returncode == 2 and "--date" in r.stderr
    r = _pingan(data, "roster", "show", "--date", "2026-10-32")
    assert r.returncode == 2 and "bad date" in r.stderr
