"""The `Idempotency-Key` header on create endpoints (see pingan.db.idempotency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.db import idempotency
from pingan.db.idempotency import Replay

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[!-~]+$",
        description="http.field.idempotency_key",
    ),
]


def idempotent(
    session: Session,
    actor: Actor,
    operation: str,
    key: str | None,
    body: BaseModel,
    create: Callable[[], BaseModel],
    status: int = 201,
) -> BaseModel | JSONResponse:
    """The new answer, or the first answer again (marked `Idempotent-Replayed: true`)."""
    result = idempotency.once(session, actor, operation, key, body, create, status)
    if isinstance(result, Replay):
        return JSONResponse(
            result.body, status_code=result.status, headers={"Idempotent-Replayed": "true"}
        )
    return result
