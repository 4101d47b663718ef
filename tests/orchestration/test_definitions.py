"""The whole Definitions, loaded once: assets, lineage, checks, jobs, sensors, schedules, and the
instance configuration (dagster.yaml, dagster.prod.yaml) that serialises warehouse runs."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from orchestration.defs.landing.assets import LANDING_KEY
from orchestration.defs.warehouse.assets import SERVING_KEY, WAREHOUSE_POOL
from tests.stores import postgres_admin_url

REPO = Path(__file__).absolute().parents[2]
FCT = dg.AssetKey(["marts", "fct_transactions"])
CASH_FLOW = dg.AssetKey(["marts", "mart_cash_flow_monthly"])
RECONCILIATION = "reconciles_with_ops_ledger"


@pytest.fixture(scope="module")
def asset_graph(defs: dg.Definitions):
    return defs.get_repository_def().asset_graph


def test_every_area_is_loaded(defs: dg.Definitions, asset_graph) -> None:
    keys = {key.to_user_string() for key in asset_graph.get_all_asset_keys()}
    assert {
        "landing/bank_files",
        "ops/transactions",
        "ops/accounts",
        "staging/stg_ops__transactions",
        "marts/fct_transactions",
        "marts/mart_cash_flow_monthly",
        "serving/marts_snapshot",
    } <= keys
    repo = defs.get_repository_def()
    assert {job.name for job in repo.get_all_jobs()} >= {"landing_import", "warehouse_refresh"}
    assert {sensor.name for sensor in repo.sensor_defs} == {
        "landing_files_sensor",
        "ops_store_changed_sensor",
    }
    assert [schedule.name for schedule in repo.schedule_defs] == ["hourly_warehouse_refresh"]
    assert set(defs.resources) == {"ops_store", "warehouse", "landing", "dbt"}


def test_lineage_runs_from_landing_to_the_snapshot(asset_graph) -> None:
    ops_transactions = dg.AssetKey(["ops", "transactions"])
    assert asset_graph.get(ops_transactions).parent_keys == {LANDING_KEY}
    staging = dg.AssetKey(["staging", "stg_ops__transactions"])
    assert ops_transactions in asset_graph.get(staging).parent_keys
    # Every dbt source is an ops-store asset of its own: nothing dangles unresolved.
    for key in asset_graph.get_all_asset_keys():
        for parent in asset_graph.get(key).parent_keys:
            assert asset_graph.has(parent), f"{key} depends on an unknown asset {parent}"
    # The snapshot waits for every mart; it copies the marts schema.
    marts = {key for key in asset_graph.materializable_asset_keys if key.path[0] == "marts"}
    assert marts and asset_graph.get(SERVING_KEY).parent_keys == marts
    # Upstream of the snapshot, all the way back to the landing import.
    assert LANDING_KEY in asset_graph.get_ancestor_asset_keys(SERVING_KEY)


def test_checks_cover_dbt_tests_and_reconciliation(asset_graph) -> None:
    checks = {(key.asset_key, key.name) for key in asset_graph.asset_check_keys}
    assert (FCT, RECONCILIATION) in checks
    assert (CASH_FLOW, RECONCILIATION) in checks
    assert (FCT, "unique_fct_transactions_transaction_id") in checks  # a dbt test
    assert (LANDING_KEY, "files_pass_validation") in checks
    # Blocking: a build that does not reconcile is never published.
    for asset_key in (FCT, CASH_FLOW):
        check = asset_graph.get_check_spec(dg.AssetCheckKey(asset_key, RECONCILIATION))
        assert check.blocking


def test_warehouse_writers_share_one_pool_and_tag(defs: dg.Definitions, asset_graph) -> None:
    for key in (FCT, SERVING_KEY):
        assert asset_graph.get(key).pools == {WAREHOUSE_POOL}
    job = defs.resolve_job_def("warehouse_refresh")
    assert job.tags["bankdash/warehouse"] == "write"
    assert FCT in job.asset_layer.executable_asset_keys
    assert SERVING_KEY in job.asset_layer.executable_asset_keys
    assert LANDING_KEY not in job.asset_layer.executable_asset_keys


def _instance_config(yaml_file: str, home: Path, monkeypatch) -> dg.DagsterInstance:
    """The instance Dagster's processes would build from `yaml_file` as DAGSTER_HOME's config."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / yaml_file, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return dg.DagsterInstance.get()


def test_local_instance_serialises_warehouse_runs(tmp_path: Path, monkeypatch) -> None:
    with _instance_config("dagster.yaml", tmp_path / "home", monkeypatch) as instance:
        config = instance.get_concurrency_config()
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert {"key": "bankdash/warehouse", "value": "write", "limit": 1} in (
            config.run_queue_config.tag_concurrency_limits
        )
        assert config.pool_config.default_pool_limit == 1
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert (tmp_path / "home" / "history" / "runs.db").exists()


def test_production_instance_on_postgres(tmp_path: Path, monkeypatch) -> None:
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    url = make_url(admin_url)
    database = f"dagster_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    monkeypatch.setenv(
        "DAGSTER_PG_URL",
        url.set(drivername="postgresql", database=database).render_as_string(hide_password=False),
    )
    try:
        with _instance_config("dagster.prod.yaml", tmp_path / "home", monkeypatch) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            assert instance.get_runs() == []
            limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
            assert {"key": "bankdash/warehouse", "value": "write", "limit": 1} in limits
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
