"""One page of a filtered query, with the total the list endpoints report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def page(
    session: Session, query: Select, *order_by: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    """The rows of `query` in `order_by` order from `offset`, and how many match in all."""
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(*order_by).limit(limit).offset(offset)).scalars()
    return list(rows), total
