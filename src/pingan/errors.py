"""Domain errors with stable codes, turned into RFC 9457 problem details by the API.

Services raise these; adapters never build error responses themselves, so the same rule
gives the same status and code everywhere (HTTP 4xx for the API, exit code 2 for the CLI).
"""

from __future__ import annotations

from typing import Any

from pingan.i18n import Msg, text


class DomainError(Exception):
    """A request the domain refuses, with a reason the caller can act on.

    The reason is a `Msg` (a catalogue code and its values), put into words only when read:
    `detail` and `title` speak the current language (the request's, or the CLI's). A plain
    string is accepted for text that is already in the reader's words.
    """

    status: int = 400
    code: str = "bad_request"

    def __init__(self, detail: Msg | str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.message = detail
        if code:
            self.code = code
        self.extra = extra

    @property
    def detail(self) -> str:
        return str(self.message)

    @property
    def title(self) -> str:
        return text(f"http.title.{self.status}")

    def __str__(self) -> str:
        return self.detail


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
