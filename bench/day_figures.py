"""The response figures every simulated-day benchmark prints, read from one day's report."""

from __future__ import annotations

from pingan.sim.run import DayReport


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
