"""One page shape for every list endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from pingan.http.inputs import INT_MAX

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def page_of(schema: type[T], rows: Iterable[Any], total: int, limit: int, offset: int) -> Page[T]:
    """A page of stored rows, each read into the endpoint's public schema."""
    items = [schema.model_validate(r) for r in rows]  # type: ignore[attr-defined]
    return Page[schema](items=items, total=total, limit=limit, offset=offset)  # type: ignore[valid-type]


Limit = Annotated[int, Query(ge=1, le=500, description="http.field.limit")]
Offset = Annotated[int, Query(ge=0, le=INT_MAX, description="http.field.offset")]
