"""Shared fixtures: a fresh store per test on SQLite and on the real PostgreSQL server.

PostgreSQL tests skip with a stated reason when no server answers, unless
PINGAN_TEST_REQUIRE_SERVICES=1 (set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pingan.app import create_app
from pingan.audit import service as audit
from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.db import migrate
from pingan.db.engine import Database
from pingan.db.models import Base
from pingan.pii.vault import Vault

POSTGRES_ADMIN_URL = os.environ.get(
    "PINGAN_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/postgres"
)
REQUIRE_SERVICES = os.environ.get("PINGAN_TEST_REQUIRE_SERVICES") == "1"
TEST_PASSWORD = "Correct-horse-9"
SECRET = "m4O9x4bC0n1C3z3f9mYlXz8r0pQ2s7tVwK5eJ6hD1aA="


# Tests that stop and start a shared server (the MQTT broker, NATS) or listen on the same topics
# run on one worker, one after another; every other test file is a group of its own, so its
# module fixtures are built once.
SHARED_SERVER_GROUPS = {"devices": "mqtt", "services/test_anpr_mqtt.py": "mqtt", "bus": "nats"}


def _worker_group(item: pytest.Item) -> str:
    path = Path(str(item.path)).relative_to(Path(__file__).parent).as_posix()
    for prefix, group in SHARED_SERVER_GROUPS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return group
    return path


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_worker_group(item)))


def service_unavailable(what: str, why: str) -> None:
    message = f"{what} not reachable ({why}); set PINGAN_TEST_REQUIRE_SERVICES=1 to make this fail"
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} required but not reachable: {why}")
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its minimum cost: the tests exercise the logic, not the key stretching.

    Stored hashes carry their own parameters, so verification is unchanged.
    """
    from argon2 import PasswordHasher

    from pingan.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the file (much faster than migrating per test)."""
    path = tmp_path_factory.mktemp("template") / "pingan.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    db.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, migrated once for the session."""
    name = f"pingan_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        service_unavailable("PostgreSQL", f"{POSTGRES_ADMIN_URL}: {type(exc).__name__}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    migrate.upgrade(db.engine)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty store — once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "pingan.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        _truncate_postgres(database)
    audit.use_key(database, Vault(base64.urlsafe_b64decode(SECRET)).audit_key)  # as the app's
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key=SECRET)


@pytest.fixture
def vault() -> Vault:
    return Vault.from_setting_or_file(SECRET, Path("/nonexistent"))


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, database=db)
    with TestClient(app) as c:
        yield c


@dataclass
class Accounts:
    """One logged-in user per role, with bearer headers ready for requests."""

    tokens: dict[Role, str]
    ids: dict[Role, int]

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def accounts(client: TestClient, db: Database, vault: Vault) -> Accounts:
    tokens, ids = {}, {}
    with db.session() as session:
        for role in Role:
            user = auth_service.create_user(
                session,
                Actor.system("test"),
                vault,
                username=f"{role.value}1",
                password=TEST_PASSWORD,
                role=role,
                phone="13800138000",
            )
            ids[role] = user.id
    for role in Role:
        r = client.post(
            "/api/v1/auth/login", json={"username": f"{role.value}1", "password": TEST_PASSWORD}
        )
        assert r.status_code == 200, r.text
        tokens[role] = r.json()["access_token"]
    return Accounts(tokens, ids)
