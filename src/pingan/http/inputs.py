"""What any input must be before a service sees it: shared types and one base for bodies.

Both stores fail loudly on values Python accepts: PostgreSQL's INTEGER holds 32 bits (SQLite's
64), neither takes a NUL byte in text, and a datetime near year 1 or 9999 overflows the first
`timedelta` added to it. Rather than bound hundreds of fields one by one, bodies derive from
`Input`, which checks every integer, string and time it holds, and path and query parameters
use the `Id`, `Offset` and `Instant` types (or `Depends(plain_text_parameters)` at app level).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from fastapi.requests import HTTPConnection
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from pingan.errors import ValidationFailed
from pingan.i18n import msg

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL INTEGER, the narrowest column in use
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
# Free-text fields that may hold line breaks and tabs; every other string is one line.
MULTILINE_FIELDS = frozenset(
    {"summary", "outcome", "note", "notes", "reason", "description", "details", "features"}
    | {"clothing", "habits", "problem", "text"}
)
_LINE_BREAKS = frozenset("\n\r\t")
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")

Id = Annotated[int, Field(ge=1, le=INT_MAX, description="http.field.id")]
Offset = Annotated[int, Field(ge=0, le=INT_MAX, description="http.field.offset")]


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in `text` (line breaks allowed where `multiline`)."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") and not (multiline and char in _LINE_BREAKS):
            return char
    return None


def _refuse_control(text: str, *, multiline: bool = False) -> str:
    char = control_character(text, multiline=multiline)
    if char is not None:
        raise ValueError(msg("http.control_character", code=ord(char)))
    return text


def _iso_only(value: Any) -> Any:
    """Times are ISO 8601 text: a bare number (`until=0.5`) is not read as a Unix time."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError(msg("http.time_not_iso"))
    return value


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(msg("http.time_out_of_range"))
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_in_range)]


def _check(value: Any, multiline: bool) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise ValueError(msg("http.integer_out_of_range", INT_MIN=INT_MIN, INT_MAX=INT_MAX))
    if isinstance(value, str):
        _refuse_control(value, multiline=multiline)
    elif isinstance(value, datetime):
        _in_range(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, False)
            _check(item, multiline)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, multiline)
    elif isinstance(value, BaseModel) and not isinstance(value, Input):  # Input checked itself
        for name, item in value:
            _check(item, name in MULTILINE_FIELDS)


def _bound_integers(schema: dict[str, Any]) -> None:
    """Publish the integer range `Input` enforces wherever a field states none of its own."""
    if schema.get("type") == "integer":
        schema.setdefault("minimum", INT_MIN)
        schema.setdefault("maximum", INT_MAX)
    for value in schema.values():
        if isinstance(value, dict):
            _bound_integers(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _bound_integers(item)


class Input(BaseModel):
    """Base of every request body: no unknown fields, and no value the stores cannot hold."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra=lambda schema, _: _bound_integers(schema),
    )
    multiline_fields: ClassVar[frozenset[str]] = MULTILINE_FIELDS

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        _check(value, info.field_name in cls.multiline_fields)
        return value


async def plain_text_parameters(request: HTTPConnection) -> None:
    """App-wide dependency: path and query values carry no control characters (a request's
    or a WebSocket's: both are connections)."""
    values = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in values:
        for text in (name, value):
            char = control_character(str(text))
            if char is not None:
                raise ValidationFailed(
                    msg("http.parameter_control_character", name=name, code=ord(char)),
                    code="control_character",
                )
