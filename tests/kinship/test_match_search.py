"""The database search: every consented donor of a case against every consented profile of
the other side, vectorised, kept above the floor, ranked; a withdrawn consent takes a profile
out; a rerun leaves a reviewed candidate as it was."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.errors import Conflict
from pingan.kinship import candidates, reviews
from pingan.kinship.frequencies import load_table
from pingan.kinship.models import KinshipCandidate
from pingan.kinship.search_service import EngineExtras, Policy, search_case
from tests.kinship import match_rows
from tests.kinship.match_sim import Pedigrees

POLICY = Policy(report_floor_log10=0.0, strong_log10=4.0, theta=0.01, mutation=0.0, prior=0.01,
                sources={"strong_log10": "GB/T 37223-2018"})  # fmt: skip
NOW = match_rows.AT


class PlainExtras:
    """No lineage markers and no non-genetic evidence: the DNA alone, Bayes for the posterior."""

    def lineage(self, a, b):  # type: ignore[no-untyped-def]
        return {"y": {"status": "not_tested", "detail": {}},
                "mt": {"status": "not_tested", "detail": {}}}  # fmt: skip

    def context(self, a, b):  # type: ignore[no-untyped-def]
        return 0.0, {}

    def posterior(self, log10_lr_total, prior):  # type: ignore[no-untyped-def]
        odds = prior / (1 - prior) * 10**log10_lr_total
        return odds / (1 + odds)


def _people(db, vault, *, withdrawn_sibling=False, unrelated=40, seed=7):  # type: ignore[no-untyped-def]
    """An adoptee (self) and, on the family side, their true full sibling among `unrelated`
    siblings of other lost children."""
    table = load_table()
    sim = Pedigrees(table, list(table.loci), seed)  # an expanded panel
    adoptee_dna, sibling_dna = sim.full_siblings()
    with db.session() as s:
        by = match_rows.system_user(s)
        adoptee = match_rows.case(s, "XQ-2026-0100", "adoptee", by)
        a = match_rows.donor(s, vault, adoptee, "KS-SELF0001", "self", by, adoptee_dna)
        true_family = match_rows.case(s, "XQ-2026-0200", "family", by)
        b = match_rows.donor(s, vault, true_family, "KS-TRUE0001", "full_sibling", by,
                             sibling_dna, withdrawn=withdrawn_sibling)  # fmt: skip
        for i in range(unrelated):
            family = match_rows.case(s, f"XQ-2026-{300 + i:04d}", "family", by)
            match_rows.donor(s, vault, family, f"KS-UNRL{i:04d}", "full_sibling", by,
                             sim.person())  # fmt: skip
        s.commit()
        return adoptee.id, a.id, b.id, by


def _analyst(by: int) -> Actor:
    return Actor(by, "analyst1", Role.ANALYST, "test")


def test_true_full_sibling_ranks_first_among_unrelated(db, vault):
    case_id, a, b, by = _people(db, vault)
    with db.session() as s:
        out = search_case(s, _analyst(by), vault, case_id, policy=POLICY, now=NOW,
                          extras=PlainExtras())  # fmt: skip
        (search,) = out.searches
        assert search.compared == 41 and search.relations == ["full_siblings", "half_siblings"]
        assert search.candidates == len(out.candidates) and search.params["prior"] == 0.01
        rows, total = candidates.ranked(s, case_id=case_id)
        assert total == len(out.candidates) >= 1
        top = rows[0]
        assert (top.profile_a, top.profile_b, top.relation) == (a, b, "full_siblings")
        assert top.log10_lr >= 4.0 and top.loci_compared == len(load_table().loci)
        assert math.isclose(top.log10_lr, sum(math.log10(f) for f in top.evidence["loci"].values()))
        assert all(r.log10_lr >= POLICY.report_floor_log10 for r in rows)
        view = candidates.view(s, top)
        assert view["strong"] and view["b"]["sample_id"] == "KS-TRUE0001"
        # one candidate per pair: the other relations tested stand beside it, lower
        pairs = [frozenset((r.profile_a, r.profile_b)) for r in rows]
        assert len(pairs) == len(set(pairs))
        assert view["alternatives"]["half_siblings"] < top.log10_lr


def test_withdrawn_consent_takes_a_profile_out_of_the_search(db, vault):
    case_id, _, b, by = _people(db, vault, withdrawn_sibling=True)
    with db.session() as s:
        out = search_case(s, _analyst(by), vault, case_id, policy=POLICY, now=NOW,
                          extras=PlainExtras())  # fmt: skip
        assert out.searches[0].compared == 40
        assert b not in {c.profile_b for c in out.candidates}
        assert s.scalar(select(KinshipCandidate).where(KinshipCandidate.profile_b == b)) is None


def test_a_case_without_a_consented_profile_has_nothing_to_search(db, vault):
    with db.session() as s:
        by = match_rows.system_user(s)
        lone = match_rows.case(s, "XQ-2026-0900", "adoptee", by)
        match_rows.donor(s, vault, lone, "KS-LONE0001", "self", by, {"TH01": ("9", "9.3")},
                         withdrawn=True)  # fmt: skip
        s.commit()
        with pytest.raises(Conflict) as refused:
            search_case(s, _analyst(by), vault, lone.id, policy=POLICY, now=NOW,
                        extras=PlainExtras())  # fmt: skip
        assert refused.value.code == "nothing_to_search"


def test_rerun_refreshes_open_candidates_and_keeps_reviewed_ones(db, vault):
    case_id, _, b, by = _people(db, vault, unrelated=5)
    with db.session() as s:
        first = search_case(s, _analyst(by), vault, case_id, policy=POLICY, now=NOW,
                            extras=PlainExtras())  # fmt: skip
        ids = sorted(c.id for c in first.candidates)
        top = next(
            c for c in first.candidates if c.profile_b == b and c.relation == "full_siblings"
        )
        reviews.review(s, Actor(by, "reviewer1", Role.REVIEWER, "test"), top.id, "reject",
                       "mtDNA excludes", now=NOW)  # fmt: skip
        again = search_case(s, _analyst(by), vault, case_id, policy=POLICY, now=NOW,
                            extras=PlainExtras())  # fmt: skip
        assert sorted(c.id for c in again.candidates) == ids  # upserted, not duplicated
        assert s.get(KinshipCandidate, top.id).status == "rejected"


class LineageExtras(EngineExtras, PlainExtras):
    """The engine's lineage checks, no non-genetic evidence."""

    context = PlainExtras.context
    posterior = PlainExtras.posterior


def test_lineage_checks_are_attached_where_they_apply(db, vault):
    table = load_table()
    sim = Pedigrees(table, list(table.loci), 11)
    one, two = sim.full_siblings()
    y = {"DYS391": "10", "DYS389I": "13", "DYS19": "15"}
    with db.session() as s:
        by = match_rows.system_user(s)
        adoptee = match_rows.case(s, "XQ-2026-0500", "adoptee", by, sex="M")
        match_rows.donor(s, vault, adoptee, "KS-LINE0001", "self", by, one, sex="M", ystr=y,
                         mtdna={"range": "16024-16365", "variants": ["16223T"]})  # fmt: skip
        family = match_rows.case(s, "XQ-2026-0501", "family", by, sex="M")
        brother = match_rows.donor(
            s, vault, family, "KS-LINE0002", "full_sibling", by, two, sex="M", ystr=y,
            mtdna={"range": "16024-16365", "variants": ["16223T", "16362C", "16189C"]},
        )  # fmt: skip
        s.commit()
        out = search_case(s, _analyst(by), vault, adoptee.id, policy=POLICY, now=NOW,
                          extras=LineageExtras(vault))  # fmt: skip
        found = next(c for c in out.candidates if c.profile_b == brother.id)
        assert found.lineage["y"]["status"] == "match"
        assert found.lineage["mt"]["status"] == "excluded"
