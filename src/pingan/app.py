"""FastAPI application factory: store, routers, problem details, health, the web page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from pingan import __version__, runtime
from pingan.api import api_router
from pingan.config import Settings
from pingan.db import migrate
from pingan.db.engine import Database
from pingan.http import problems
from pingan.http.limits import BodySizeLimit
from pingan.live.hub import LiveHub

WEB_DIR = resources.files("pingan.web") / "static"


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app. The store must already be migrated (`pingan db upgrade`)."""
    settings = settings or Settings()
    db = database or Database(
        settings.resolved_database_url,
        echo=settings.sql_echo,
        legacy_transactions=settings.db_legacy_transactions,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if database is None:
            db.dispose()

    app = FastAPI(
        title="平安 Pingan API",
        version=__version__,
        description="城市公安接处警、调度、勤务与便民服务平台 / "
        "incident handling, dispatch, deployment and citizen services for a city police bureau",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.live = LiveHub()  # fed by the relay where the process runs one (`_serve`)
    shared = runtime.configure(settings)  # the same vault, city and pools for event handlers
    app.state.vault, app.state.city, app.state.pools = shared.vault, shared.city, shared.pools
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    problems.install(app)
    app.include_router(api_router())

    @app.get("/healthz", tags=["health 健康检查"], summary="存储健康 / store health")
    def healthz(request: Request) -> JSONResponse:
        store: dict[str, Any] = {"dialect": db.dialect}
        try:
            db.ping()
            store["revision"] = migrate.current_revision(db.read_engine)
            store["head"] = migrate.head_revision()
            store["ok"] = store["revision"] == store["head"]
            if not store["ok"]:
                store["error"] = "数据库未迁移到最新版本 / store schema is not at head"
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
    def api_docs() -> HTMLResponse:
        # FastAPI's default page loads Swagger UI from a CDN; police networks have none.
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="平安 Pingan API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(str(WEB_DIR / "index.html"))

    return app
