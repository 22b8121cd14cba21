"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pingan.errors import DomainError

log = logging.getLogger("pingan.http")

PROBLEM_TYPE = "urn:pingan:problem:"
TITLES = {
    400: "请求无效 / Bad request",
    401: "未登录或令牌无效 / Not authenticated",
    403: "无权执行此操作 / Forbidden",
    404: "未找到 / Not found",
    405: "方法不允许 / Method not allowed",
    409: "状态冲突 / Conflict",
    413: "请求体过大 / Payload too large",
    415: "不支持的内容类型 / Unsupported media type",
    422: "输入无效 / Invalid input",
    429: "请求过于频繁 / Too many requests",
    500: "服务器内部错误 / Internal server error",
    503: "服务不可用 / Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    code = code or f"http_{status}"
    body = {
        "type": PROBLEM_TYPE + code,
        "title": title or TITLES.get(status, "错误 / Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def _field(loc: tuple | list) -> str:
    return ".".join(str(p) for p in loc if p not in ("body",)) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = None
        if "retry_after" in exc.extra:
            headers = {"Retry-After": str(exc.extra["retry_after"])}
        if exc.status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        return problem(exc.status, exc.detail, code=exc.code, title=exc.title, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        detail = f"字段 {first['field']} 无效: {first['message']} / invalid field {first['field']}"
        return problem(422, detail, code="validation_failed", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "服务器内部错误，已记录 / internal error, logged", code="internal")
