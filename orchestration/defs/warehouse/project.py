"""The dbt project, loaded once per process (its manifest is what the dbt assets are made of)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from ledger.settings import Settings
from ledger.warehouse import DBT_PROJECT_DIR, dbt_env
from orchestration.config import ledger_settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The venv's dbt, whether or not the venv is activated (dagster-dbt would look on PATH).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def dbt_cli() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """Export the dbt profile's env vars while dbt runs (the dbt CLI and the adapter that
    dagster-dbt opens in this process both read them from os.environ), then restore them.
    A run executes in its own process, so this never leaks into another run."""
    variables = dbt_env(settings)
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def parse_manifest() -> None:
    """`dbt parse` into the project's target/. No database is opened. It runs with the profile
    this process's runs will use, so their dbt can reuse the parse (dbt re-parses everything
    when the profile differs: about 3 s a run)."""
    with dbt_environment(ledger_settings()):
        dbt_cli().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()


def _prepare() -> None:
    """What `DbtProject.prepare_if_dev()` does (re-parse under `dagster dev` / `dg dev`, where
    models change while developing), with the venv's dbt; and parse whenever the manifest is
    missing, so `dagster asset materialize` works on a fresh checkout too."""
    if os.environ.get("DAGSTER_IS_DEV_CLI") or not DBT_PROJECT.manifest_path.exists():
        parse_manifest()


_prepare()
