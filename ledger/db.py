"""Engines and sessions for the ops store, on SQLite or PostgreSQL, and running its migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ledger.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(database_url: str, *, busy_timeout_ms: int = 10_000) -> Engine:
    """An engine with the store-specific settings every process needs.

    SQLite: WAL so the DuckDB reader and the API writer do not block each other, a busy timeout so
    concurrent writers wait instead of failing, and foreign keys (off by default in SQLite).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


SQLITE_BEGIN_OPTION = "sqlite_begin"


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that will write (BEGIN IMMEDIATE on SQLite)."""
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # pysqlite's own BEGIN handling defers locks until the first write; we issue BEGIN
        # ourselves (below) so a transaction sees one consistent snapshot.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # Writers begin IMMEDIATE: a deferred transaction that reads, then tries to write after
        # another writer committed, fails at once with "database is locked" (the busy timeout
        # cannot help it). Readers stay deferred so they never wait behind a long import.
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@lru_cache
def default_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A writing session that commits on success and rolls back on any error."""
    with session_factory(writer(engine))() as session, session.begin():
        yield session


def migrate(database_url: str, revision: str = "head") -> None:
    """Upgrade the ops store to `revision` with Alembic, the way production does it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, revision)
