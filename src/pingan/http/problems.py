"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import cache
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from pingan.errors import DomainError
from pingan.i18n import DEFAULT_LANG, Msg, catalogue, current_lang, render, text
from pingan.i18n.openapi import translate

log = logging.getLogger("pingan.http")

PROBLEM_TYPE = "urn:pingan:problem:"
TITLED = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503)


def title_of(status: int) -> str:
    """The status's title in the current language (catalogue `http.title.<status>`)."""
    return text(f"http.title.{status}" if status in TITLED else "http.title.error")


# What any API operation may answer besides its success: declared once, for every operation.
DECLARED_PROBLEMS = (400, 401, 403, 404, 409, 413, 422, 429)
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """The body of every error answer (RFC 9457), as published in the OpenAPI description."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str


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
        "title": title or title_of(status),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        if route.path and route.methods and _pattern(route.path).fullmatch(request.url.path):
            methods |= route.methods
    return ", ".join(sorted(methods))


@cache
def _pattern(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


def _declare_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Each operation lists the problems it may answer, in the media type they come in."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    ref = {"$ref": "#/components/schemas/Problem"}
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if operation.get("description") not in catalogue(DEFAULT_LANG):
                # an endpoint's docstring is for developers, in English: the published text
                # is a catalogue code (`description="pkg.api.x"`), in the reader's language
                operation.pop("description", None)
            responses = operation.setdefault("responses", {})
            for status in DECLARED_PROBLEMS:
                responses[str(status)] = {
                    "description": f"http.title.{status}",  # a code: translated per language
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}},
                }
    return spec


def document(app: FastAPI) -> None:
    """Publish the problem answers in the app's OpenAPI description: built once with the
    routes' catalogue codes, then put into words once per language (pingan.i18n.openapi), so
    /api/openapi.json answers in the request's language."""
    specs: dict[str, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _declare_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        lang = current_lang()
        if lang not in specs:
            specs[lang] = translate(app.openapi_schema, lang)
        return specs[lang]

    app.openapi = openapi  # type: ignore[method-assign]


def _field(loc: tuple | list) -> str:
    return ".".join(str(p) for p in loc if p not in ("body",)) or "body"


def _message(error: Mapping[str, Any]) -> str:
    """A validation error in the request's language. `type` (pydantic's code, which the UI maps)
    is kept as is; the words come from `http.validation.<type>` with pydantic's context values,
    or, for our own validators (value_error), from the message they raised."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    code = f"http.validation.{kind}"
    if code in catalogue(DEFAULT_LANG):
        try:
            return text(code, **{k: v for k, v in ctx.items() if isinstance(v, str | int | float)})
        except (KeyError, IndexError, ValueError):
            pass
    if current_lang() == "en":
        return str(error.get("msg", ""))
    return text("http.validation.other")


def install(app: FastAPI) -> None:
    document(app)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = None
        if "retry_after" in exc.extra:
            headers = {"Retry-After": str(exc.extra["retry_after"])}
        if exc.status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        extra = {}
        if "errors" in exc.extra:  # a refused file's faults, each {line, code, message}
            extra["errors"] = [{k: render(v) if isinstance(v, Msg) else v for k, v in e.items()}
                               for e in exc.extra["errors"]]  # fmt: skip
        return problem(
            exc.status, exc.detail, code=exc.code, title=exc.title, headers=headers, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": _message(e), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        detail = text("http.invalid_field", field=first["field"], message=first["message"])
        return problem(422, detail, code="validation_failed", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        # Starlette's own answers ("Not Found", "Method Not Allowed") speak the reader's language.
        detail = str(exc.detail)
        if detail == HTTPStatus(exc.status_code).phrase:
            detail = title_of(exc.status_code)
        return problem(exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, text("http.internal_logged"), code="internal")
