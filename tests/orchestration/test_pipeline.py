"""Every asset materialized in-process against a real ops store (SQLite and PostgreSQL): the
landing import, the dbt build with its tests, the reconciliation checks and the publish."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
from sqlalchemy import Engine, text, update

from ledger.models import Transaction
from ledger.settings import Settings
from ledger.warehouse import current_snapshot
from orchestration.defs.landing.assets import LANDING_KEY
from orchestration.defs.warehouse.assets import SERVING_KEY
from tests.factories import make_account, make_user
from tests.orchestration.helpers import (
    WAREHOUSE_SELECTION,
    check_evaluations,
    drop_file,
    landing_only,
    materialization_metadata,
    materialize,
)

FCT = dg.AssetKey(["marts", "fct_transactions"])
GOOD_ROWS = (
    "Date,Description,Amount",
    "2024-01-05,Coffee shop,-3.50",
    "2024-01-31,Salary ACME,2500.00",
    "2024-02-01,Rent,-1200.00",
    "2024-02-03,Groceries,-84.21",
)
GOOD_TOTAL_MINOR = -350 + 250_000 - 120_000 - 8_421
BAD_ROWS = (
    "Date,Description,Amount",
    "2024-01-05,Coffee shop,-3.50",
    "2024-01-06,Broken amount,twelve",
)


def _snapshot_sum(serving_dir: Path) -> tuple[Path, int]:
    snapshot = current_snapshot(serving_dir)
    assert snapshot is not None
    with duckdb.connect(str(snapshot.path), read_only=True) as conn:
        [(total,)] = conn.execute("select sum(amount_minor) from marts.fct_transactions").fetchall()
    return snapshot.path, int(total)


def test_landing_to_snapshot_then_rerun_imports_nothing(
    defs, resources, instance, settings: Settings, engine: Engine
) -> None:
    account = make_account(engine, make_user(engine))
    landing = settings.landing_dir
    drop_file(landing, account.id, "2024-q1.csv", *GOOD_ROWS)
    drop_file(landing, account.id, "broken.csv", *BAD_ROWS)
    drop_file(landing, 999_999, "orphan.csv", *GOOD_ROWS)  # no such account

    result = materialize(defs, resources, instance)  # everything, in dependency order

    imported = materialization_metadata(result, LANDING_KEY)
    assert (imported["files"], imported["rows_read"], imported["imported"]) == (3, 4, 4)
    assert (imported["duplicates"], imported["rejected_files"]) == (0, 2)
    assert imported["rejected_rows"] >= 1
    checks = check_evaluations(result)
    validation = checks[("landing/bank_files", "files_pass_validation")]
    assert not validation.passed and validation.severity == dg.AssetCheckSeverity.WARN
    row_errors = validation.metadata["first_row_errors"].value
    assert any(e["file"] == f"{account.id}/broken.csv" and e["row"] == 3 for e in row_errors)

    # Filed away: the good file in processed/, the others in rejected/ with their reports.
    account_dir = landing / str(account.id)
    assert not list(account_dir.glob("*.csv"))
    assert (account_dir / "processed" / "2024-q1.csv").exists()
    report = json.loads((account_dir / "rejected" / "broken.csv.errors.json").read_text())
    assert report["status"] == "rejected" and report["errors"][0]["row"] == 3
    assert (landing / "999999" / "rejected" / "orphan.csv.errors.json").exists()

    # dbt's tests and the reconciliation all pass; the marts hold exactly the imported money.
    failed = [key for key, evaluation in checks.items() if not evaluation.passed]
    assert failed == [("landing/bank_files", "files_pass_validation")]
    reconciliation = checks[("marts/fct_transactions", "reconciles_with_ops_ledger")]
    assert reconciliation.metadata["groups_compared"].value == 2  # January and February, USD
    assert ("marts/mart_cash_flow_monthly", "reconciles_with_ops_ledger") in checks
    assert materialization_metadata(result, FCT)["dagster/row_count"] == 4
    published = materialization_metadata(result, SERVING_KEY)
    first_path, total = _snapshot_sum(settings.serving_dir)
    assert str(first_path) == published["path"]
    assert total == GOOD_TOTAL_MINOR

    # The same statement dropped again: read, all duplicates, nothing imported.
    drop_file(landing, account.id, "2024-q1.csv", *GOOD_ROWS)
    again = materialize(defs, resources, instance, landing_only())
    rerun = materialization_metadata(again, LANDING_KEY)
    assert (rerun["files"], rerun["imported"], rerun["duplicates"]) == (1, 0, 4)
    assert len(list((account_dir / "processed").glob("2024-q1*.csv"))) == 2  # kept both drops

    # A refresh publishes a new snapshot; the pointer moves, the money does not.
    materialize(defs, resources, instance, WAREHOUSE_SELECTION)
    second_path, total = _snapshot_sum(settings.serving_dir)
    assert second_path != first_path
    assert total == GOOD_TOTAL_MINOR
    with engine.connect() as conn:
        assert conn.scalar(text("select count(*) from transactions")) == 4
        assert conn.scalar(text("select count(*) from import_batches")) == 2


def _seed_transactions(engine: Engine) -> None:
    """Two users, two currencies (USD, JPY), three months, written straight into the store."""
    rows = []
    for email, currency in (("recon-a@example.com", "USD"), ("recon-b@example.com", "JPY")):
        user = make_user(engine, email=email)
        account = make_account(engine, user, currency=currency)
        rows += [
            {
                "user_id": user.id,
                "account_id": account.id,
                "source_key": f"seed-{n}",
                "txn_date": f"2024-0{1 + n % 3}-{10 + n:02d}",
                "description": f"seeded {n}",
                "amount_minor": (-1) ** n * (1_000 + 37 * n),
                "currency": currency,
            }
            for n in range(12)
        ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into transactions (user_id, account_id, source, source_key, txn_date,"
                " description, amount_minor, currency, is_pending, created_at, updated_at)"
                " values (:user_id, :account_id, 'manual', :source_key, :txn_date, :description,"
                " :amount_minor, :currency, false, current_timestamp, current_timestamp)"
            ),
            rows,
        )


def _ledger(engine: Engine, currency: str) -> tuple[int, int, str, int]:
    """(id, user_id, "YYYY-MM", amount_minor) of the first transaction in `currency`."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "select id, user_id, txn_date, amount_minor from transactions"
                " where currency = :currency order by id limit 1"
            ),
            {"currency": currency},
        ).one()
    return row[0], row[1], str(row[2])[:7], row[3]


def _ops_total(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("select sum(amount_minor) from transactions")))


RECONCILIATIONS = dg.AssetSelection.checks(
    dg.AssetCheckKey(FCT, "reconciles_with_ops_ledger"),
    dg.AssetCheckKey(
        dg.AssetKey(["marts", "mart_cash_flow_monthly"]), "reconciles_with_ops_ledger"
    ),
)


def test_reconciliation_catches_a_changed_ledger_until_the_next_refresh(
    defs, resources, instance, settings: Settings, engine: Engine
) -> None:
    _seed_transactions(engine)
    built = materialize(defs, resources, instance, WAREHOUSE_SELECTION)
    checks = check_evaluations(built)
    assert checks[("marts/fct_transactions", "reconciles_with_ops_ledger")].passed
    assert checks[("marts/mart_cash_flow_monthly", "reconciles_with_ops_ledger")].passed
    published, _ = _snapshot_sum(settings.serving_dir)

    # Behind dbt's back: one JPY amount gains one yen, one USD transaction disappears.
    jpy_id, jpy_user, jpy_month, _ = _ledger(engine, "JPY")
    usd_id, usd_user, usd_month, usd_amount = _ledger(engine, "USD")
    with engine.begin() as conn:
        conn.execute(
            text("update transactions set amount_minor = amount_minor + 1 where id = :id"),
            {"id": jpy_id},
        )
        conn.execute(text("delete from transactions where id = :id"), {"id": usd_id})

    # The checks alone, with the snapshot downstream of them: both fail, nothing is published.
    result = materialize(
        defs,
        resources,
        instance,
        RECONCILIATIONS | dg.AssetSelection.assets(SERVING_KEY),
        raise_on_error=False,
    )
    checks = check_evaluations(result)
    for asset in ("marts/fct_transactions", "marts/mart_cash_flow_monthly"):
        evaluation = checks[(asset, "reconciles_with_ops_ledger")]
        assert not evaluation.passed
        assert evaluation.severity == dg.AssetCheckSeverity.ERROR
        assert evaluation.metadata["mismatches"].value == 2
        mismatches = {m["currency"]: m for m in evaluation.metadata["first_mismatches"].value}
        jpy, usd = mismatches["JPY"], mismatches["USD"]
        assert (jpy["user_id"], jpy["month"]) == (jpy_user, jpy_month)
        assert jpy["ops_minor"] == jpy["mart_minor"] + 1
        assert (usd["user_id"], usd["month"]) == (usd_user, usd_month)
        assert usd["ops_minor"] == usd["mart_minor"] - usd_amount
    assert not result.get_asset_materialization_events()  # blocked: nothing published
    assert current_snapshot(settings.serving_dir).path == published

    # An incremental refresh picks up the update and the delete; everything reconciles again.
    refreshed = materialize(defs, resources, instance, WAREHOUSE_SELECTION)
    assert all(evaluation.passed for evaluation in check_evaluations(refreshed).values())
    assert materialization_metadata(refreshed, FCT)["dagster/row_count"] == 23
    moved, total = _snapshot_sum(settings.serving_dir)
    assert moved != published
    assert total == _ops_total(engine)


def test_a_write_during_the_run_downgrades_a_mismatch_to_a_warning(
    defs, resources, instance, settings: Settings, engine: Engine
) -> None:
    """A busy store must not block every publish: rows written after the run started may be
    missing from the build, so their mismatch warns (and is published); the next refresh
    reconciles."""
    _seed_transactions(engine)
    materialize(defs, resources, instance, WAREHOUSE_SELECTION)
    published, _ = _snapshot_sum(settings.serving_dir)
    usd_id, *_ = _ledger(engine, "USD")
    # A change stamped after the coming run's start, as a write that lands mid-build would be.
    with engine.begin() as conn:
        conn.execute(
            update(Transaction)
            .where(Transaction.id == usd_id)
            .values(
                amount_minor=Transaction.amount_minor - 5,
                updated_at=datetime.now(UTC) + timedelta(minutes=5),
            )
        )
    result = materialize(
        defs, resources, instance, RECONCILIATIONS | dg.AssetSelection.assets(SERVING_KEY)
    )
    evaluation = check_evaluations(result)[("marts/fct_transactions", "reconciles_with_ops_ledger")]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["mismatches"].value == 1
    assert current_snapshot(settings.serving_dir).path != published  # published anyway
