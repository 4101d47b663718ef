"""The dbt models as assets, and the serving snapshot the readers open."""

# No `from __future__ import annotations` here: Dagster reads the decorated functions'
# annotations (context, resources, config) when the definitions are built.

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ledger.warehouse import install_duckdb_extensions, publish_snapshot
from orchestration.defs.ops_store.resources import OpsStore
from orchestration.defs.warehouse.project import DBT_PROJECT, dbt_environment
from orchestration.defs.warehouse.resources import Warehouse
from orchestration.defs.warehouse.translator import TRANSLATOR

# Every asset that writes or reads the warehouse file is in this pool, limited to 1 in
# dagster.yaml (default_limit, run granularity): two builds never fight over DuckDB's file lock.
WAREHOUSE_POOL = "warehouse"
SERVING_KEY = dg.AssetKey(["serving", "marts_snapshot"])
SERVED_SCHEMAS = ("marts",)
KEEP_DBT_INVOCATIONS = 10
DBT_PROJECT_MANIFEST = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from scratch


# One @dbt_assets for all models, not split incremental vs the rest: fct_transactions (the one
# incremental model) sits between the intermediate tables and the marts, so a split makes Dagster
# run three dbt invocations per refresh (rest -> incremental -> rest: ~3x dbt's start-up), and
# the relationship tests whose parents fall in two invocations run before their table exists.
# Incremental behaviour is steered by DbtBuildConfig.full_refresh instead.
@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="warehouse_models",
    pool=WAREHOUSE_POOL,
)
def warehouse_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    ops_store: OpsStore,
    warehouse: Warehouse,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    """`dbt build`: every model (incremental where it grows) and its tests, as asset checks."""
    settings = warehouse.settings_for(ops_store.database_url)
    install_duckdb_extensions(settings.duckdb_extension_dir)  # offline: from the wheels' files
    Path(warehouse.warehouse_path).parent.mkdir(parents=True, exist_ok=True)  # dbt won't
    _prune_old_invocations(context.op_execution_context.op.name)
    # dbt unit tests check model logic on fixed inputs: CI runs them, data refreshes need not.
    args = ["build", "--exclude-resource-type", "unit_test"]
    args += ["--full-refresh"] if config.full_refresh else []
    with dbt_environment(settings):
        invocation = dbt.cli(args, context=context, raise_on_error=False)
        events = list(invocation.stream())
    yield from _with_row_counts(events, warehouse)
    if not invocation.is_successful():
        raise invocation.get_error() or RuntimeError("dbt build failed")


def _prune_old_invocations(op_name: str, keep: int = KEEP_DBT_INVOCATIONS) -> None:
    """dagster-dbt gives every invocation a target/<op>-<run>-<id>/ folder (~7 MB: manifest,
    compiled SQL, logs). Keep the newest few for debugging; hourly runs would fill the disk."""

    def modified(folder: Path) -> float:
        try:
            return folder.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    target = DBT_PROJECT.project_dir / DBT_PROJECT.target_path  # target_path is relative
    folders = sorted(target.glob(f"{op_name}-*"), key=modified, reverse=True)
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)


def _with_row_counts(events: list[Any], warehouse: Warehouse) -> Iterator[Any]:
    """Attach `dagster/row_count` to each table's output, counted once dbt has exited.

    Not `.stream().fetch_row_counts()`: that opens the DuckDB file from this process while the
    dbt process is between two models, so dbt could fail to take the file's lock, and the
    connection it leaves open makes the next build in this process fail the same way.
    """
    relations = _table_relations_by_output()
    outputs = [e for e in events if isinstance(e, dg.Output) and e.output_name in relations]
    counts: dict[str, int] = {}
    if outputs:
        with warehouse.read_only() as conn:
            for output in outputs:
                relation = relations[output.output_name]
                [(count,)] = conn.execute(f"select count(*) from {relation}").fetchall()
                counts[output.output_name] = count
    for event in events:
        if isinstance(event, dg.Output) and event.output_name in counts:
            row_count = {"dagster/row_count": counts[event.output_name]}
            event = event.with_metadata({**event.metadata, **row_count})
        yield event


def _table_relations_by_output() -> dict[str, str]:
    """Output name -> `schema.table` of every model dbt stores as a table (not views). The
    manifest's relation_name would name the catalog of the file `dbt parse` saw, not this one."""
    return {
        TRANSLATOR.get_asset_key(node).to_python_identifier(): (
            f'"{node["schema"]}"."{node["alias"]}"'
        )
        for node in DBT_PROJECT_MANIFEST["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "view"
    }


def mart_keys() -> list[dg.AssetKey]:
    """The dbt models the snapshot copies (the `marts` schema)."""
    return sorted(
        (key for key in warehouse_models.keys if key.path[0] in SERVED_SCHEMAS),
        key=lambda key: key.to_user_string(),
    )


@dg.asset(
    key=SERVING_KEY,
    deps=mart_keys(),
    group_name="serving",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description=(
        "Copies the marts into a new read-only DuckDB file and swaps the pointer atomically: "
        "the API, notebooks and analysts read this, never the file dbt writes."
    ),
)
def marts_snapshot(warehouse: Warehouse) -> dg.MaterializeResult:
    snapshot = publish_snapshot(
        Path(warehouse.warehouse_path), Path(warehouse.serving_dir), schemas=SERVED_SCHEMAS
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(snapshot.path)),
            "as_of": dg.MetadataValue.timestamp(snapshot.built_at),
            "size_bytes": snapshot.path.stat().st_size,
        }
    )
