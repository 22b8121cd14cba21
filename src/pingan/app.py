"""FastAPI application factory: store, routers, problem details, health, the web page."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from pingan import __version__, runtime, store
from pingan.api import api_router
from pingan.audit import service as audit
from pingan.config import Settings
from pingan.db import migrate
from pingan.db.base import utcnow
from pingan.db.engine import Database
from pingan.fraud import sending as fraud_sending
from pingan.http import problems
from pingan.http.inputs import plain_text_parameters
from pingan.http.language import RequestLanguage
from pingan.http.limits import BodySizeLimit
from pingan.http.security import SecurityHeaders
from pingan.i18n import text
from pingan.kinship import photos as kinship_photos
from pingan.live.hub import LiveHub
from pingan.trust import signing
from pingan.trust.certificates import upload
from pingan.visits import recordings as visit_recordings

WEB_DIR = resources.files("pingan.web") / "static"
APP_DEPENDENCIES = [Depends(plain_text_parameters)]


@functools.cache
def _api() -> APIRouter:
    """The API's routes, resolved once per process and shared by every app built in it.

    FastAPI resolves an included router's routes (dependencies, parameter models) for each
    include, about two seconds for ours; the resolved routes hold nothing of one app (its
    state is read from the request), so a process that builds many apps — the test suite, one
    per test — resolves them once. The holder carries the app's own dependencies, as
    including into the app would, and the domain routers' lifespans (the device hub's), which
    the app's lifespan enters."""
    holder = APIRouter(dependencies=APP_DEPENDENCIES)
    holder.include_router(api_router())
    return holder


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app. The store must already be migrated (`pingan db upgrade`); raises
    pingan.store.StoreKeyError if the configured key cannot open the store's data."""
    settings = settings or Settings()
    db = database or Database(
        settings.resolved_database_url,
        echo=settings.sql_echo,
        legacy_transactions=settings.db_legacy_transactions,
    )

    api = _api()

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        async with api.lifespan_context(app_):  # the domain routers' own (the device hub)
            yield
        fraud_sending.stop_sender(app)  # the stop orders' background sender, if it started
        if database is None:
            db.dispose()

    app = FastAPI(
        title="app.api.title",
        version=__version__,
        description="app.api.description",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=APP_DEPENDENCIES,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.clock = utcnow  # one place to read time for login throttles; tests pin it
    app.state.live = LiveHub()  # fed by the relay where the process runs one (`_serve`)
    # the key must open the store's data (refuses to start otherwise); it keys the audit chain
    shared = runtime.configure(settings, store.load_vault(settings, db))
    audit.use_key(db, shared.vault.audit_key)  # the same vault, city and pools for handlers
    signing.use_key(db, shared.vault.key_bytes)  # signing keys open under the same secret
    app.state.vault, app.state.city, app.state.pools = shared.vault, shared.city, shared.pools
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        per_path={upload.PATH: upload.MAX_BYTES},  # a photographed QR code
        per_pattern=[
            (visit_recordings.UPLOAD_PATH, settings.visits_recording_max_bytes),
            (kinship_photos.UPLOAD_PATH, kinship_photos.UPLOAD_LIMIT),  # a case's photo
        ],
    )
    app.add_middleware(RequestLanguage)  # around the size limit, so its 413 speaks the language
    app.add_middleware(SecurityHeaders)  # added last: outermost, so even a 413 carries them
    problems.install(app)
    app.router.routes.extend(api.routes)

    @app.get(
        "/healthz",
        tags=["app.tag"],
        summary="app.api.healthz",
        responses={503: {"description": "app.api.healthz_unavailable"}},
    )
    def healthz(request: Request) -> JSONResponse:
        store: dict[str, Any] = {"dialect": db.dialect}
        try:
            db.ping()
            store["revision"] = migrate.current_revision(db.read_engine)
            store["head"] = migrate.head_revision()
            store["ok"] = store["revision"] == store["head"]
            if not store["ok"]:
                store["error"] = text("app.store_not_at_head")
        except (SQLAlchemyError, OSError) as exc:
            store["ok"], store["error"] = False, type(exc).__name__
        body = {
            "status": "ok" if store["ok"] else "unhealthy",
            "version": __version__,
            "store": store,
        }
        return JSONResponse(body, status_code=200 if store["ok"] else 503)

    app.mount("/static", StaticFiles(directory=str(WEB_DIR)), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> FileResponse:
        # FastAPI's default page loads Swagger UI from a CDN (police networks have none) and
        # starts it from an inline script, which the Content-Security-Policy refuses.
        return FileResponse(str(WEB_DIR / "api-docs.html"))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        # Pages link /static/favicon.svg; this answers the browsers and tools that still ask
        # for /favicon.ico (a 404 there is noise in every console and access log).
        return FileResponse(str(WEB_DIR / "favicon.svg"), media_type="image/svg+xml")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(str(WEB_DIR / "index.html"))

    @app.get("/verify", include_in_schema=False)
    def verify_page() -> FileResponse:
        # The public e-certificate check: a page of its own, so a verifier needs no sign-in
        # and loads none of the command centre.
        return FileResponse(str(WEB_DIR / "verify.html"))

    return app
