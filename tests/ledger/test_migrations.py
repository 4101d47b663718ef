"""The migrations build exactly the schema the models describe, on both stores, and run down too."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from ledger.db import make_engine, migrate
from ledger.models import Base


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_sqlite_store_runs_in_wal_mode_with_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    migrate(url)
    engine = make_engine(url, busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1
        assert conn.execute(text("pragma busy_timeout")).scalar() == 1234
    assert "transactions" in inspect(engine).get_table_names()
    engine.dispose()


def test_categories_are_seeded_with_their_kinds(engine):
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("select name, kind from categories")).all())
    assert kinds["Groceries"] == "expense"
    assert kinds["Salary"] == "income"
    assert kinds["Transfer"] == "transfer"
    assert len(kinds) >= 20
