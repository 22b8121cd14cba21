"""HTTP adapter for auditors: read and verify the trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, model_validator

from pingan.audit import service
from pingan.audit.checkpoints import CheckpointBook
from pingan.auth.actor import Actor
from pingan.http.deps import SessionDep, permit
from pingan.http.inputs import Instant
from pingan.http.paging import Limit, Offset, Page
from pingan.i18n import shown_json

router = APIRouter(prefix="/audit", tags=["audit.tag"])


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
    detail: dict[str, Any]  # as stored and hashed: messages as {code, params}
    prev_hash: str
    hash: str
    # the detail as read: stored messages (reasons) in the request's language
    detail_shown: dict[str, Any] = {}

    @model_validator(mode="after")
    def _shown(self) -> AuditRecordPublic:
        self.detail_shown = shown_json(self.detail)
        return self


class VerifyReport(BaseModel):
    ok: bool
    checked: int
    problems: list[str]


@router.get("", summary="audit.api.list_records")
def list_records(
    session: SessionDep,
    actor: Annotated[Actor, permit("audit.read")],
    limit: Limit = 50,
    offset: Offset = 0,
    user: Annotated[str | None, Query(description="audit.field.user")] = None,
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


@router.get("/verify", summary="audit.api.verify")
def verify(
    request: Request, session: SessionDep, actor: Annotated[Actor, permit("audit.read")]
) -> VerifyReport:
    book = CheckpointBook.for_settings(request.app.state.settings)
    result = service.verify(session, book)
    return VerifyReport(ok=result.ok, checked=result.checked, problems=result.problems)
