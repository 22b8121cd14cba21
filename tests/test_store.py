"""The store itself: migrations match the models; health; the web page is served."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from pingan.db import migrate
from pingan.db.models import Base


def test_migrations_produce_exactly_the_models(db):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_sqlite_runs_in_wal_mode(tmp_path):
    from pingan.db.engine import Database

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_healthz_reports_the_store(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["store"]["revision"] == migrate.head_revision()


def test_healthz_is_503_on_an_unmigrated_store(tmp_path, settings):
    from fastapi.testclient import TestClient

    from pingan.app import create_app
    from pingan.db.engine import Database

    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings, database=db)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "unhealthy"
    db.dispose()


def test_first_page_and_api_docs_are_served_offline(client):
    page = client.get("/")
    assert page.status_code == 200 and "平安" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from outside
    assert client.get("/static/js/main.js").status_code == 200
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "https://" not in docs.text and "http://" not in docs.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"].startswith("平安")
