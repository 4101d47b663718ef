"""Assembles the Dagster definitions: everything comes from the `defs/` folder, plus the global
policies below. `dagster dev` (workspace.yaml) and `dg dev` (dg.toml) load `defs`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

import orchestration.defs

defs = dg.Definitions.merge(
    dg.load_defs(defs_root=orchestration.defs, project_root=Path(__file__).parent.parent),
    # Every run in one process, steps in order. The steps are short and mostly sequential (dbt
    # parallelises inside its own process), a process per step costs seconds of imports each,
    # and DuckDB allows one read-write process or many readers on the warehouse, never both.
    dg.Definitions(executor=dg.in_process_executor),
)
