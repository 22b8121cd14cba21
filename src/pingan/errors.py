"""Domain errors with stable codes, turned into RFC 9457 problem details by the API.

Services raise these; adapters never build error responses themselves, so the same rule
gives the same status and code everywhere (HTTP 4xx for the API, exit code 2 for the CLI).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses, with a reason the caller can act on."""

    status: int = 400
    code: str = "bad_request"
    title: str = "请求无效 / Bad request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "输入无效 / Invalid input"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "未找到 / Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "状态冲突 / Conflict"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "未登录或令牌无效 / Not authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "无权执行此操作 / Forbidden"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    title = "请求过于频繁 / Too many requests"
