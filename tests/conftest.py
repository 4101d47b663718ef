"""Shared fixtures: a fresh migrated ops store per test, on SQLite and (when configured) PostgreSQL.

Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run every store-backed
test on PostgreSQL too; REQUIRE_POSTGRES=1 turns a missing or unreachable server into a failure
instead of a skip (CI sets it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.db import make_engine
from ledger.settings import Settings
from tests.stores import (
    POSTGRES_ENV,
    REQUIRE_POSTGRES_ENV,
    PostgresTemplate,
    SqliteTemplate,
    postgres_admin_url,
)

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789abcdef"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteTemplate]:
    template = SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))
    yield template
    template.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate | None]:
    admin_url = postgres_admin_url()
    required = os.environ.get(REQUIRE_POSTGRES_ENV) == "1"
    if admin_url is None:
        if required:
            pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {POSTGRES_ENV} is not set")
        yield None
        return
    try:
        template = PostgresTemplate(admin_url)
    except Exception as exc:
        if required:
            pytest.fail(f"PostgreSQL at {POSTGRES_ENV} is unreachable: {exc}")
        yield None
        return
    yield template
    template.close()


@pytest.fixture(params=["sqlite", "postgres"])
def ops_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: SqliteTemplate,
) -> Iterator[str]:
    """The URL of a fresh, migrated, empty ops store (the test runs once per store)."""
    if request.param == "sqlite":
        yield sqlite_template.fresh_url(tmp_path)
        return
    template: PostgresTemplate | None = request.getfixturevalue("postgres_template")
    if template is None:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} to run this on PostgreSQL")
    url = template.fresh_url(tmp_path)
    yield url
    template.drop(url)


@pytest.fixture
def store_kind(ops_url: str) -> str:
    return "sqlite" if ops_url.startswith("sqlite") else "postgres"


@pytest.fixture
def engine(ops_url: str) -> Iterator[Engine]:
    engine = make_engine(ops_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(ops_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own ops store, warehouse, snapshot and landing folders."""
    return Settings(
        environment="test",
        database_url=ops_url,
        secret_key=TEST_SECRET_KEY,
        warehouse_path=tmp_path / "warehouse.duckdb",
        serving_dir=tmp_path / "serving",
        landing_dir=tmp_path / "landing",
    )


@pytest.fixture
def app(settings: Settings):
    from api.main import create_app

    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client
