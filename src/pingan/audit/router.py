"""HTTP adapter for auditors: read and verify the trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from pingan.audit import service
from pingan.audit.checkpoints import CheckpointBook
from pingan.auth.actor import Actor
from pingan.http.deps import SessionDep, permit
from pingan.http.inputs import Instant
from pingan.http.paging import Limit, Offset, Page

router = APIRouter(prefix="/audit", tags=["audit 审计"])


class AuditRecordPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    ip: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyReport(BaseModel):
    ok: bool
    checked: int
    problems: list[str]


@router.get("", summary="审计记录 / audit records")
def list_records(
    session: SessionDep,
    actor: Annotated[Actor, permit("audit.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    user: Annotated[str | None, Query(description="操作人 / actor")] = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    since: Instant | None = None,
    until: Instant | None = None,
) -> Page[AuditRecordPublic]:
    rows, total = service.list_records(
        session,
        actor=user,
        object_type=object_type,
        object_id=object_id,
        action=action,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return Page[AuditRecordPublic](
        items=[AuditRecordPublic.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/verify", summary="校验审计链 / verify the keyed chain and signed checkpoints")
def verify(
    request: Request, session: SessionDep, actor: Annotated[Actor, permit("audit.read")]
) -> VerifyReport:
    book = CheckpointBook.for_settings(request.app.state.settings)
    result = service.verify(session, book)
    return VerifyReport(ok=result.ok, checked=result.checked, problems=result.problems)
