"""ledger.warehouse without dbt: attach config, offline extensions, snapshot publishing."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from ledger import money
from ledger.settings import Settings
from ledger.warehouse import (
    DBT_PROJECT_DIR,
    KEEP_SNAPSHOTS,
    current_snapshot,
    dbt_env,
    install_duckdb_extensions,
    ops_attach_config,
    publish_snapshot,
)


def test_ops_attach_config_sqlite_is_an_absolute_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert ops_attach_config("sqlite:///var/ops.db") == ("sqlite", str(tmp_path / "var/ops.db"))


def test_ops_attach_config_postgres_is_a_conninfo() -> None:
    url = "postgresql+psycopg://bank:s3cret pw@db.internal:5433/bankdash?sslmode=require"
    assert ops_attach_config(url) == (
        "postgres",
        "host=db.internal port=5433 dbname=bankdash user=bank password='s3cret pw' sslmode=require",
    )


def test_ops_attach_config_refuses_what_duckdb_cannot_attach() -> None:
    with pytest.raises(ValueError):
        ops_attach_config("sqlite://")
    with pytest.raises(ValueError):
        ops_attach_config("mysql://root@localhost/bank")


def test_dbt_env_for_postgres(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:5432/test",
        warehouse_path=tmp_path / "w.duckdb",
        duckdb_extension_dir=tmp_path / "ext",
    )
    env = dbt_env(settings)
    assert env["BANKDASH_DBT_TARGET"] == "postgres"
    assert env["BANKDASH_OPS_SCHEMA"] == "public"
    assert env["BANKDASH_WAREHOUSE_PATH"] == str(tmp_path / "w.duckdb")
    assert env["DBT_PROFILES_DIR"] == str(DBT_PROJECT_DIR)


def test_extensions_install_offline_and_attach_sqlite(tmp_path: Path) -> None:
    extension_dir = tmp_path / "extensions"
    install_duckdb_extensions(extension_dir)
    install_duckdb_extensions(extension_dir)  # idempotent
    ops = tmp_path / "ops.db"

    with sqlite3.connect(ops) as conn:
        conn.execute("create table t (amount_minor integer)")
        conn.execute("insert into t values (-1234)")
    config = {"extension_directory": str(extension_dir), "autoinstall_known_extensions": False}
    with duckdb.connect(config=config) as conn:
        conn.execute(f"attach '{ops}' as ops (type sqlite, read_only)")
        assert conn.execute("select amount_minor from ops.t").fetchall() == [(-1234,)]


def test_currency_exponents_match_ledger_money() -> None:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["vars"]["currency_exponents"] == money._EXPONENT_OVERRIDES


def _warehouse(path: Path, amount: str) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("create schema if not exists staging")
        conn.execute("create or replace table staging.s as select 1 as x")
        conn.execute(
            "create or replace table marts.m as "
            f"select 2 as user_id, {amount}::decimal(18,4) as amount union all "
            "select 1, 0.5::decimal(18,4)"
        )
        conn.execute("create or replace view marts.v as select user_id from marts.m")


def test_publish_swaps_the_pointer_and_keeps_the_last_snapshots(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "build-17.duckdb", tmp_path / "serving"
    assert current_snapshot(serving) is None
    _warehouse(warehouse, "1.25")
    first = publish_snapshot(warehouse, serving)
    reader = duckdb.connect(str(first.path), read_only=True)  # a request still on it
    published = [first]
    for amount in ("2.50", "3.75", "5.00", "6.25"):
        _warehouse(warehouse, amount)
        published.append(publish_snapshot(warehouse, serving))
    assert current_snapshot(serving) == published[-1]
    remaining = sorted(serving.glob("snapshot-*.duckdb"))
    assert remaining == sorted(info.path for info in published[-KEEP_SNAPSHOTS:])
    # The deleted first snapshot still answers the reader that had it open.
    assert reader.execute("select amount from marts.m where user_id = 2").fetchall()[0][0] == (
        Decimal("1.25")
    )
    reader.close()
    with duckdb.connect(str(published[-1].path), read_only=True) as conn:
        # only the marts schema, sorted by user_id, exact decimals
        assert conn.execute("select * from marts.m").fetchall() == [
            (1, Decimal("0.5")),
            (2, Decimal("6.25")),
        ]
        assert conn.execute("select count(*) from marts.v").fetchall() == [(2,)]  # views too
        schemas = conn.sql("select schema_name from duckdb_schemas()").fetchall()
        assert ("marts",) in schemas and ("staging",) not in schemas
