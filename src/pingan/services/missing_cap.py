"""The CAP 1.2 messages of one missing-person report, derived from what the store keeps.

Each alert push (`help_missing_alerts`) is one message, sent at the push's time: the first an
`Alert`, each wider radius an `Update`; the hand-over adds a `Cancel` sent at `closed_at`.
Identifiers are the case number and the push's place in the report (`ZS20260728-0042.1`,
`.2`, …, `.cancel`), so every message has its own identifier and the same bytes however often
it is fetched, and a later message can name the earlier ones without storing anything more.
"""

from __future__ import annotations

from collections.abc import Sequence

from pingan.services import cap
from pingan.services.models import MissingAlert, MissingReport


def person(report: MissingReport) -> cap.MissingPerson:
    text = report.description + (f"；衣着：{report.clothing}" if report.clothing else "")
    return cap.MissingPerson(report.kind, text, report.lon, report.lat, report.last_seen_at)


def thread(report: MissingReport, pushes: Sequence[MissingAlert]) -> list[str]:
    """Every CAP message the report has given rise to, oldest first."""
    who = person(report)
    earlier: list[cap.Ref] = []
    messages = []
    for n, push in enumerate(pushes, start=1):
        ref = cap.Ref(f"{report.case_number}.{n}", push.at)
        messages.append(cap.missing_alert(ref, who, push.radius_km, earlier))
        earlier = [*earlier, ref]
    if report.closed_at is not None:
        ref = cap.Ref(f"{report.case_number}.cancel", report.closed_at)
        messages.append(cap.missing_cancel(ref, earlier))
    return messages
