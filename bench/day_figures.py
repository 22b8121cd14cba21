"""What every simulated-day benchmark shares: its options and the response figures it prints."""

from __future__ import annotations

import argparse

from pingan.sim.run import DayReport
from pingan.sim.visitors import DEFAULT_SEED


def response_fields(r: DayReport) -> dict[str, object]:
    """Calls, verified arrivals, first arrival within 1/3/5 minutes of the call, P50, P90."""
    k = r.kpi
    return {
        "incidents": k.incidents if k else 0,
        "verified": k.verified if k else 0,
        "within_1": k.within.get("tier1") if k else None,
        "within_3": k.within.get("tier3") if k else None,
        "within_5": k.within.get("tier5") if k else None,
        "p50_s": k.p50_s if k else None,
        "p90_s": k.p90_s if k else None,
    }


def day_parser(doc: str, *, quick: str, hours: float, hours_help: str) -> argparse.ArgumentParser:
    """The options every simulated-day benchmark takes: --quick, --hours, --busy, --seed."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=quick)
    ap.add_argument("--hours", type=float, default=hours, help=hours_help)
    ap.add_argument("--busy", type=float, default=1.0, help="incident rate multiplier")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return ap
