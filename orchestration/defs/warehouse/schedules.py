"""The hourly backstop: the sensor refreshes on change; this catches anything it missed
(and moves `as_of` forward for marts that depend on today's date)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.warehouse.jobs import warehouse_job

hourly_warehouse_refresh = dg.ScheduleDefinition(
    name="hourly_warehouse_refresh",
    job=warehouse_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
