"""HTTP adapter of the matching side under /kinship: the ranked candidates and their
evidence, dual review, notification, the signed report, the search and the power analysis.
Each route declares exactly one permission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.http.deps import (
    ClockDep,
    SessionDep,
    SettingsDep,
    VaultDep,
    audited_read,
    permit,
)
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset
from pingan.kinship import candidates, case_power, reports, reviews, search_service
from pingan.kinship.match_schemas import (
    CandidatePage,
    CandidatePublic,
    EvidencePublic,
    NotifyIn,
    PowerIn,
    PowerOut,
    ReportMade,
    ReviewIn,
    SearchIn,
    SearchOut,
    SearchRun,
)
from pingan.kinship.models import KinshipCandidate

router = APIRouter(prefix="/kinship", tags=["kinship.match.tag"])
Status = Annotated[str | None, Query(max_length=20)]
Reason = Annotated[str | None, Query(max_length=500, description="kinship.match.field.reason")]


def _out(session: Session, row: KinshipCandidate) -> CandidatePublic:
    return CandidatePublic.model_validate(candidates.view(session, row))


@router.post("/cases/{case_id}/search", status_code=201, summary="kinship.match.api.search")
def search(
    case_id: Id,
    body: SearchIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.search")],
) -> SearchOut:
    """Every consented, profiled donor of the case against the other side; the candidates
    found (new or refreshed), most probable first."""
    outcome = search_service.search(
        session, actor, vault, case_id, relations=body.relations,
        frequencies=body.frequencies, now=clock(),
    )  # fmt: skip
    runs = [
        SearchRun(
            id=s.id,
            sample_id=search_service.sample_of(session, s.profile_id),
            compared=s.compared,
            candidates=s.candidates,
        )
        for s in outcome.searches
    ]
    ranked = sorted(outcome.candidates, key=lambda c: (-c.posterior, -c.log10_lr, c.id))
    return SearchOut(searches=runs, candidates=[_out(session, c) for c in ranked])


@router.post("/cases/{case_id}/power", summary="kinship.match.api.power")
def power(
    case_id: Id,
    body: PowerIn,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("kinship.search")],
) -> PowerOut:
    """Is the case's family informative enough? Simulated per donor, with advice in words."""
    return PowerOut.model_validate(
        case_power.analyse(session, actor, vault, case_id, panel=body.panel, n=body.n)
    )


@router.get("/candidates", summary="kinship.match.api.candidates")
def list_candidates(
    session: SessionDep,
    actor: Annotated[Actor, permit("kinship.read")],
    case_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Status = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CandidatePage:
    rows, total = candidates.ranked(
        session, case_id=case_id, status=status, limit=limit, offset=offset
    )
    return CandidatePage(
        items=[_out(session, r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/candidates/{candidate_id}", summary="kinship.match.api.candidate")
def get_candidate(
    candidate_id: Id, session: SessionDep, actor: Annotated[Actor, permit("kinship.read")]
) -> CandidatePublic:
    return _out(session, candidates.get(session, candidate_id))


@router.get("/candidates/{candidate_id}/evidence", summary="kinship.match.api.evidence")
@audited_read
def evidence(
    candidate_id: Id,
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("kinship.profile_read")],
    reason: Reason = None,
) -> EvidencePublic:
    """Both genotypes and the factor at each compared locus; the reason is audited."""
    return EvidencePublic.model_validate(
        candidates.evidence(session, actor, vault, candidate_id, reason)
    )


@router.post("/candidates/{candidate_id}/reviews", summary="kinship.match.api.review")
def review(
    candidate_id: Id,
    body: ReviewIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.review")],
) -> CandidatePublic:
    row = reviews.review(session, actor, candidate_id, body.decision, body.note, now=clock())
    return _out(session, row)


@router.post("/candidates/{candidate_id}/notify", summary="kinship.match.api.notify")
def notify(
    candidate_id: Id,
    body: NotifyIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.notify")],
) -> CandidatePublic:
    row = reviews.notify(session, actor, candidate_id, body.note, now=clock())
    return _out(session, row)


@router.post(
    "/candidates/{candidate_id}/report", status_code=201, summary="kinship.match.api.report"
)
def make_report(
    candidate_id: Id,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("kinship.report")],
) -> ReportMade:
    row = reports.make(session, actor, vault, candidate_id, data_dir=settings.data_dir, now=clock())
    return ReportMade(number=row.number, sha256=row.sha256, key_id=row.signature["key_id"])


@router.get(
    "/reports/{number}.pdf",
    summary="kinship.match.api.report_pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@audited_read
def report_pdf(
    number: Annotated[str, Path(max_length=40)],
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("kinship.report")],
) -> Response:
    """The signed PDF (its signature: `<number>.sig.json` beside it, and the audit trail)."""
    data = reports.read(session, actor, number, data_dir=settings.data_dir)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
    )
