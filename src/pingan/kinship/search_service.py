"""Database search (比对检索): a case's donors against every profile of the other side.

Every donor of the case whose consent stands and who has a profile is compared with every
consented profile of the other side (a withdrawn consent takes a profile out of both ends),
for each relation the two donors' relations to the lost person make plausible
(`relations.plausible`), or for the relations the caller names. The screen is vectorised
(`ProfileMatrix`: one pass per locus over the whole side); each pair at or above the report
floor is then worked out exactly for each of its relations (`pair_lr`), and becomes one
candidate under the relation with the highest LR (its per-locus factors kept as the evidence,
the other relations' LRs beside them), with the lineage checks where they apply, the
non-genetic LR of the two cases' subjects, and the stated prior giving a posterior.
Candidates are upserted per pair in either order: a rerun refreshes an open candidate and
leaves a reviewed one as it was reviewed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.i18n import msg
from pingan.kinship import context, match_data
from pingan.kinship.frequencies import TABLES, load_table
from pingan.kinship.likelihood import pair_lr
from pingan.kinship.lineage import lineage_applies, mtdna_check, ystr_check
from pingan.kinship.matrix import ProfileMatrix
from pingan.kinship.models import (
    KinshipCandidate,
    KinshipCase,
    KinshipPerson,
    KinshipProfile,
    KinshipSearch,
)
from pingan.kinship.relations import RELATIONS, plausible
from pingan.kinship.settings import load_thresholds
from pingan.pii.vault import Vault

OTHER_SIDE = {"adoptee": "family", "family": "adoptee"}


@dataclass
class Policy:
    """The numbers a search runs under, with their sources (from the thresholds file)."""

    report_floor_log10: float
    strong_log10: float
    theta: float
    mutation: float
    prior: float
    prior_rule: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Donor:
    profile: KinshipProfile
    person: KinshipPerson
    case: KinshipCase
    genotypes: match_data.Genotypes


@dataclass
class Outcome:
    searches: list[KinshipSearch]
    candidates: list[KinshipCandidate]


def _donors(vault: Vault, rows: list[Any]) -> list[Donor]:
    return [Donor(p, person, case, match_data.genotypes(vault, p)) for p, person, case in rows]


def _checked_relations(relations: list[str] | None) -> list[str] | None:
    if not relations:
        return None
    unknown = [r for r in relations if r not in RELATIONS or r == "unrelated"]
    if unknown:
        raise ValidationFailed(
            msg("kinship.match.bad_relation", relation=unknown[0][:30]), code="bad_relation"
        )
    return list(dict.fromkeys(relations))


def _table(name: str):  # type: ignore[no-untyped-def]
    try:
        return load_table(name)
    except KeyError:
        raise ValidationFailed(
            msg("kinship.match.bad_frequencies", name=name[:40], choices=", ".join(TABLES)),
            code="bad_frequencies",
        ) from None


def _existing(session: Session, a: int, b: int) -> KinshipCandidate | None:
    """The pair's candidate, whichever way round and under whichever relation it was found."""
    return session.scalar(
        select(KinshipCandidate)
        .where(
            or_(
                and_(KinshipCandidate.profile_a == a, KinshipCandidate.profile_b == b),
                and_(KinshipCandidate.profile_a == b, KinshipCandidate.profile_b == a),
            ),
        )
        .order_by(KinshipCandidate.id)
        .limit(1)
    )


class Extras(Protocol):
    """The evidence beside the autosomal LR: the lineage checks of a pair, the non-genetic LR
    of the two cases' subjects, and the posterior from a total LR and a prior."""

    def lineage(self, a: Donor, b: Donor) -> dict[str, Any]: ...

    def context(self, a: KinshipCase, b: KinshipCase) -> tuple[float, dict[str, float]]: ...

    def posterior(self, log10_lr_total: float, prior: float) -> float: ...


def search_case(
    session: Session, actor: Actor, vault: Vault, case_id: int, *, policy: Policy,
    relations: list[str] | None = None, frequencies: str = "east_asia", now: datetime,
    extras: Extras,
) -> Outcome:  # fmt: skip
    """Search every consented, profiled donor of the case against the other side."""
    require(actor, "kinship.search")
    case = session.get(KinshipCase, case_id)
    if case is None:
        raise NotFound(msg("kinship.match.no_case", id=case_id), code="case_not_found")
    chosen = _checked_relations(relations)
    table = _table(frequencies)
    own = _donors(vault, match_data.searchable(session, case_id=case.id))
    if not own:
        raise Conflict(msg("kinship.match.nothing_to_search", case_no=case.case_no),
                       code="nothing_to_search")  # fmt: skip
    others = _donors(vault, match_data.searchable(session, side=OTHER_SIDE[case.side]))
    matrix = ProfileMatrix.build([d.genotypes for d in others], table) if others else None
    searches, kept = [], []
    for donor in own:
        per_pair = [chosen or plausible(donor.person.relation, o.person.relation) for o in others]
        union = list(dict.fromkeys(r for rels in per_pair for r in rels))
        screen = (
            matrix.search(donor.genotypes, union, theta=policy.theta, mutation=policy.mutation)
            if matrix is not None and union
            else None
        )
        search = KinshipSearch(
            profile_id=donor.profile.id, relations=union, frequencies=frequencies,
            theta=policy.theta, compared=len(others), candidates=0, run_by=actor.user_id,
            run_at=now, params=policy.params(),
        )  # fmt: skip
        session.add(search)
        session.flush()
        found = 0
        for j, other in enumerate(others):
            if not per_pair[j]:
                continue
            assert screen is not None  # a relation to test means a side to screen
            if max(screen[union.index(r), j] for r in per_pair[j]) < policy.report_floor_log10:
                continue
            row = _candidate(session, search, donor, other, per_pair[j], table, policy,
                             extras, now)  # fmt: skip
            if row is not None:
                kept.append(row)
                found += 1
        search.candidates = found
        searches.append(search)
    session.flush()
    audit.record(
        session, actor, "kinship.search", "kinship_case", case.id,
        {"case_no": case.case_no, "frequencies": frequencies, "searches": len(searches),
         "compared": len(others), "candidates": len(kept)},
    )  # fmt: skip
    finish(session)
    return Outcome(searches, kept)


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None  # JSON holds no infinity


def _candidate(
    session: Session, search: KinshipSearch, donor: Donor, other: Donor, relations: list[str],
    table: Any, policy: Policy, extras: Extras, now: datetime,
) -> KinshipCandidate | None:  # fmt: skip
    """One candidate per pair, under the relation with the highest LR; the other relations
    tested stay in its evidence, so a reviewer sees full against half siblings at a glance."""
    exact = {
        r: pair_lr(donor.genotypes, other.genotypes, r, table, theta=policy.theta,
                   mutation=policy.mutation)
        for r in relations
    }  # fmt: skip
    relation, best = max(exact.items(), key=lambda kv: kv[1].log10_lr)
    if not math.isfinite(best.log10_lr) or best.log10_lr < policy.report_floor_log10:
        return None
    context_log10, context_parts = extras.context(donor.case, other.case)
    row = _existing(session, donor.profile.id, other.profile.id)
    if row is not None and row.status != "new":
        return row  # reviewed as it stood: a rerun does not change what was decided
    if row is None:
        row = KinshipCandidate(
            profile_a=donor.profile.id, profile_b=other.profile.id, status="new", created_at=now
        )
        session.add(row)
    row.relation = relation
    row.search_id = search.id
    row.log10_lr, row.log10_lr_context = best.log10_lr, context_log10
    row.prior = policy.prior
    row.posterior = extras.posterior(best.log10_lr + context_log10, policy.prior)
    row.loci_compared = best.loci_compared
    row.lineage = extras.lineage(donor, other)
    row.evidence = {
        "loci": best.factors,
        "context": context_parts,
        "frequencies": table.name,
        "alternatives": {r: _finite(e.log10_lr) for r, e in exact.items() if r != relation},
    }
    row.updated_at = now
    session.flush()
    return row


class EngineExtras:
    """The engine's lineage checks and non-genetic LR, vault-opened lineage markers."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def lineage(self, a: Donor, b: Donor) -> dict[str, Any]:
        subject_sex = a.case.sex if a.case.sex in ("M", "F") else None
        applies = lineage_applies(
            a.person.relation, b.person.relation, a.person.sex, b.person.sex,
            subject_sex=subject_sex,
        )  # fmt: skip
        out: dict[str, Any] = {}
        for marker, check, opened in (
            ("y", ystr_check, match_data.ystr),
            ("mt", mtdna_check, match_data.mtdna),
        ):
            if applies.get(marker):
                result = check(opened(self.vault, a.profile), opened(self.vault, b.profile))
                out[marker] = {"status": result.status, "detail": result.detail}
            else:
                out[marker] = {"status": "not_tested", "detail": {"applies": False}}
        return out

    def _subject(self, case: KinshipCase) -> context.Subject:
        return context.Subject(
            sex=case.sex, birth_year_min=case.birth_year_min, birth_year_max=case.birth_year_max,
            date_min=case.date_min, date_max=case.date_max, place_code=case.place_code,
            place=case.place, side=case.side,
        )  # fmt: skip

    def context(self, a: KinshipCase, b: KinshipCase) -> tuple[float, dict[str, float]]:
        found = context.context_lr(self._subject(a), self._subject(b))
        return found.log10_lr, dict(found.parts)

    def posterior(self, log10_lr_total: float, prior: float) -> float:
        return float(context.posterior(log10_lr_total, prior))


def threshold_sources() -> dict[str, str]:
    """Where each number of the thresholds file comes from: the comment above its key."""
    text = resources.files("pingan.kinship").joinpath("thresholds.yaml").read_text("utf-8")
    out: dict[str, str] = {}
    notes: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            notes.append(line.lstrip("#").strip())
            continue
        key = line.split(":", 1)[0].strip()
        if key and not line.startswith(" ") and notes:
            words = " ".join(n for n in notes if n)
            out[key] = words[words.find(f"{key}:") :].removeprefix(f"{key}:").strip()
        notes = []
    return out


def policy_from_thresholds(open_cases_other_side: int) -> Policy:
    """The thresholds file's numbers and their sources; the prior resolved for this many open
    cases on the other side."""
    t = load_thresholds()
    return Policy(
        report_floor_log10=t.report_floor_log10, strong_log10=t.strong_log10, theta=t.theta,
        mutation=t.mutation, prior=t.prior_for(open_cases_other_side), prior_rule=str(t.prior),
        sources=threshold_sources(),
    )  # fmt: skip


def search(
    session: Session, actor: Actor, vault: Vault, case_id: int, *,
    relations: list[str] | None = None, frequencies: str | None = None, now: datetime,
) -> Outcome:  # fmt: skip
    """`search_case` under the thresholds file (its frequency table unless one is named),
    with the engine's lineage and context."""
    require(actor, "kinship.search")
    case = session.get(KinshipCase, case_id)
    if case is None:
        raise NotFound(msg("kinship.match.no_case", id=case_id), code="case_not_found")
    others = session.scalar(
        select(func.count())
        .select_from(KinshipCase)
        .where(KinshipCase.side == OTHER_SIDE[case.side])
    )
    return search_case(
        session, actor, vault, case_id, policy=policy_from_thresholds(int(others or 0)),
        relations=relations, frequencies=frequencies or load_thresholds().frequencies, now=now,
        extras=EngineExtras(vault),
    )  # fmt: skip


def sample_of(session: Session, profile_id: int) -> str:
    return match_data.parties(session, (profile_id,))[profile_id]["sample_id"]
