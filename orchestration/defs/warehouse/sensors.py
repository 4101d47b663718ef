"""Refresh the marts when the ops store has changed since the last requested refresh."""

# No `from __future__ import annotations` here: Dagster reads the decorated functions'
# annotations (context, resources, config) when the definitions are built.

from typing import Any

import dagster as dg
from sqlalchemy import ColumnElement, Engine, func, select

from ledger.models import Base
from orchestration.defs.ops_store.assets import ops_tables_read_by_dbt
from orchestration.defs.ops_store.resources import OpsStore
from orchestration.defs.warehouse.jobs import warehouse_job

IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def ops_watermark(engine: Engine, tables: list[str]) -> str:
    """Row count, max(updated_at) and max(id) of every table dbt reads: an insert moves the
    count and id, an update moves updated_at, a delete the count. Cheap (one scan per table)."""
    parts = []
    with engine.connect() as conn:
        for name in tables:
            table = Base.metadata.tables[name]
            columns: list[ColumnElement[Any]] = [func.count()]
            columns += [func.max(table.c[col]) for col in ("updated_at", "id") if col in table.c]
            values = conn.execute(select(*columns).select_from(table)).one()
            parts.append(f"{name}:" + ",".join(str(value) for value in values))
    return ";".join(parts)


@dg.sensor(
    job=warehouse_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a warehouse refresh when new data has landed in the ops store.",
)
def ops_store_changed_sensor(
    context: dg.SensorEvaluationContext, ops_store: OpsStore
) -> dg.SensorResult | dg.SkipReason:
    watermark = ops_watermark(ops_store.engine, ops_tables_read_by_dbt())
    if watermark == context.cursor:
        return dg.SkipReason("the ops store has not changed since the last refresh")
    # A refresh already queued or running: wait for it, keeping the old cursor, so the change
    # it may have missed is picked up by a later tick instead of piling up runs.
    if context.instance.get_runs(
        dg.RunsFilter(job_name=warehouse_job.name, statuses=IN_FLIGHT), limit=1
    ):
        return dg.SkipReason("a warehouse refresh is already queued or running")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=watermark)],
        cursor=watermark,
    )
