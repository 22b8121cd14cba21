"""Run a sibling benchmark in its own process, so one command covers an issue's figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def companion(script: str, *args: str) -> dict:
    """Run bench/`script` with `args`, print its table as it is, return its JSON figures."""
    cmd = [sys.executable, str(Path(__file__).with_name(script)), *args]
    print(f"\n$ bench/{script} {' '.join(args)}".rstrip(), flush=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    print("\n".join(out[:-1]), flush=True)
    return json.loads(out[-1])
