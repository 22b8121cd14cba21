"""Who sees what in the help services: citizens follow their own cases only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.errors import NotFound


def is_citizen(actor: Actor) -> bool:
    return actor.role is Role.CITIZEN


def own_or_staff(actor: Actor, owner_user_id: int | None, what: str) -> None:
    """A citizen asking for someone else's case gets the same answer as for no case."""
    if is_citizen(actor) and owner_user_id != actor.user_id:
        raise NotFound(f"{what}不存在 / no such case", code="not_found")


def visible_cases(actor: Actor, model: Any) -> Select:
    """All cases of `model` for staff; a citizen's own (`reporter_user_id`) for a citizen."""
    query = select(model)
    if is_citizen(actor):
        query = query.where(model.reporter_user_id == actor.user_id)
    return query
