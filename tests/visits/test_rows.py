"""The row factories other visit tests build on make what they promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pingan.auth.roles import Role
from pingan.trust.identity.service import Level, assurance
from pingan.visits import visitors
from tests.visits import rows

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_the_factories(db, vault, accounts):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        d = rows.detainee(s, vault, f, now=NOW)
        family = rows.visitor(s, vault, accounts.ids[Role.CITIZEN], now=NOW)
        lawyer = rows.visitor(
            s,
            vault,
            accounts.ids[Role.LAWYER],
            role="lawyer",
            name="李律师",
            number=rows.id_number(seq="888"),
            now=NOW,
        )
        assert assurance(s, accounts.ids[Role.LAWYER], at=NOW).level == Level.L2
        assert (lawyer.role, lawyer.licence_no) == ("lawyer", rows.LICENCE)
        tie = rows.relation(s, family, d, now=NOW)
        counsel = rows.relation(s, lawyer, d, now=NOW)
        assert (tie.relation, tie.status, counsel.relation) == ("spouse", "accepted", "counsel")
        ok = rows.consent(s, d, by=accounts.ids[Role.OFFICER], now=NOW)
        found = visitors.approval_for(
            s,
            detainee_id=d.id,
            visitor_id=family.id,
            starts=NOW + timedelta(hours=1),
            ends=NOW + timedelta(hours=2),
        )
        assert found is not None and found.id == ok.id
        assert d.facility_id == f.id and d.status == "held"
