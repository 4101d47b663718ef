"""The warehouse refresh: every dbt model, its tests and checks, then the serving snapshot."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.warehouse.assets import marts_snapshot, warehouse_models

# Runs carrying this tag are limited to one at a time (dagster.yaml, tag_concurrency_limits):
# the warehouse file has exactly one writer.
WAREHOUSE_TAG = {"bankdash/warehouse": "write"}

warehouse_job = dg.define_asset_job(
    "warehouse_refresh",
    selection=dg.AssetSelection.assets(warehouse_models, marts_snapshot),
    tags=WAREHOUSE_TAG,
    # One process, steps in order: the dbt steps, the checks and the copy each open the DuckDB
    # file, and DuckDB allows one read-write process or many readers, never both.
    executor_def=dg.in_process_executor,
    description="dbt build (incremental marts), reconciliation, then publish the snapshot.",
)
