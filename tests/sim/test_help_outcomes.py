"""Help-service outcomes are the platform's: a stretch of help cases alone (no 110 calls, no
units moving), run as it is, with the matchers finding nothing, and with them ranking at
random. What goes back to whom follows the matching; a wrong pick never does."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pingan.config import Settings
from pingan.db.engine import Database
from pingan.demo import build_demo
from pingan.services import lost_found, missing
from pingan.services.lost_found import OPEN
from pingan.services.matcher import Match
from pingan.services.models import FoundPerson, HelpClaim, HelpItem, MissingReport
from pingan.services.stats import ServiceStats
from pingan.sim import day as simday
from pingan.sim import helpdesk
from pingan.sim.day import SimConfig
from pingan.sim.helpdesk import HelpQueue
from pingan.sim.run import run_headless
from tests.clock import pinned_clock
from tests.sim.conftest import NOW

HOURS = 6.0
CONFIG = SimConfig(day_kind="holiday", help_scale=10, tick_s=60)


@dataclass
class Outcome:
    stats: ServiceStats
    desk: HelpQueue  # with the world's memory of who and what is who
    handed: list[tuple[int, int | None]]  # claims handed over: (found item, lost report)
    closed: list[tuple[int, int]]  # closed reports and the found person handed over


def _help_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    monkeypatch.setattr(
        simday, "ACTIVITIES", (simday.setup, helpdesk.plate_reads, helpdesk.help_services)
    )
    kept: dict[str, simday.DaySimulation] = {}
    run = simday.DaySimulation.run

    def keep(self: simday.DaySimulation) -> simday.Figures:
        kept["sim"] = self
        return run(self)

    monkeypatch.setattr(simday.DaySimulation, "run", keep)
    settings = Settings(data_dir=path, database_url=None)
    build_demo(settings, sample_incidents=False)
    # the same stretch in every run: the hours up to the pinned afternoon
    report = run_headless(settings, CONFIG, HOURS, start=NOW - timedelta(hours=HOURS))
    db = Database(settings.resolved_database_url)
    try:
        with db.session() as session:
            handed = session.execute(
                select(HelpClaim.item_id, HelpClaim.lost_item_id).where(
                    HelpClaim.status == "handed_over"
                )
            ).all()
            closed = session.execute(
                select(MissingReport.id, FoundPerson.id)
                .join(FoundPerson, FoundPerson.report_id == MissingReport.id)
                .where(MissingReport.status == "closed")
            ).all()
    finally:
        db.dispose()
    assert report.services is not None
    return Outcome(report.services, kept["sim"].helpdesk, list(handed), list(closed))


def _nothing(*args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
    return []


def _at_random(seed: int):  # type: ignore[no-untyped-def]
    """Matching that ignores what was said: any open found item, any open report."""
    rng = random.Random(seed)

    def items(session, row, top: int = 5) -> list[Match]:  # type: ignore[no-untyped-def]
        found = sorted(
            session.execute(
                select(HelpItem.id).where(HelpItem.kind == "found", HelpItem.status.in_(OPEN))
            ).scalars()
        )
        picks = rng.sample(found, k=min(top, len(found)))
        return [Match(i, 0.5, False, 0.0, 0.0, "", "") for i in picks]

    def person(p, r) -> missing.PersonMatch:  # type: ignore[no-untyped-def]
        return missing.PersonMatch(r.id, r.case_number, round(rng.random(), 4), 0.0)

    return items, person


def _only_right_ones(out: Outcome) -> None:
    """Every item went to its own owner and every person to their own guardian."""
    things, people, guardians = out.desk.things, out.desk.found_people, out.desk.guardians
    assert all(lost is not None and things[item] == things[lost] for item, lost in out.handed)
    assert all(people[person] == guardians[report][1] for report, person in out.closed)


@pytest.fixture(scope="module")
def as_is(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    with pytest.MonkeyPatch.context() as mp, pinned_clock(NOW):
        yield _help_only(tmp_path_factory.mktemp("help-as-is"), mp)


def test_returns_and_hand_overs_are_what_the_matching_achieved(as_is: Outcome):
    s = as_is.stats
    # some lost items are never found or never matched: fewer returned than reported
    assert 0 < s.items_returned < s.lost_reports, s
    assert s.items_returned == len(as_is.handed)
    assert 0 < s.missing_found <= s.missing_reported, s
    assert s.missing_found == len(as_is.closed)
    # the owners' top matches held other people's things too: the proof check refused them
    assert as_is.desk.claims_refused > 0
    _only_right_ones(as_is)


def test_a_matcher_that_finds_nothing_returns_nothing(tmp_path, monkeypatch, as_is: Outcome):
    monkeypatch.setattr(lost_found, "rank", _nothing)
    monkeypatch.setattr(missing, "_person_score", lambda p, r: None)
    out = _help_only(tmp_path, monkeypatch)
    assert out.stats.lost_reports > 0 and out.stats.found_items > 0
    assert out.stats.missing_reported > 0
    assert out.stats.items_returned == 0 and out.stats.missing_found == 0
    assert not out.handed and not out.closed  # the missed matches stay open


def test_random_matches_are_refused_not_handed_over(tmp_path, monkeypatch, as_is: Outcome):
    items, person = _at_random(2026)
    monkeypatch.setattr(lost_found, "_rank", items)
    monkeypatch.setattr(missing, "_person_score", person)
    out = _help_only(tmp_path, monkeypatch)
    assert out.desk.claims_refused > as_is.desk.claims_refused
    assert out.desk.handovers_refused > as_is.desk.handovers_refused
    assert out.stats.items_returned < as_is.stats.items_returned
    assert out.stats.missing_found < as_is.stats.missing_found
    _only_right_ones(out)  # a wrong pick or a wrong person is refused, never handed over
