"""HTTP adapter for deployment planning (精准布警)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.deployment import export, realized, service
from pingan.deployment.models import DeploymentPlan
from pingan.deployment.schemas import (
    PlanCreate,
    PlannedVsRealizedPublic,
    PlanPublic,
    PlanWithPosts,
    PostPublic,
    Replan,
    ReplanResult,
)
from pingan.errors import ValidationFailed
from pingan.http.deps import CityDep, SessionDep, SettingsDep, permit
from pingan.http.files import attachment
from pingan.http.inputs import Id, Instant
from pingan.http.paging import Limit, Offset, Page, page_of
from pingan.i18n import msg, text

router = APIRouter(prefix="/deployment", tags=["deployment.tag"])


def _full(session: Session, actor: Actor, plan: DeploymentPlan) -> PlanWithPosts:
    posts = service.plan_posts(session, actor, plan.id)
    return PlanWithPosts(
        **PlanPublic.model_validate(plan).model_dump(),
        posts=[PostPublic.model_validate(p) for p in posts],
    )


@router.post("/plans", status_code=201, summary="deployment.api.make_plan")
def make_plan(
    body: PlanCreate,
    session: SessionDep,
    city: CityDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("deployment.plan")],
) -> PlanWithPosts:
    plan = service.make_plan(
        session,
        actor,
        city,
        day=body.date,
        shift_code=body.shift,
        posts_path=settings.city_posts,
        solver=body.solver,
        lexicographic=body.lexicographic,
        unit_ids=body.unit_ids,
    )
    return _full(session, actor, plan)


@router.get("/plans", summary="deployment.api.list_plans")
def list_plans(
    session: SessionDep,
    actor: Annotated[Actor, permit("deployment.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    date: str | None = None,
) -> Page[PlanPublic]:
    rows, total = service.list_plans(session, actor, day=date, limit=limit, offset=offset)
    return page_of(PlanPublic, rows, total, limit, offset)


@router.get("/plans/{plan_id}", summary="deployment.api.get_plan")
def get_plan(
    plan_id: Id, session: SessionDep, actor: Annotated[Actor, permit("deployment.read")]
) -> PlanWithPosts:
    return _full(session, actor, service.get_plan(session, actor, plan_id))


@router.get("/plans/{plan_id}/geojson", summary="deployment.api.plan_geojson")
def plan_geojson(
    plan_id: Id, session: SessionDep, actor: Annotated[Actor, permit("deployment.read")]
) -> dict[str, Any]:
    plan = service.get_plan(session, actor, plan_id)
    return export.to_geojson(plan, service.plan_posts(session, actor, plan_id))


@router.get("/plans/{plan_id}/export.csv", summary="deployment.api.plan_csv")
def plan_csv(
    plan_id: Id, session: SessionDep, actor: Annotated[Actor, permit("deployment.read")]
) -> Response:
    plan = service.get_plan(session, actor, plan_id)
    data = export.to_csv(plan, service.plan_posts(session, actor, plan_id))
    return attachment(data, "text/csv; charset=utf-8", f"deployment-plan-{plan.id}.csv")


@router.get("/plans/{plan_id}/export.pdf", summary="deployment.api.plan_pdf")
def plan_pdf(
    plan_id: Id, session: SessionDep, actor: Annotated[Actor, permit("deployment.read")]
) -> Response:
    plan = service.get_plan(session, actor, plan_id)
    data = export.to_pdf(plan, service.plan_posts(session, actor, plan_id))
    return attachment(data, "application/pdf", f"deployment-plan-{plan.id}.pdf")


@router.post("/plans/{plan_id}/approve", summary="deployment.api.approve")
def approve(
    plan_id: Id, session: SessionDep, actor: Annotated[Actor, permit("deployment.approve")]
) -> PlanWithPosts:
    return _full(session, actor, service.approve(session, actor, plan_id))


@router.post("/plans/{plan_id}/replan", status_code=201, summary="deployment.api.replan")
def replan(
    plan_id: Id,
    body: Replan,
    session: SessionDep,
    city: CityDep,
    settings: SettingsDep,
    actor: Annotated[Actor, permit("deployment.plan")],
) -> ReplanResult:
    plan, before = service.replan(
        session,
        actor,
        city,
        plan_id,
        crowds=body.crowds,
        max_moves=body.max_moves,
        max_move_s=body.max_move_s,
        posts_path=settings.city_posts,
    )
    return ReplanResult(
        plan=_full(session, actor, plan), coverage_before=before, coverage_after=plan.coverage
    )


@router.get("/realized", summary="deployment.api.planned_vs_realized")
def planned_vs_realized(
    session: SessionDep,
    actor: Annotated[Actor, permit("report.read")],
    since: Instant,
    until: Instant | None = None,
) -> PlannedVsRealizedPublic:
    """Calls received in [since, until): the expected coverage of the plan in force at each
    call against the share first verified on scene within each tier (clock in the reply)."""
    if until is not None and until <= since:
        raise ValidationFailed(msg("deployment.bad_period"), code="bad_period")
    p = realized.planned_vs_realized(session, actor, since=since, until=until)
    return PlannedVsRealizedPublic(
        **{k: getattr(p, k) for k in ("since", "until", "incidents", "with_plan", "verified")},
        plans=p.plans,
        tiers=[
            {
                "code": t.code,
                "seconds": t.seconds,
                "planned": t.planned,
                "realized": t.realized,
                "diff_points": t.diff_points,
            }
            for t in p.tiers
        ],
        deterministic=p.deterministic,
        clock=text("deployment.clock"),
    )
