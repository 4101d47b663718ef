"""Warehouse build cost: Dagster + dbt against the same SQL run directly in DuckDB, and an
incremental refresh against the full build.

    .venv/bin/python bench/bench_warehouse.py                      # 1,000,000 rows, 1,000 users
    .venv/bin/python bench/bench_warehouse.py --rows 20000 --users 50   # a quick smoke run

1. A fresh SQLite ops store gets `--rows` synthetic transactions over `--users` users (two
   accounts each, two years) by one bulk insert.
2. (a) Full build: the `warehouse_models` asset (dbt build: models and dbt tests as asset checks)
   materialized in-process by Dagster, on an empty warehouse. Then the SQL dbt compiled in that
   very invocation (target/.../compiled) is run directly in DuckDB, in dbt's execution order, into
   another empty file: models as `create table/view ... as`, tests as counting queries.
3. (b) `--new-rows` transactions land in the ops store; the same asset is materialized again
   (incremental), and so is the whole warehouse_refresh job (plus reconciliation and publish).
Every figure is measured in this one run; the ratios are the result.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from ledger.db import migrate
from ledger.settings import get_settings
from ledger.warehouse import DBT_PROJECT_DIR, install_duckdb_extensions

TIMESTAMP = "2025-01-01 00:00:00.000000"  # the text SQLAlchemy stores for a UTC timestamp
FIRST_DAY = date(2024, 1, 1)
DAYS = 730
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # figures, not dbt's log
MERCHANTS = ["Tesco", "Shell", "Amazon", "Uber", "Netflix", "Starbucks", "IKEA", "Lidl", "ACME"]


@dataclass
class Timed:
    seconds: float
    result: Any = None


def timed(fn: Any, *args: Any, **kwargs: Any) -> Timed:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return Timed(time.perf_counter() - started, result)


# --- the synthetic ops store -------------------------------------------------------------------


def create_ops_store(path: Path, *, rows: int, users: int, seed: int = 7) -> str:
    url = f"sqlite:///{path}"
    migrate(url)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "insert into users (id, name, email, password_hash, kyc_status, base_currency, role,"
            " created_at, updated_at) values (?, ?, ?, 'x', 'verified', 'USD', 'user', ?, ?)",
            [
                (u, f"User {u}", f"u{u}@bench.test", TIMESTAMP, TIMESTAMP)
                for u in range(1, users + 1)
            ],
        )
        conn.executemany(
            "insert into accounts (id, user_id, bank_name, account_type, masked_account, currency,"
            " opening_balance_minor, created_at, updated_at) values (?, ?, 'Bench Bank', ?,"
            " '****0000', 'USD', 100000, ?, ?)",
            [
                (2 * u - kind, u, ("checking", "savings")[kind], TIMESTAMP, TIMESTAMP)
                for u in range(1, users + 1)
                for kind in (0, 1)
            ],
        )
        categories = [name for (name,) in conn.execute("select name from categories")]
        insert_transactions(conn, range(rows), users=users, categories=categories, seed=seed)
    return url


def insert_transactions(
    conn: sqlite3.Connection, numbers: range, *, users: int, categories: list[str], seed: int
) -> None:
    """One bulk insert of rows n in `numbers` (their source_key is unique by n)."""
    rng = random.Random(seed + numbers.start)

    def row(n: int) -> tuple[Any, ...]:
        user = rng.randint(1, users)
        amount = rng.randint(1, 250_000) * (1 if rng.random() < 0.15 else -1)
        merchant = rng.choice(MERCHANTS)
        return (
            user,
            2 * user - rng.randint(0, 1),
            f"bench-{n}",
            (FIRST_DAY + timedelta(days=rng.randrange(DAYS))).isoformat(),
            f"{merchant} purchase {n % 97}",
            merchant,
            rng.choice(categories) if rng.random() < 0.8 else None,
            amount,
            TIMESTAMP,
            TIMESTAMP,
        )

    conn.executemany(
        "insert into transactions (user_id, account_id, source, source_key, txn_date,"
        " description, merchant, category, category_source, amount_minor, currency, is_pending,"
        " created_at, updated_at) values (?, ?, 'csv', ?, ?, ?, ?, ?, 'rule', ?, 'USD', 0, ?, ?)",
        (row(n) for n in numbers),
    )


# --- Dagster -----------------------------------------------------------------------------------


def resources_env(url: str, workdir: Path) -> None:
    """Configure this process as a deployment would, by environment variables: `dbt parse` then
    sees the profile the runs use and dbt reuses that parse (as in production)."""
    os.environ.update(
        {
            "DATABASE_URL": url,
            "WAREHOUSE_PATH": str(workdir / "dagster" / "warehouse.duckdb"),
            "SERVING_DIR": str(workdir / "serving"),
            "LANDING_DIR": str(workdir / "landing"),
            "DUCKDB_EXTENSION_DIR": str(workdir / "extensions"),
        }
    )
    get_settings.cache_clear()


def load_definitions() -> dg.Definitions:
    from orchestration.defs.warehouse.project import parse_manifest

    parse_manifest()
    from orchestration.definitions import defs

    return defs


def bench_resources(defs: dg.Definitions, url: str, workdir: Path) -> dict[str, Any]:
    from orchestration.defs.landing.resources import LandingZone
    from orchestration.defs.ops_store.resources import OpsStore
    from orchestration.defs.warehouse.resources import Warehouse

    return {
        "ops_store": OpsStore(database_url=url),
        "warehouse": Warehouse(
            warehouse_path=str(workdir / "dagster" / "warehouse.duckdb"),
            serving_dir=str(workdir / "serving"),
            duckdb_extension_dir=str(workdir / "extensions"),
        ),
        "landing": LandingZone(landing_dir=str(workdir / "landing")),
        "dbt": defs.resources["dbt"],
    }


def dbt_only() -> dg.AssetSelection:
    """The dbt build (models + dbt tests), without our reconciliation checks."""
    from orchestration.defs.warehouse.assets import warehouse_models

    reconciliations = dg.AssetSelection.checks(
        *(
            dg.AssetCheckKey(key, "reconciles_with_ops_ledger")
            for key in (
                dg.AssetKey(["marts", "fct_transactions"]),
                dg.AssetKey(["marts", "mart_cash_flow_monthly"]),
            )
        )
    )
    return dg.AssetSelection.assets(warehouse_models) - reconciliations


def materialize(
    defs: dg.Definitions, resources: dict[str, Any], selection: dg.AssetSelection
) -> dg.ExecuteInProcessResult:
    with dg.instance_for_test() as instance:
        return dg.materialize(
            [*defs.assets, *defs.asset_checks],
            resources=resources,
            instance=instance,
            selection=selection,
            run_config=QUIET,
        )


def latest_invocation_dir(since: float) -> Path:
    """The target dir dagster-dbt gave the invocation that just ran (one per invocation)."""
    target = DBT_PROJECT_DIR / "target"
    runs = [p for p in target.glob("warehouse_models-*") if (p / "run_results.json").exists()]
    newest = max(runs, key=lambda p: (p / "run_results.json").stat().st_mtime)
    assert (newest / "run_results.json").stat().st_mtime >= since, "no new dbt invocation found"
    return newest


# --- the same SQL, straight into DuckDB --------------------------------------------------------


def run_compiled_sql(invocation: Path, warehouse: Path, ops_db: Path, extensions: Path) -> int:
    """Execute the SQL dbt compiled in `invocation` (run_results.json keeps each node's compiled
    code), in its execution order, in a new DuckDB file whose catalog has the same name as dbt's
    (so the compiled relation names resolve)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    results = json.loads((invocation / "run_results.json").read_text())["results"]
    statements = 0
    with duckdb.connect(str(warehouse), config={"extension_directory": str(extensions)}) as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute(f"attach '{ops_db}' as ops (type sqlite, read_only)")
        for schema in ("staging", "intermediate", "marts"):
            conn.execute(f"create schema if not exists {schema}")
        for result in results:
            node = manifest["nodes"].get(result["unique_id"])
            if node is None or node["resource_type"] not in ("model", "test"):
                continue  # unit tests run on fixtures, not on the data
            conn.execute(statement_for(node, result["compiled_code"])).fetchall()
            statements += 1
    return statements


def statement_for(node: dict[str, Any], compiled: str) -> str:
    if node["resource_type"] == "test":
        return f"select count(*) from ({compiled}) as failures"
    relation = f'"{node["schema"]}"."{node["alias"]}"'
    kind = "view" if node["config"]["materialized"] == "view" else "table"
    return f"create or replace {kind} {relation} as ({compiled})"


# --- the benchmark -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--new-rows", type=int, default=1_000)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as scratch:
        run(args, args.workdir or Path(scratch))


def run(args: argparse.Namespace, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    report: list[str] = []  # printed at the end, after dbt's own output
    ops_db = workdir / "ops.db"
    report.append(
        f"ops store: {args.rows:,} transactions, {args.users:,} users (SQLite, {workdir})"
    )
    seeded = timed(create_ops_store, ops_db, rows=args.rows, users=args.users)
    report.append(f"  generated and bulk-inserted in {seeded.seconds:.1f} s")
    resources_env(seeded.result, workdir)
    defs = load_definitions()
    resources = bench_resources(defs, seeded.result, workdir)
    install_duckdb_extensions(workdir / "extensions")

    # (a) full build: Dagster + dbt, then the same compiled SQL straight into DuckDB.
    started = time.time()
    full = timed(materialize, defs, resources, dbt_only())
    invocation = latest_invocation_dir(started)
    dbt_elapsed = json.loads((invocation / "run_results.json").read_text())["elapsed_time"]
    direct_file = workdir / "direct" / "warehouse.duckdb"
    direct_file.parent.mkdir()
    direct = timed(run_compiled_sql, invocation, direct_file, ops_db, workdir / "extensions")
    report.append("(a) full build (models + dbt tests)")
    report.append(f"  Dagster + dbt (materialize warehouse_models): {full.seconds:8.2f} s")
    report.append(f"    of which dbt's own run (run_results.json):  {dbt_elapsed:8.2f} s")
    report.append(
        f"  same compiled SQL directly in DuckDB:         {direct.seconds:8.2f} s"
        f"  ({direct.result} statements)"
    )
    report.append(
        f"  overhead ratio Dagster+dbt / direct:          {full.seconds / direct.seconds:8.2f}x"
    )

    # (b) new transactions land; the incremental refresh, then the whole job for reference.
    with sqlite3.connect(ops_db) as conn:
        categories = [name for (name,) in conn.execute("select name from categories")]
        numbers = range(args.rows, args.rows + args.new_rows)
        insert_transactions(conn, numbers, users=args.users, categories=categories, seed=11)
    refresh = timed(materialize, defs, resources, dbt_only())
    insert = range(args.rows + args.new_rows, args.rows + 2 * args.new_rows)
    with sqlite3.connect(ops_db) as conn:
        insert_transactions(conn, insert, users=args.users, categories=categories, seed=13)
    from orchestration.defs.warehouse.assets import marts_snapshot, warehouse_models

    job = timed(
        materialize, defs, resources, dg.AssetSelection.assets(warehouse_models, marts_snapshot)
    )
    report.append(f"(b) refresh after {args.new_rows:,} new transactions")
    report.append(f"  Dagster + dbt incremental refresh:            {refresh.seconds:8.2f} s")
    report.append(
        f"  refresh / full build:                         "
        f"{100 * refresh.seconds / full.seconds:7.1f} %  (goal <= 10 %)"
    )
    report.append(f"  whole warehouse_refresh (+ reconciliation, publish): {job.seconds:8.2f} s")
    print("\n".join(["", "=== bench_warehouse ===", *report]))


if __name__ == "__main__":
    main()
