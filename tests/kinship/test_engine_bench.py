"""bench/kinship.py --quick runs end to end and its figures hang together."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_runs_and_ends_with_its_json_figures():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "kinship.py"), "--quick", "--repeats", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=True,
    ).stdout
    lines = out.strip().splitlines()
    assert "ProfileMatrix.search (NumPy)" in out and "pair_lr loop (Python), extrap." in out
    figures = json.loads(lines[-1])
    assert figures["profiles"] == 20_000 and figures["loci"] == 21
    assert figures["baseline_agrees"] is True
    assert figures["baseline"].startswith("python loop over pair_lr")
    assert figures["search_cpu_s"] < figures["baseline_cpu_s_extrapolated"]
    assert figures["planted"]["full_siblings"]["rank"] == 1
    power = {(p["panel"], p["theta"], p["relation"]): p for p in figures["power"]}
    assert len(power) == 12
    fs21 = power[("globalfiler_21", 0.0, "full_siblings")]["detection_rate"]
    fs40 = power[("all_40", 0.0, "full_siblings")]["detection_rate"]
    assert 0.7 < fs21 < fs40
