"""Who sees what in the help services: citizens follow their own cases only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.auth.service import require
from pingan.db.paging import page
from pingan.errors import NotFound
from pingan.i18n import Msg, msg


def is_citizen(actor: Actor) -> bool:
    return actor.role is Role.CITIZEN


def own_or_staff(actor: Actor, owner_user_id: int | None, what: Msg) -> None:
    """A citizen asking for someone else's case gets the same answer as for no case."""
    if is_citizen(actor) and owner_user_id != actor.user_id:
        raise NotFound(msg("services.no_such_case", what=what), code="not_found")


def visible_cases(actor: Actor, model: Any) -> Select:
    """All cases of `model` for staff; a citizen's own (`reporter_user_id`) for a citizen."""
    query = select(model)
    if is_citizen(actor):
        query = query.where(model.reporter_user_id == actor.user_id)
    return query


def list_cases(
    session: Session, actor: Actor, model: Any, *, limit: int, offset: int, **equal: str | None
) -> tuple[list[Any], int]:
    """A page of visible cases, newest first, where each given column equals its value
    (None: any)."""
    require(actor, "services.read")
    query = visible_cases(actor, model)
    for column, value in equal.items():
        if value:
            query = query.where(getattr(model, column) == value)
    return page(session, query, model.id.desc(), limit=limit, offset=offset)
