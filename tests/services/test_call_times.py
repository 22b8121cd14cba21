"""A call keyed in after it was taken: the incident is received when the call came in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pingan.auth.actor import Actor
from pingan.db.base import utcnow
from pingan.errors import ValidationFailed
from pingan.incidents import service as incidents
from pingan.services import breakdown, missing
from tests.helpers import FOUNTAIN
from tests.services.conftest import GUARDIAN_ID

DESK = Actor.system("desk")


def _spec(**over) -> missing.MissingSpec:  # type: ignore[no-untyped-def]
    fields = dict(
        kind="child", name="小明", description="男孩，短发，圆脸", lon=FOUNTAIN[0],
        lat=FOUNTAIN[1], last_seen_at=utcnow() - timedelta(minutes=30), guardian_name="张女士",
        guardian_phone="13612345678", guardian_id_number=GUARDIAN_ID,
    )  # fmt: skip
    fields.update(over)
    return missing.MissingSpec(**fields)


def test_reports_and_dispatches_keep_the_time_of_the_call(db, vault, tmp_path):
    taken = (utcnow() - timedelta(minutes=12)).replace(microsecond=0)
    with db.session() as session:
        report = missing.report(session, DESK, vault, None, tmp_path, _spec(), reported_at=taken)
        incident = incidents.get_incident(session, DESK, report.incident_id)
        assert incident.received_at == taken
        row = breakdown.request(
            session, DESK, vault, None, lon=FOUNTAIN[0], lat=FOUNTAIN[1], vehicle="小客车",
            problem="爆胎",
        )  # fmt: skip
        sent = breakdown.dispatch(session, DESK, vault, row.id, to="police", at=taken)
        assert sent.dispatched_at == taken
        assert incidents.get_incident(session, DESK, sent.incident_id).received_at == taken
        with pytest.raises(ValidationFailed, match="未来"):  # nothing is stamped ahead of now
            missing.report(
                session, DESK, vault, None, tmp_path, _spec(),
                reported_at=utcnow() + timedelta(hours=1),
            )  # fmt: skip
