"""HTTP adapter of the visits registry: facilities and terminals, detainees, visitors, their
ties with proof, and the case authority's consents. Lists are plain arrays (as
`GET /visits/facilities`), people masked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.models import User
from pingan.http.deps import (
    ClockDep,
    SessionDep,
    SettingsDep,
    VaultDep,
    audited_read,
    permit,
    signed_in,
)
from pingan.http.inputs import Id
from pingan.http.paging import Limit, Offset
from pingan.visits import registry, visitors
from pingan.visits.models import VisitDetainee, VisitRelation, VisitVisitor
from pingan.visits.registry_schemas import (
    ApprovalIn,
    ApprovalPublic,
    ConsularIn,
    DetaineeBrief,
    DetaineeChange,
    DetaineeIn,
    DetaineePublic,
    FacilityChange,
    FacilityIn,
    FacilityPublic,
    ReasonIn,
    RelationIn,
    RelationPublic,
    ReviewIn,
    TerminalIn,
    TerminalPublic,
    VisitorBrief,
    VisitorIn,
    VisitorPublic,
)

router = APIRouter(prefix="/visits", tags=["visits.registry.tag"])
Kind = Annotated[str | None, Query(max_length=20)]


def _proofs(settings: SettingsDep) -> Path:
    return settings.data_dir / visitors.PROOF_DIR


def _facility_out(session: Session, facility_id: int) -> FacilityPublic:
    row = registry.get_facility(session, facility_id)
    out = FacilityPublic.model_validate(row)
    terminals = registry.terminals_of(session, [row.id], active_only=False)
    out.terminals = [TerminalPublic.model_validate(t) for t in terminals]
    return out


def _relations_out(session: Session, rows: list[VisitRelation]) -> list[RelationPublic]:
    out = []
    for rel in rows:
        visitor = session.get(VisitVisitor, rel.visitor_id)
        detainee = session.get(VisitDetainee, rel.detainee_id)
        out.append(
            RelationPublic(
                id=rel.id,
                visitor=VisitorBrief.model_validate(visitor),
                detainee=DetaineeBrief.model_validate(detainee),
                relation=rel.relation,
                proof_kind=rel.proof_kind,
                proof_sha256=rel.proof_sha256,
                status=rel.status,
                reviewed_at=rel.reviewed_at,
                review_reason=rel.review_reason,
                created_at=rel.created_at,
            )
        )
    return out


# -- facilities and terminals ---------------------------------------------------------------
@router.get("/facilities", summary="visits.registry.api.facilities")
def facilities(
    session: SessionDep,
    user: Annotated[User, Depends(signed_in)],
    include_inactive: bool = False,
) -> list[FacilityPublic]:
    out = []
    for facility, terminals in registry.list_facilities(session, include_inactive=include_inactive):
        one = FacilityPublic.model_validate(facility)
        one.terminals = [TerminalPublic.model_validate(t) for t in terminals]
        out.append(one)
    return out


@router.post("/facilities", status_code=201, summary="visits.registry.api.create_facility")
def create_facility(
    body: FacilityIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.setup")],
) -> FacilityPublic:
    spec = registry.FacilitySpec(
        **body.model_dump(exclude={"terminals"}),
        terminals=tuple(registry.TerminalSpec(**t.model_dump()) for t in body.terminals),
    )
    row = registry.create_facility(session, actor, spec, now=clock())
    return _facility_out(session, row.id)


@router.patch("/facilities/{facility_id}", summary="visits.registry.api.update_facility")
def update_facility(
    facility_id: Id,
    body: FacilityChange,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.setup")],
) -> FacilityPublic:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    row = registry.update_facility(session, actor, facility_id, changes, now=clock())
    return _facility_out(session, row.id)


@router.post("/facilities/{facility_id}/terminals", summary="visits.registry.api.terminal")
def save_terminal(
    facility_id: Id,
    body: TerminalIn,
    session: SessionDep,
    actor: Annotated[Actor, permit("visits.setup")],
) -> TerminalPublic:
    row = registry.save_terminal(
        session, actor, facility_id, registry.TerminalSpec(**body.model_dump())
    )
    return TerminalPublic.model_validate(row)


# -- detainees ------------------------------------------------------------------------------
@router.post("/detainees", status_code=201, summary="visits.registry.api.create_detainee")
def create_detainee(
    body: DetaineeIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> DetaineePublic:
    data = body.model_dump()
    spec = registry.DetaineeSpec(**{**data, "restrictions": tuple(data["restrictions"])})
    row = registry.create_detainee(session, actor, vault, spec, now=clock())
    return DetaineePublic.model_validate(row)


@router.patch("/detainees/{detainee_id}", summary="visits.registry.api.update_detainee")
def update_detainee(
    detainee_id: Id,
    body: DetaineeChange,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> DetaineePublic:
    changes = body.model_dump(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "held_until"}
    row = registry.update_detainee(session, actor, detainee_id, changes, now=clock())
    return DetaineePublic.model_validate(row)


@router.get("/detainees", summary="visits.registry.api.detainees")
def detainees(
    session: SessionDep,
    vault: VaultDep,
    actor: Annotated[Actor, permit("visits.read")],
    limit: Limit = 100,
    offset: Offset = 0,
    facility_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Kind = None,
    q: Annotated[str | None, Query(max_length=40)] = None,
) -> list[DetaineePublic]:
    rows = registry.list_detainees(
        session, vault, facility_id=facility_id, status=status, q=q, limit=limit, offset=offset
    )
    return [DetaineePublic.model_validate(r) for r in rows]


@router.get("/detainees/{detainee_id}", summary="visits.registry.api.detainee")
def detainee(
    detainee_id: Id, session: SessionDep, actor: Annotated[Actor, permit("visits.read")]
) -> DetaineePublic:
    return DetaineePublic.model_validate(registry.get_detainee(session, detainee_id))


# -- visitors -------------------------------------------------------------------------------
@router.post("/visitors/me", status_code=201, summary="visits.registry.api.register_me")
def register_me(
    body: VisitorIn,
    response: Response,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.book")],
) -> VisitorPublic:
    row, created = visitors.register_me(session, actor, vault, **body.model_dump(), now=clock())
    if not created:
        response.status_code = 200
    return VisitorPublic.model_validate(row)


@router.get("/visitors/me", summary="visits.registry.api.me")
def me(
    session: SessionDep,
    actor: Annotated[Actor, permit("visits.book")],
    role: Kind = None,
) -> VisitorPublic:
    return VisitorPublic.model_validate(visitors.my_visitor(session, actor, role))


@router.get("/visitors", summary="visits.registry.api.visitors")
def visitor_list(
    session: SessionDep,
    actor: Annotated[Actor, permit("visits.read")],
    limit: Limit = 100,
    offset: Offset = 0,
    role: Kind = None,
    status: Kind = None,
) -> list[VisitorPublic]:
    rows = visitors.list_visitors(session, role=role, status=status, limit=limit, offset=offset)
    return [VisitorPublic.model_validate(r) for r in rows]


@router.post("/visitors/consular", status_code=201, summary="visits.registry.api.consular")
def register_consular(
    body: ConsularIn,
    session: SessionDep,
    vault: VaultDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> VisitorPublic:
    row = visitors.register_consular(session, actor, vault, **body.model_dump(), now=clock())
    return VisitorPublic.model_validate(row)


@router.post("/visitors/{visitor_id}/reinstate", summary="visits.registry.api.reinstate")
def reinstate(
    visitor_id: Id,
    body: ReasonIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> VisitorPublic:
    row = visitors.reinstate(session, actor, visitor_id, reason=body.reason, now=clock())
    return VisitorPublic.model_validate(row)


# -- ties -----------------------------------------------------------------------------------
@router.post("/relations", status_code=201, summary="visits.registry.api.claim_tie")
def claim_tie(
    body: RelationIn,
    session: SessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.book")],
) -> RelationPublic:
    rel = visitors.claim_tie(
        session, actor, vault, _proofs(settings), **body.model_dump(), now=clock()
    )
    return _relations_out(session, [rel])[0]


@router.get("/relations/mine", summary="visits.registry.api.my_ties")
def my_ties(
    session: SessionDep, actor: Annotated[Actor, permit("visits.book")]
) -> list[RelationPublic]:
    mine = visitors.visitors_of(session, actor.user_id or 0)
    rows = [r for v in mine for r in visitors.list_relations(session, visitor_id=v.id, limit=500)]
    return _relations_out(session, rows)


@router.get("/relations", summary="visits.registry.api.ties")
def ties(
    session: SessionDep,
    actor: Annotated[Actor, permit("visits.read")],
    limit: Limit = 100,
    offset: Offset = 0,
    status: Kind = None,
    facility_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    detainee_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[RelationPublic]:
    rows = visitors.list_relations(
        session,
        status=status,
        facility_id=facility_id,
        detainee_id=detainee_id,
        limit=limit,
        offset=offset,
    )
    return _relations_out(session, rows)


@router.get(
    "/relations/{relation_id}/proof",
    summary="visits.registry.api.proof",
    response_class=Response,
    responses={200: {"content": {t: {} for t in ("application/pdf", "image/jpeg", "image/png")}}},
)
@audited_read
def proof(
    relation_id: Id,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("visits.read")],
) -> Response:
    """The proof document itself, for the desk's review (the read is audited)."""
    data, media_type = visitors.read_proof(session, actor, _proofs(settings), relation_id)
    return Response(data, media_type=media_type)


@router.post("/relations/{relation_id}/review", summary="visits.registry.api.review")
def review(
    relation_id: Id,
    body: ReviewIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> RelationPublic:
    rel = visitors.review_tie(
        session, actor, relation_id, decision=body.decision, reason=body.reason, now=clock()
    )
    return _relations_out(session, [rel])[0]


# -- consents -------------------------------------------------------------------------------
def _approval_out(row, now) -> ApprovalPublic:  # type: ignore[no-untyped-def]
    out = ApprovalPublic.model_validate(row)
    out.state = visitors.approval_state(row, now)
    return out


@router.post("/approvals", status_code=201, summary="visits.registry.api.approve")
def record_approval(
    body: ApprovalIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> ApprovalPublic:
    now = clock()
    row = visitors.record_approval(session, actor, **body.model_dump(), now=now)
    return _approval_out(row, now)


@router.post("/approvals/{approval_id}/revoke", summary="visits.registry.api.revoke")
def revoke_approval(
    approval_id: Id,
    body: ReasonIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.manage")],
) -> ApprovalPublic:
    now = clock()
    row = visitors.revoke_approval(session, actor, approval_id, reason=body.reason, now=now)
    return _approval_out(row, now)


@router.get("/approvals", summary="visits.registry.api.approvals")
def approvals(
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, permit("visits.read")],
    limit: Limit = 100,
    offset: Offset = 0,
    detainee_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ApprovalPublic]:
    now = clock()
    rows = visitors.list_approvals(session, detainee_id=detainee_id, limit=limit, offset=offset)
    return [_approval_out(r, now) for r in rows]
