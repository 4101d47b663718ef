"""The sensors' run requests and cursors, and the hourly backstop schedule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
from dagster._core.test_utils import create_run_for_test
from sqlalchemy import Engine, update

from ledger.db import session_scope
from ledger.models import Transaction
from orchestration.defs.landing.resources import LandingZone
from orchestration.defs.landing.sensors import landing_files_sensor
from orchestration.defs.ops_store.resources import OpsStore
from orchestration.defs.warehouse.schedules import hourly_warehouse_refresh
from orchestration.defs.warehouse.sensors import ops_store_changed_sensor
from tests.factories import make_account, make_user
from tests.orchestration.helpers import drop_file

ROWS = ("Date,Description,Amount", "2024-01-05,Coffee shop,-3.50")


def _landing_tick(instance, landing: LandingZone, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"landing": landing}
    )
    return landing_files_sensor(context)


def test_landing_sensor_requests_one_run_per_batch_of_new_files(tmp_path: Path, instance) -> None:
    landing = LandingZone(landing_dir=str(tmp_path / "landing"))
    assert isinstance(_landing_tick(instance, landing, None), dg.SkipReason)  # no folder yet

    drop_file(tmp_path / "landing", 7, "jan.csv", *ROWS)
    drop_file(tmp_path / "landing", 8, "jan.csv", *ROWS)
    first = _landing_tick(instance, landing, None)
    [request] = first.run_requests
    assert request.tags["bankdash/new_files"] == "2"

    # Nothing new since: skip, whatever the cursor is asked again.
    assert isinstance(_landing_tick(instance, landing, first.cursor), dg.SkipReason)

    # One more file: one more run, with a key of its own.
    drop_file(tmp_path / "landing", 7, "feb.csv", *ROWS)
    second = _landing_tick(instance, landing, first.cursor)
    [next_request] = second.run_requests
    assert next_request.tags["bankdash/new_files"] == "1"
    assert next_request.run_key != request.run_key
    # Files already filed away by an import are not pending, so never requested again.
    (tmp_path / "landing" / "7" / "processed").mkdir()
    assert isinstance(_landing_tick(instance, landing, second.cursor), dg.SkipReason)


def _ops_tick(instance, engine_url: str, cursor: str | None):
    ops_store = OpsStore(database_url=engine_url)
    # A context manager: the engine is disposed when the tick ends, as in the daemon.
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"ops_store": ops_store}
    ) as context:
        return ops_store_changed_sensor(context)


def _add_transaction(engine: Engine, account, key: str) -> int:
    with session_scope(engine) as session:
        transaction = Transaction(
            user_id=account.user_id,
            account_id=account.id,
            source="manual",
            source_key=key,
            txn_date=date(2024, 3, 1),
            description="Bakery",
            amount_minor=-425,
            currency="USD",
        )
        session.add(transaction)
        session.flush()
        return transaction.id


def test_ops_store_sensor_refreshes_after_new_data(ops_url: str, engine: Engine, instance) -> None:
    account = make_account(engine, make_user(engine))
    first = _ops_tick(instance, ops_url, None)
    [request] = first.run_requests
    assert request.run_key == first.cursor
    assert ops_store_changed_sensor.job_name == "warehouse_refresh"

    assert isinstance(_ops_tick(instance, ops_url, first.cursor), dg.SkipReason)

    transaction_id = _add_transaction(engine, account, "k1")  # an insert
    inserted = _ops_tick(instance, ops_url, first.cursor)
    assert len(inserted.run_requests) == 1 and inserted.cursor != first.cursor

    with session_scope(engine) as session:  # an update (the ORM moves updated_at)
        session.execute(
            update(Transaction)
            .where(Transaction.id == transaction_id)
            .values(category=None, merchant="Bakery")
        )
    updated = _ops_tick(instance, ops_url, inserted.cursor)
    assert len(updated.run_requests) == 1 and updated.cursor != inserted.cursor

    # A refresh already running: wait for it instead of piling up runs, keeping the cursor.
    create_run_for_test(instance, job_name="warehouse_refresh", status=dg.DagsterRunStatus.STARTED)
    _add_transaction(engine, account, "k2")
    waiting = _ops_tick(instance, ops_url, updated.cursor)
    assert isinstance(waiting, dg.SkipReason) and "already" in waiting.skip_message


def test_hourly_schedule_is_the_backstop(instance) -> None:
    assert hourly_warehouse_refresh.cron_schedule == "0 * * * *"
    assert hourly_warehouse_refresh.job_name == "warehouse_refresh"
    context = dg.build_schedule_context(instance=instance)
    [request] = hourly_warehouse_refresh.evaluate_tick(context).run_requests
    assert request.job_name in (None, "warehouse_refresh")
